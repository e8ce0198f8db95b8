"""What ``import coalign._registry`` (every ``inspect eval``) may load, and the lazy package APIs."""

import importlib
import subprocess
import sys
import types

import pytest

# Optional or slow-to-import packages that only the functions needing them may import.
HEAVY = (
    "torch",
    "transformers",
    "sentence_transformers",
    "scipy",
    "pandas",
    "sklearn",
    "plotly",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "llama_cpp",
    "datasets",
    "peft",
    "trl",
    "SALib",
)

PACKAGES = ("correction", "governance", "intrinsic", "judges", "oversight", "report")


def test_registry_imports_no_heavy_package():
    code = (
        f"import sys, coalign._registry; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"import coalign._registry loads {out}"


@pytest.mark.parametrize("package", PACKAGES)
def test_package_api_resolves(package):
    module = importlib.import_module(f"coalign.{package}")
    assert module.__all__
    for name in module.__all__:
        value = getattr(module, name)
        # A re-exported name that is also a submodule's name would be shadowed on import.
        assert not isinstance(value, types.ModuleType), f"coalign.{package}.{name}"


def test_unknown_name_is_an_attribute_error():
    import coalign.oversight

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        coalign.oversight.nope  # noqa: B018
    # Submodules still import through the package.
    from coalign.oversight import escalation

    assert escalation.__name__ == "coalign.oversight.escalation"
