"""Fixtures shared by the oversight tests."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from coalign.oversight import open_store


def store_urls() -> list[Any]:
    """SQLite always; PostgreSQL when COALIGN_TEST_PG_URL names a server."""
    pg = os.environ.get("COALIGN_TEST_PG_URL")
    return [
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not pg,
                reason="PostgreSQL store tests need COALIGN_TEST_PG_URL "
                "(e.g. postgresql://postgres@127.0.0.1:5432/postgres)",
            ),
        ),
    ]


def fresh_db_url(kind: str, tmp_path: Path) -> tuple[str, Any]:
    """A URL for an empty database of ``kind`` and a cleanup function."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'review.db'}", lambda: None
    import psycopg

    base = os.environ["COALIGN_TEST_PG_URL"]
    name = f"coalign_test_{uuid.uuid4().hex[:12]}"
    admin = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + "/" + name

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


@pytest.fixture(params=store_urls())
def store(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An empty, migrated store on SQLite and (when configured) PostgreSQL."""
    url, cleanup = fresh_db_url(request.param, tmp_path)
    st = open_store(url)
    try:
        yield st
    finally:
        st.close()
        cleanup()
