"""One self-contained HTML renderer; every part of coalign contributes :class:`Section` objects.

Figures are plotly figures embedded with plotly.js inlined once per report, so the file opens
offline in any browser. Tables come from pandas DataFrames or lists of dicts.

Neither pandas nor plotly is imported here: a DataFrame is read through its own methods and a
figure renders itself, so the benchmarks' reports (and every task that imports them) do not
pay for pandas, and pandas stays an optional dependency of the parts that compute with it.
"""

from __future__ import annotations

import datetime as _dt
import html
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coalign.io import atomic_writer
from coalign.stats import Rate, RateDiff

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Paragraph:
    """Plain text, escaped; blank lines separate paragraphs."""

    text: str


@dataclass
class Table:
    """A table from a DataFrame (index dropped unless ``index=True``)."""

    data: pd.DataFrame | Sequence[Mapping[str, Any]]
    caption: str = ""
    index: bool = False


@dataclass
class Figure:
    """A plotly figure (``plotly.graph_objects.Figure``)."""

    figure: Any
    caption: str = ""


@dataclass
class RawHtml:
    """Trusted HTML produced by coalign itself (never user or model text)."""

    html: str


Block = Paragraph | Table | Figure | RawHtml


@dataclass
class Section:
    """A titled part of a report; sections nest through ``children``."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    notice: str | None = None


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1200px;
color:#1d2330;line-height:1.45;padding:0 1rem}
h1{font-size:1.7rem;margin-bottom:.2rem} h2{border-bottom:2px solid #dde3ea;padding-bottom:.2rem;margin-top:2.2rem}
h3{margin-top:1.6rem} .meta{color:#5b6577;font-size:.9rem}
table{border-collapse:collapse;margin:.6rem 0 1.2rem;font-size:.88rem}
th,td{border:1px solid #d5dbe3;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#f1f4f8} tr:nth-child(even) td{background:#fafbfc}
caption{caption-side:top;text-align:left;font-weight:600;padding:.3rem 0}
.notice{background:#fff4d6;border:1px solid #e7c35a;padding:.6rem .9rem;border-radius:4px;font-weight:600}
nav ul{columns:2;font-size:.9rem} pre{white-space:pre-wrap;background:#f6f8fa;padding:.5rem}
.unsafe-step{background:#ffe1e1!important} figcaption{font-size:.85rem;color:#5b6577}
"""


def _fmt_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Rate | RateDiff):
        return html.escape(value.format())
    if isinstance(value, float):
        return "" if value != value else f"{value:.4g}"
    return html.escape(str(value))


def _columns_and_rows(table: Table) -> tuple[list[Any], list[Sequence[Any]]]:
    """Header and rows of a table given as a DataFrame or as a list of dicts."""
    data: Any = table.data
    if hasattr(data, "itertuples"):  # a pandas DataFrame
        df = data.reset_index() if table.index else data
        return list(df.columns), list(df.itertuples(index=False, name=None))
    records = list(data)
    # Columns in order of first appearance, as pandas builds a frame from records; a key a row
    # lacks is an empty cell.
    columns = list(dict.fromkeys(key for row in records for key in row))
    return columns, [[row.get(c) for c in columns] for row in records]


def _table_html(table: Table) -> str:
    columns, rows = _columns_and_rows(table)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_fmt_cell(v)}</td>" for v in row) + "</tr>" for row in rows
    )
    cap = f"<caption>{html.escape(table.caption)}</caption>" if table.caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class _FigureRenderer:
    """Inlines plotly.js with the first figure only, so the report stays self-contained."""

    def __init__(self) -> None:
        self.js_included = False

    def __call__(self, fig: Figure) -> str:
        body = fig.figure.to_html(
            full_html=False, include_plotlyjs=not self.js_included, config={"displaylogo": False}
        )
        self.js_included = True
        cap = f"<figcaption>{html.escape(fig.caption)}</figcaption>" if fig.caption else ""
        return f"<figure>{body}{cap}</figure>"


def _slug(title: str, used: set[str]) -> str:
    base = "".join(ch.lower() if ch.isalnum() else "-" for ch in title).strip("-") or "section"
    slug, i = base, 2
    while slug in used:
        slug, i = f"{base}-{i}", i + 1
    used.add(slug)
    return slug


def render_html(
    title: str, sections: Sequence[Section], *, notice: str | None = None, subtitle: str = ""
) -> str:
    """Render the sections into one HTML document (string)."""
    figs = _FigureRenderer()
    used: set[str] = set()
    toc: list[str] = []
    parts: list[str] = []

    def emit(section: Section, level: int) -> None:
        sid = _slug(section.title, used)
        if level == 2:
            toc.append(f'<li><a href="#{sid}">{html.escape(section.title)}</a></li>')
        parts.append(f'<h{level} id="{sid}">{html.escape(section.title)}</h{level}>')
        if section.notice:
            parts.append(f'<p class="notice">{html.escape(section.notice)}</p>')
        for block in section.blocks:
            if isinstance(block, Paragraph):
                parts.extend(f"<p>{html.escape(p)}</p>" for p in block.text.split("\n\n"))
            elif isinstance(block, Table):
                parts.append(_table_html(block))
            elif isinstance(block, Figure):
                parts.append(figs(block))
            else:
                parts.append(block.html)
        for child in section.children:
            emit(child, min(level + 1, 4))

    for s in sections:
        emit(s, 2)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    top = f'<p class="notice">{html.escape(notice)}</p>' if notice else ""
    sub = f"<div class='meta'>{html.escape(subtitle)}</div>" if subtitle else ""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"{top}<h1>{html.escape(title)}</h1>{sub}<div class='meta'>generated {stamp} by coalign</div>"
        f"<nav><ul>{''.join(toc)}</ul></nav>{''.join(parts)}</body></html>"
    )


def write_report(
    path: str | os.PathLike[str],
    title: str,
    sections: Sequence[Section],
    *,
    notice: str | None = None,
    subtitle: str = "",
) -> str:
    """Render and atomically write the report; returns the path written."""
    text = render_html(title, sections, notice=notice, subtitle=subtitle)
    with atomic_writer(path) as fh:
        fh.write(text)
    return str(path)


def rate_table(rates: Mapping[Any, Rate], group_name: str, rate_name: str = "rate") -> Table:
    """A standard table of grouped rates: group, k, n, excluded, rate with 95% CI."""
    rows = [
        {group_name: g, "k": r.k, "n": r.n, "excluded": r.excluded, rate_name: r}
        for g, r in rates.items()
    ]
    return Table(rows)
