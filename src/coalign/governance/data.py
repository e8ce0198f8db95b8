"""Data import: CSV or Excel, wide or long, one year or many, validated against a framework.

Every problem is reported with the file, the row (as the spreadsheet shows it: the header is
row 1) and the column: unknown indicator codes, framework indicators with no data, duplicate
unit-year rows and non-numeric values. Empty cells and the usual missing-value tokens (``NA``,
``N/A``, ``NaN``, ``null``, ``..``) are missing values; anything else that is not a number is
an error, never a silent NaN.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from coalign.governance.framework import Framework
from coalign.io import InputError

MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "..", "#n/a"})
_UNIT_COLS = ("ucode", "unit", "unit_code", "iso3", "country_code", "code")
_NAME_COLS = ("uname", "unit_name", "name", "country")
_YEAR_COLS = ("year", "time")
_IND_COLS = ("indicator", "icode", "indicator_code")
_VALUE_COLS = ("value",)
STATUS_COL = "data_status"
NO_YEAR = 0  # the year label of data without a year column


@dataclass
class IndexData:
    """Indicator values for units over years, plus groups and denominators.

    ``values``, ``groups`` and ``denominators`` share one index: (unit, year).
    """

    values: pd.DataFrame
    groups: pd.DataFrame
    denominators: pd.DataFrame
    unit_names: dict[str, str]
    source: str = "<memory>"
    synthetic: bool = False
    has_years: bool = True
    excluded_indicators: list[tuple[str, str]] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        """The years present, ascending."""
        return sorted({int(y) for y in self.values.index.get_level_values("year")})

    @property
    def units(self) -> list[str]:
        """Unit codes in file order."""
        return list(dict.fromkeys(self.values.index.get_level_values("unit")))

    def cross_section(self, year: int | None = None) -> CrossSection:
        """One year's data indexed by unit (default: the latest year)."""
        years = self.years
        y = years[-1] if year is None else int(year)
        if y not in years:
            raise InputError(
                f"year {y} is not in the data (years: {', '.join(map(str, years))})",
                file=self.source,
            )

        def pick(df: pd.DataFrame) -> pd.DataFrame:
            return df.xs(y, level="year") if len(df.columns) else df.xs(y, level="year").copy()

        return CrossSection(
            values=pick(self.values).astype(float),
            groups=pick(self.groups),
            denominators=pick(self.denominators).astype(float),
            unit_names=self.unit_names,
            year=y if self.has_years else None,
            source=self.source,
            synthetic=self.synthetic,
            excluded_indicators=list(self.excluded_indicators),
        )


@dataclass
class CrossSection:
    """One year of data: units are the rows."""

    values: pd.DataFrame
    groups: pd.DataFrame
    denominators: pd.DataFrame
    unit_names: dict[str, str]
    year: int | None = None
    source: str = "<memory>"
    synthetic: bool = False
    excluded_indicators: list[tuple[str, str]] = field(default_factory=list)

    def fingerprint(self) -> str:
        """A content hash, so a pipeline knows when its input changed."""
        h = pd.util.hash_pandas_object(self.values, index=True).sum()
        g = (
            pd.util.hash_pandas_object(self.groups.astype(str), index=True).sum()
            if len(self.groups.columns)
            else 0
        )
        d = (
            pd.util.hash_pandas_object(self.denominators, index=True).sum()
            if len(self.denominators.columns)
            else 0
        )
        return f"{int(h) & 0xFFFFFFFF:x}-{int(g) & 0xFFFFFFFF:x}-{int(d) & 0xFFFFFFFF:x}"

    def with_values(self, values: pd.DataFrame) -> CrossSection:
        """A copy with new values (same units)."""
        return replace(self, values=values)


def from_frame(
    values: pd.DataFrame,
    *,
    groups: pd.DataFrame | None = None,
    denominators: pd.DataFrame | None = None,
    unit_names: dict[str, str] | None = None,
    year: int | None = None,
    synthetic: bool = False,
    source: str = "<memory>",
) -> CrossSection:
    """Wrap an in-memory frame (rows = units, columns = indicator codes) as a cross-section."""
    vals = values.astype(float)
    idx = vals.index
    return CrossSection(
        values=vals,
        groups=groups if groups is not None else pd.DataFrame(index=idx),
        denominators=denominators if denominators is not None else pd.DataFrame(index=idx),
        unit_names=unit_names or {str(u): str(u) for u in idx},
        year=year,
        source=source,
        synthetic=synthetic,
    )


def _read_table(path: Path, sheet: str | int | None) -> pd.DataFrame:
    if not path.exists():
        raise InputError("file not found", file=path)
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm", ".xls"}:
            df = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, dtype=str)
        elif suffix in {".csv", ".txt", ".tsv"}:
            sep = "\t" if suffix == ".tsv" else ","
            df = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep)
        else:
            raise InputError(
                f"unsupported file type {suffix!r} (use .csv, .tsv or .xlsx)", file=path
            )
    except (ValueError, pd.errors.ParserError) as e:
        if isinstance(e, InputError):
            raise
        raise InputError(f"could not read the table: {e}", file=path) from None
    df = df.fillna("")
    df.columns = [str(c).strip() for c in df.columns]
    dupes = [c for c in df.columns if list(df.columns).count(c) > 1]
    if dupes:
        raise InputError(f"duplicate column {dupes[0]!r}", file=path, line=1, field=dupes[0])
    return df


def _find(cols: Sequence[str], names: Sequence[str], explicit: str | None) -> str | None:
    if explicit is not None:
        return explicit if explicit in cols else None
    low = {c.lower(): c for c in cols}
    for n in names:
        if n in low:
            return low[n]
    return None


def _parse_numeric(series: pd.Series, *, file: Path, col: str) -> pd.Series:
    """Numbers or missing tokens; anything else is an error naming the row and column."""
    text = series.astype(str).str.strip()
    missing = text.str.lower().isin(MISSING_TOKENS)
    nums = pd.to_numeric(text.where(~missing, None), errors="coerce")
    bad = nums.isna() & ~missing
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"non-numeric value {series.iloc[i]!r} (row {i + 2})", file=file, line=i + 2, field=col
        )
    inf = ~np.isfinite(nums.fillna(0).to_numpy(dtype=float))
    if inf.any():
        i = int(np.flatnonzero(inf)[0])
        raise InputError(
            f"infinite value {series.iloc[i]!r} (row {i + 2})", file=file, line=i + 2, field=col
        )
    return nums.astype(float)


def read_data(
    path: str | os.PathLike[str],
    framework: Framework,
    *,
    layout: Literal["auto", "wide", "long"] = "auto",
    sheet: str | int | None = None,
    unit_col: str | None = None,
    year_col: str | None = None,
    name_col: str | None = None,
    group_cols: Sequence[str] = (),
    on_missing: Literal["error", "exclude"] = "error",
) -> IndexData:
    """Read indicator data for a framework from CSV/TSV/Excel, wide or long, one or many years.

    Wide: one row per unit (and year), one column per indicator code, plus id, name, year,
    group and denominator columns. Long: columns unit, (year), indicator, value.
    Columns ending in ``_group`` and columns starting with ``aux_`` are unit attributes (kept
    with the groups). A framework indicator with no data is an error (``on_missing="exclude"``
    records it as an exclusion instead). A column named ``data_status`` holding ``SYNTHETIC`` marks synthetic data.
    """
    p = Path(path)
    df = _read_table(p, sheet)
    cols = list(df.columns)
    ucol = _find(cols, _UNIT_COLS, unit_col)
    if ucol is None:
        want = unit_col or " / ".join(_UNIT_COLS)
        raise InputError(f"no unit code column (looked for {want})", file=p, line=1)
    ycol = _find(cols, _YEAR_COLS, year_col)
    if year_col is not None and ycol is None:
        raise InputError(f"year column {year_col!r} not found", file=p, line=1)
    ncol = _find(cols, _NAME_COLS, name_col)
    icol = _find(cols, _IND_COLS, None)
    vcol = _find(cols, _VALUE_COLS, None)
    if layout == "auto":
        layout = "long" if icol is not None and vcol is not None else "wide"
    if layout == "long" and (icol is None or vcol is None):
        raise InputError("long layout needs 'indicator' and 'value' columns", file=p, line=1)

    units = df[ucol].astype(str).str.strip()
    empty = units == ""
    if empty.any():
        i = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError("empty unit code", file=p, line=i + 2, field=ucol)
    if ycol is not None:
        years_num = _parse_numeric(df[ycol], file=p, col=ycol)
        if years_num.isna().any():
            i = int(np.flatnonzero(years_num.isna().to_numpy())[0])
            raise InputError("missing year", file=p, line=i + 2, field=ycol)
        years = years_num.astype(int)
    else:
        years = pd.Series(NO_YEAR, index=df.index)
    synthetic = "SYNTHETIC" in p.name.upper()
    if STATUS_COL in cols:
        synthetic = (
            synthetic or df[STATUS_COL].astype(str).str.upper().str.contains("SYNTHETIC").any()
        )

    # Columns named like COINr's groups (``*_group``) and auxiliary attributes (``aux_*``, e.g.
    # aux_gdp_per_capita) are unit attributes, not indicators.
    conventional = [c for c in cols if c.lower().endswith("_group") or c.lower().startswith("aux_")]
    declared_groups = list(dict.fromkeys([*framework.groups, *group_cols, *conventional]))
    indicators = framework.indicators
    denoms = framework.denominators
    id_cols = {c for c in (ucol, ycol, ncol, STATUS_COL) if c is not None}

    if layout == "wide":
        for g in declared_groups:
            if g not in cols:
                raise InputError(f"group column {g!r} not found", file=p, line=1, field=g)
        extra = [c for c in cols if c not in id_cols and c not in declared_groups]
        unknown = [c for c in extra if c not in indicators and c not in denoms]
        if unknown:
            raise InputError(
                f"column {unknown[0]!r} is not an indicator code of framework {framework.code} "
                "(nor a declared group or denominator)",
                file=p,
                line=1,
                field=unknown[0],
            )
        key = pd.DataFrame({"unit": units, "year": years})
        dup = key.duplicated(keep=False)
        if dup.any():
            rows = [int(i) + 2 for i in np.flatnonzero(dup.to_numpy())]
            first = key.iloc[rows[0] - 2]
            raise InputError(
                f"duplicate unit-year: unit {first['unit']!r} year {first['year']} appears in rows "
                f"{', '.join(map(str, rows[:5]))}",
                file=p,
                line=rows[1],
                field=ucol,
            )
        index = pd.MultiIndex.from_arrays([units, years], names=["unit", "year"])
        values = pd.DataFrame(index=index)
        for c in indicators:
            if c in cols:
                values[c] = _parse_numeric(df[c], file=p, col=c).to_numpy()
        denom_frame = pd.DataFrame(index=index)
        for c in denoms:
            if c in cols:
                denom_frame[c] = _parse_numeric(df[c], file=p, col=c).to_numpy()
        group_frame = pd.DataFrame(
            {g: df[g].astype(str).str.strip().to_numpy() for g in declared_groups}, index=index
        )
    else:
        assert icol is not None and vcol is not None
        codes = df[icol].astype(str).str.strip()
        known = set(indicators) | set(denoms)
        bad = ~codes.isin(known)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"unknown indicator code {codes.iloc[i]!r} (not in framework {framework.code})",
                file=p,
                line=i + 2,
                field=icol,
            )
        nums = _parse_numeric(df[vcol], file=p, col=vcol)
        key = pd.DataFrame({"unit": units, "year": years, "code": codes})
        dup = key.duplicated(keep=False)
        if dup.any():
            rows = [int(i) + 2 for i in np.flatnonzero(dup.to_numpy())]
            first = key.iloc[rows[0] - 2]
            raise InputError(
                f"duplicate unit-year-indicator: {first['unit']!r} {first['year']} "
                f"{first['code']!r} appears in rows {', '.join(map(str, rows[:5]))}",
                file=p,
                line=rows[1],
                field=icol,
            )
        long = key.assign(value=nums.to_numpy())
        wide = long.pivot(index=["unit", "year"], columns="code", values="value")
        order = list(dict.fromkeys(zip(units, years, strict=True)))
        wide = wide.reindex(pd.MultiIndex.from_tuples(order, names=["unit", "year"]))
        index = wide.index
        values = wide[[c for c in indicators if c in wide.columns]].copy()
        denom_frame = wide[[c for c in denoms if c in wide.columns]].copy()
        for g in declared_groups:
            if g not in cols:
                raise InputError(f"group column {g!r} not found", file=p, line=1, field=g)
        gdf = pd.DataFrame({"unit": units, "year": years})
        for g in declared_groups:
            gdf[g] = df[g].astype(str).str.strip()
        group_frame = (
            gdf.drop_duplicates(["unit", "year"]).set_index(["unit", "year"]).reindex(index)
        )
        cols = [*cols, *codes.unique()]
    values.columns.name = None
    denom_frame.columns.name = None

    excluded: list[tuple[str, str]] = []
    absent = [c for c in indicators if c not in values.columns]
    if absent and on_missing == "error":
        raise InputError(
            f"framework indicator {absent[0]!r} has no data "
            f"({len(absent)} missing in all: {', '.join(absent[:8])}"
            f"{' ...' if len(absent) > 8 else ''}); pass on_missing='exclude' to drop them",
            file=p,
            line=1,
            field=absent[0],
        )
    for c in absent:
        excluded.append((c, "no column in the data"))
        values[c] = np.nan
    for c in denoms:
        if c not in denom_frame.columns and any(
            framework.nodes[i].denominator == c for i in indicators
        ):
            raise InputError(
                f"denominator {c!r} is used by the framework but has no data",
                file=p,
                line=1,
                field=c,
            )
    names: dict[str, str] = {}
    if ncol is not None:
        for u, n in zip(units, df[ncol].astype(str), strict=True):
            names.setdefault(u, n.strip() or u)
    spec_names = {u.code: u.name for u in framework.units}
    for u in units:
        names.setdefault(u, spec_names.get(u, u))
    return IndexData(
        values=values[indicators].astype(float),
        groups=group_frame,
        denominators=denom_frame.astype(float),
        unit_names=names,
        source=str(p),
        synthetic=bool(synthetic),
        has_years=ycol is not None,
        excluded_indicators=excluded,
    )
