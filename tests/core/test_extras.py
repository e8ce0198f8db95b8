"""The optional-dependency helper, and that every extra the code names exists."""

import re
import tomllib
from pathlib import Path

import pytest

from coalign._extras import EXTRAS, MissingExtraError, install_hint, require

ROOT = Path(__file__).resolve().parents[2]


def test_extras_match_pyproject():
    defined = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    assert set(EXTRAS) == defined - {"dev"}


def test_every_named_extra_exists():
    named = set()
    texts = [ROOT / "README.md", *(ROOT / "src").rglob("*.py"), *(ROOT / "docs").rglob("*.md")]
    for path in texts:
        named |= {(path.name, m) for m in re.findall(r"coalign\[([a-z,]+)\]", path.read_text())}
    unknown = {
        (f, e) for f, extras in named for e in extras.split(",") if e not in EXTRAS + ("dev",)
    }
    assert not unknown


def test_require_returns_the_module():
    assert require("json", "local").dumps([]) == "[]"


def test_require_names_the_extra():
    with pytest.raises(MissingExtraError, match=r"pip install 'coalign\[train\]'") as err:
        require("coalign_no_such_module", "train", "LoRA-DPO training")
    assert "LoRA-DPO training needs 'coalign_no_such_module'" in str(err.value)
    assert isinstance(err.value, ImportError)


def test_unknown_extra_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown extra"):
        install_hint("gpu")
