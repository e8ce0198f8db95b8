"""Data import: wide/long, CSV/Excel, panels, and errors naming file, row and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coalign.governance.data import read_data
from coalign.governance.framework import parse_framework
from coalign.governance.pipeline import IndexPipeline
from coalign.io import InputError

FW = parse_framework(
    """
code: T
name: test
groups: [region]
denominators: [pop]
root:
  code: I
  name: index
  children:
    - code: P
      name: p
      children:
        - {code: a, name: a, direction: 1}
        - {code: b, name: b, direction: -1, denominator: pop}
    - {code: c, name: c, direction: 1}
"""
)

WIDE = """unit,name,year,region,pop,a,b,c
U1,One,2020,north,10,1,20,3
U2,Two,2020,south,20,2,NA,4
U1,One,2021,north,10,5,30,
U2,Two,2021,south,20,6,40,8
"""


def _write(tmp_path: Path, text: str, name: str = "d.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_wide_panel(tmp_path: Path) -> None:
    d = read_data(_write(tmp_path, WIDE), FW)
    assert d.years == [2020, 2021] and d.units == ["U1", "U2"]
    cs = d.cross_section()
    assert cs.year == 2021
    assert cs.values.loc["U1", "a"] == 5 and np.isnan(cs.values.loc["U1", "c"])
    assert cs.groups.loc["U2", "region"] == "south"
    assert cs.denominators.loc["U2", "pop"] == 20
    assert np.isnan(d.cross_section(2020).values.loc["U2", "b"])
    assert d.unit_names["U2"] == "Two"


def test_long_layout_equals_wide(tmp_path: Path) -> None:
    wide = read_data(_write(tmp_path, WIDE), FW)
    rows = ["unit,year,region,indicator,value"]
    df = pd.read_csv(tmp_path / "d.csv")
    for r in df.itertuples():
        for code in ("a", "b", "c", "pop"):
            v = getattr(r, code)
            rows.append(f"{r.unit},{r.year},{r.region},{code},{'' if pd.isna(v) else v}")
    long = read_data(_write(tmp_path, "\n".join(rows) + "\n", "l.csv"), FW)
    pd.testing.assert_frame_equal(long.values, wide.values)
    pd.testing.assert_frame_equal(long.denominators, wide.denominators)


def test_excel(tmp_path: Path) -> None:
    df = pd.read_csv(_write(tmp_path, WIDE))
    x = tmp_path / "d.xlsx"
    df.to_excel(x, index=False)
    d = read_data(x, FW)
    assert d.cross_section(2021).values.loc["U2", "c"] == 8


@pytest.mark.parametrize(
    ("text", "line", "field", "pattern"),
    [
        (WIDE.replace("c\n", "c,zz\n").replace(",3\n", ",3,1\n"), 1, "zz", "not an indicator code"),
        (WIDE.replace("U2,Two,2021", "U1,One,2021"), 5, "unit", "duplicate unit-year.*rows 4, 5"),
        (WIDE.replace(",6,40,", ",six,40,"), 5, "a", "non-numeric value 'six'"),
    ],
)
def test_errors_name_file_row_column(
    tmp_path: Path, text: str, line: int, field: str, pattern: str
) -> None:
    p = _write(tmp_path, text)
    with pytest.raises(InputError, match=pattern) as info:
        read_data(p, FW)
    err = info.value
    assert err.file == str(p)
    assert (err.line, err.field) == (line, field)


def test_long_unknown_code_names_row(tmp_path: Path) -> None:
    p = _write(tmp_path, "unit,indicator,value,region\nU1,a,1,n\nU1,q,2,n\n")
    with pytest.raises(InputError, match="unknown indicator code 'q'") as info:
        read_data(p, FW)
    assert (info.value.line, info.value.field) == (3, "indicator")


def test_missing_indicator_excluded_and_reported(tmp_path: Path) -> None:
    text = "unit,region,pop,a,b\nU1,n,1,1,2\nU2,s,1,3,4\nU3,s,2,5,1\n"
    p = _write(tmp_path, text)
    with pytest.raises(InputError, match="framework indicator 'c' has no data"):
        read_data(p, FW)
    d = read_data(p, FW, on_missing="exclude")
    assert d.excluded_indicators == [("c", "no column in the data")]
    res = IndexPipeline(FW).build(d)
    assert "c" not in res.scores.columns
    assert ((res.log["target"] == "c") & (res.log["kind"] == "exclusion")).any()
    assert res.index.notna().all()


def test_missing_tokens_and_synthetic_flag(tmp_path: Path) -> None:
    text = "data_status,unit,region,pop,a,b,c\nSYNTHETIC,U1,n,1,n/a,..,1\nSYNTHETIC,U2,n,1,2,3,\n"
    d = read_data(_write(tmp_path, text, "x.csv"), FW)
    assert d.synthetic and not d.has_years
    assert int(d.values.isna().sum().sum()) == 3


def test_asem_real_data(asem) -> None:  # type: ignore[no-untyped-def]
    fw, d = asem
    cs = d.cross_section()
    assert cs.values.shape == (51, 49)
    assert cs.year == 2018
    assert set(cs.groups.columns) == {"GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"}
    assert list(cs.denominators.columns) == ["Area", "Energy", "GDP", "Population"]
    assert cs.unit_names["AUT"] == "Austria"
    assert int(cs.values.isna().sum().sum()) > 0
