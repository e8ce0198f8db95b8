"""The ASEM connectivity data set (COINr's example, MIT) read from wherever a user keeps it.

The files are not part of coalign. They are found through, in order: an explicit directory,
the ``COALIGN_ASEM_DIR`` environment variable, ``<repository>/../shared/data/asem`` and
``./shared/data/asem`` / ``../shared/data/asem`` relative to the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from coalign.governance.data import IndexData, read_data
from coalign.governance.framework import Framework, framework_from_coinr_meta
from coalign.io import InputError

ENV_VAR = "COALIGN_ASEM_DIR"
FILES = ("ASEM_iData.csv", "ASEM_iMeta.csv")


def asem_candidates() -> list[Path]:
    """The places looked at, in order."""
    out: list[Path] = []
    env = os.environ.get(ENV_VAR)
    if env:
        out.append(Path(env))
    repo = Path(__file__).resolve().parents[3]
    out.append(repo.parent / "shared" / "data" / "asem")
    cwd = Path.cwd()
    out.extend([cwd / "shared" / "data" / "asem", cwd.parent / "shared" / "data" / "asem"])
    return out


def find_asem_dir(directory: str | os.PathLike[str] | None = None) -> Path | None:
    """The first directory holding the ASEM files, or None."""
    places = [Path(directory)] if directory is not None else asem_candidates()
    for d in places:
        if all((d / f).is_file() for f in FILES):
            return d
    return None


def load_asem(directory: str | os.PathLike[str] | None = None) -> tuple[Framework, IndexData]:
    """The ASEM framework (from ASEM_iMeta.csv) and data (ASEM_iData.csv)."""
    d = find_asem_dir(directory)
    if d is None:
        looked = [str(directory)] if directory is not None else [str(p) for p in asem_candidates()]
        raise InputError(
            f"ASEM data not found (need {', '.join(FILES)}); looked in: {'; '.join(looked)}. "
            f"Set {ENV_VAR} to the folder that holds them."
        )
    fw = framework_from_coinr_meta(d / "ASEM_iMeta.csv", code="ASEM")
    data = read_data(d / "ASEM_iData.csv", fw)
    return fw, data
