"""Report sections and the plain-data summary of the values benchmark."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from coalign.benchmarks.values.disparity import (
    GROUP_FIELDS,
    Disparity,
    Record,
    all_disparities,
    first_position_rate,
    overall,
    records_from_logs,
)
from coalign.benchmarks.values.metrics import MARGIN_THRESHOLDS, margin_scores
from coalign.report import Figure, Paragraph, Section, Table, rate_table
from coalign.stats import Rate

FIELD_TITLES = {
    "region": "Region",
    "country": "Country",
    "age": "Age",
    "gender": "Gender",
    "education": "Education",
    "employment_status": "Employment status",
    "english_proficiency": "English proficiency",
    "marital_status": "Marital status",
    "deciding_dimension": "Deciding value dimension",
}


def rate_bar(rates: dict[str, Rate], title: str, *, horizontal: bool = False) -> Any:
    """Plotly bar chart of rates with their 95% intervals as error bars."""
    import plotly.graph_objects as go

    names = [g for g, r in rates.items() if r.n]
    vals = [100 * rates[g].value for g in names]
    lo = [100 * (rates[g].value - rates[g].ci[0]) for g in names]
    hi = [100 * (rates[g].ci[1] - rates[g].value) for g in names]
    text = [f"n={rates[g].n}" for g in names]
    err = {"type": "data", "symmetric": False, "array": hi, "arrayminus": lo}
    bar = (
        go.Bar(y=names, x=vals, orientation="h", error_x=err, text=text)
        if horizontal
        else go.Bar(x=names, y=vals, error_y=err, text=text)
    )
    fig = go.Figure(bar)
    fig.add_shape(
        type="line",
        **(
            {"x0": 50, "x1": 50, "y0": -0.5, "y1": len(names) - 0.5}
            if horizontal
            else {"y0": 50, "y1": 50, "x0": -0.5, "x1": len(names) - 0.5}
        ),
        line={"dash": "dot", "color": "grey"},
    )
    axis = {"title": "PAA % (95% CI)", "range": [0, 100]}
    fig.update_layout(
        title=title,
        height=max(350, 18 * len(names) + 120) if horizontal else 380,
        margin={"l": 60, "r": 20, "t": 50, "b": 80},
        **({"xaxis": axis} if horizontal else {"yaxis": axis}),
    )
    return fig


def _field_section(d: Disparity) -> Section:
    title = FIELD_TITLES.get(d.field, d.field)
    rates = dict(sorted(d.rates.items(), key=lambda kv: -kv[1].value if kv[1].n else 1))
    blocks: list[Any] = [
        Figure(
            rate_bar(rates, f"PAA by {title.lower()}", horizontal=d.field == "country"),
            caption="Dotted line: 50% (chance for two responses).",
        ),
        rate_table(rates, d.field, "PAA"),
    ]
    return Section(title=f"By {title.lower()}", blocks=blocks)


def _mode_section(mode: str, records: Sequence[Record], models: list[str]) -> Section:
    total = overall(records)
    dis = all_disparities(records)
    blocks: list[Any] = [
        Paragraph(
            f"Model: {', '.join(models) or 'unknown'}. Mode: {mode}. "
            f"PAA {total.format()} over {len(records)} items; abstentions are excluded from the "
            "denominator and listed by reason: "
            + (", ".join(f"{k}: {v}" for k, v in total.excluded_reasons.items()) or "none")
            + ". Chance is 50% (two responses); each response pair is preferred both ways "
            "across personas, so a persona-blind or length-only strategy scores 50%."
        )
    ]
    if mode == "choice":
        blocks.append(
            Paragraph(
                "Position bias: the model picked the first response in "
                f"{first_position_rate(records).format()} of its decided choices (50% = none; "
                "the preferred response is first in half of the items)."
            )
        )
    if mode == "likelihood":
        margins = [r.margin for r in records if r.margin is not None]
        ms = margin_scores(margins)
        rows = [
            {"threshold": t, "share with margin > t": ms["per_threshold"][t]}
            for t in MARGIN_THRESHOLDS
        ]
        blocks.append(
            Table(
                rows,
                caption=(
                    "Thresholded per-token log-likelihood margin (MVPBench): "
                    f"average over thresholds = {100 * ms['raa']:.1f}%"
                ),
            )
        )
    blocks.append(
        Table(
            [d.summary() for d in dis],
            caption="Disparity: best and worst group among groups with enough decided items, "
            "gap with 95% CI, and permutation-test p-value (between-group variance of PAA).",
        )
    )
    children = [_field_section(d) for d in dis if d.field in GROUP_FIELDS]
    return Section(title=f"Values: {mode} mode", blocks=blocks, children=children)


def report_sections(logs: Iterable[Any]) -> list[Section]:
    """Sections for the HTML report from Inspect ``EvalLog``s of ``coalign/values``."""
    logs = list(logs)
    records = records_from_logs(logs)
    if not records:
        return []
    models: dict[str, set[str]] = {}
    for log in logs:
        mode = str((getattr(log.eval, "task_args", None) or {}).get("mode", ""))
        models.setdefault(mode, set()).add(str(log.eval.model))
    sections = []
    for mode in sorted({r.mode for r in records}):
        recs = [r for r in records if r.mode == mode]
        sections.append(
            _mode_section(
                mode,
                recs,
                sorted(models.get(mode, set()) or {m for s in models.values() for m in s}),
            )
        )
    return sections


def summary(logs: Iterable[Any]) -> dict[str, Any]:
    """Plain-data summary: overall PAA per mode and the disparity rows."""
    records = records_from_logs(logs)
    out: dict[str, Any] = {}
    for mode in sorted({r.mode for r in records}):
        recs = [r for r in records if r.mode == mode]
        dis = all_disparities(recs)
        out[mode] = {
            "paa": overall(recs).to_dict(),
            "disparities": {
                d.field: {
                    "best": d.best,
                    "worst": d.worst,
                    "worst_paa": d.rates[d.worst].to_dict() if d.worst else None,
                    "gap": d.gap.to_dict() if d.gap else None,
                    "p_value": d.p_value,
                    "groups": {g: r.to_dict() for g, r in d.rates.items()},
                }
                for d in dis
            },
        }
        if mode == "choice":
            out[mode]["first_position"] = first_position_rate(recs).to_dict()
        if mode == "likelihood":
            ms = margin_scores([r.margin for r in recs if r.margin is not None])
            out[mode]["thresholded_margin"] = {
                "per_threshold": {str(t): r.to_dict() for t, r in ms["per_threshold"].items()},
                "average": ms["raa"],
            }
    return out
