"""Seeded generator of SYNTHETIC example data for an index framework.

The values are invented: each unit gets a latent "development" and "governance" level, and
every indicator is drawn from the latent level of its pillar plus noise, on a scale that fits
its unit (counts, shares, 0/1 scores, ...). Nothing here measures any real country. Every
output carries ``data_status = SYNTHETIC`` and the shipped file has SYNTHETIC in its name.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from coalign.governance.framework import Framework, load_framework
from coalign.io import atomic_writer

SYNTHETIC = "SYNTHETIC"
EXAMPLE_FILE = "agile2024_example_SYNTHETIC.csv"
EXAMPLE_SEED = 2024
EXAMPLE_YEARS = (2023, 2024)
# Coarse income groups of the 14 AGILE 2024 countries, used as imputation groups only.
_INCOME = {
    "CHN": "upper_middle",
    "USA": "high",
    "GBR": "high",
    "FRA": "high",
    "DEU": "high",
    "JPN": "high",
    "CAN": "high",
    "ITA": "high",
    "BRA": "upper_middle",
    "RUS": "upper_middle",
    "IND": "lower_middle",
    "ZAF": "upper_middle",
    "SGP": "high",
    "ARE": "high",
}


def _pillar_of(fw: Framework, code: str) -> str:
    node = fw.nodes[code]
    while node.parent is not None and node.parent != fw.root:
        node = fw.nodes[node.parent]
    return node.code


def _draw(unit: str, z: np.ndarray, eps: np.ndarray) -> np.ndarray:
    u = unit.lower()
    if u == "count":
        return np.round(np.exp(4.0 + 1.2 * z + 0.35 * eps))
    if u in ("usd billion", "pflop/s"):
        return np.round(np.exp(1.0 + 1.4 * z + 0.4 * eps), 2)
    if u.startswith("percent"):
        return np.round(100.0 / (1.0 + np.exp(-(0.5 + 0.9 * z + 0.3 * eps))), 1)
    if u == "score 0-1":
        return (z + 0.6 * eps > -0.4).astype(float)
    if u == "per 100 people":
        return np.round(np.clip(30.0 + 9.0 * z + 3.0 * eps, 0.5, None), 1)
    return np.round(50.0 + 15.0 * z + 5.0 * eps, 1)


def generate(
    framework: Framework,
    units: Sequence[tuple[str, str]] | None = None,
    *,
    years: Sequence[int] = EXAMPLE_YEARS,
    seed: int = EXAMPLE_SEED,
    missing_rate: float = 0.04,
    groups: dict[str, str] | None = None,
) -> pd.DataFrame:
    """A wide SYNTHETIC data frame for ``framework``: one row per unit and year.

    ``units`` defaults to the framework's own units. Columns: data_status, unit, name, year,
    income_group, aux_gdp_per_capita (synthetic too), then one column per indicator.
    """
    rng = np.random.default_rng(seed)
    units = list(units) if units is not None else [(u.code, u.name) for u in framework.units]
    if not units:
        raise ValueError("no units: the framework lists none, pass units=[(code, name), ...]")
    n = len(units)
    dev = rng.normal(size=n)
    gov = 0.65 * dev + 0.75 * rng.normal(size=n)
    gdp = np.round(np.exp(9.6 + 0.8 * dev + 0.3 * rng.normal(size=n)), -1)
    latent = {}
    for p in framework.pillars:
        role = framework.nodes[p].role
        base = dev if role == "development" else gov
        latent[p] = base + 0.35 * rng.normal(size=n)
    groups = groups if groups is not None else _INCOME
    rows = []
    for t, year in enumerate(years):
        drift = 0.08 * t
        cols: dict[str, np.ndarray] = {}
        for code in framework.indicators:
            node = framework.nodes[code]
            z = latent[_pillar_of(framework, code)] + drift + 0.15 * t * rng.normal(size=n)
            z = z if (node.direction or 1) > 0 else -z
            cols[code] = _draw(node.unit or "score", z, rng.normal(size=n))
        values = pd.DataFrame(cols)
        mask = rng.random(values.shape) < missing_rate
        values = values.mask(mask)
        for i, (code, name) in enumerate(units):
            rows.append(
                {
                    "data_status": SYNTHETIC,
                    "unit": code,
                    "name": name,
                    "year": int(year),
                    "income_group": groups.get(code, "unknown"),
                    "aux_gdp_per_capita": float(gdp[i] * (1.02**t)),
                    **values.iloc[i].to_dict(),
                }
            )
    return pd.DataFrame(rows)


def synthetic_units(n: int) -> list[tuple[str, str]]:
    """Invented unit codes and names (S001 "Synthetic country 001", ...)."""
    return [(f"S{i:03d}", f"Synthetic country {i:03d}") for i in range(1, n + 1)]


def example_path() -> Path:
    """The shipped example file."""
    return Path(__file__).with_name("examples") / EXAMPLE_FILE


def write_example(path: str | os.PathLike[str] | None = None) -> Path:
    """(Re)generate the shipped SYNTHETIC example for the 14 AGILE 2024 countries."""
    out = Path(path) if path is not None else example_path()
    df = generate(load_framework("agile-2024"))
    with atomic_writer(out) as fh:
        df.to_csv(fh, index=False, lineterminator="\n")
    return out


if __name__ == "__main__":
    print(write_example())
