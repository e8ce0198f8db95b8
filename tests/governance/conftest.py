"""Fixtures shared by the governance tests."""

from __future__ import annotations

from typing import Any

import pytest

from coalign.governance.asem import find_asem_dir, load_asem


@pytest.fixture
def asem() -> tuple[Any, Any]:
    """The ASEM framework and data (the real data set in ../shared/data/asem); skips when absent."""
    if find_asem_dir() is None:
        pytest.skip(
            "ASEM data not found: set COALIGN_ASEM_DIR or put it at <repo>/../shared/data/asem"
        )
    return load_asem()
