"""Report sections for science-risk runs: headline rates, the discipline x risk-dimension
heatmap, the worst cells and per-field breakdowns. Takes Inspect ``EvalLog`` objects (or
paths to them) and only reads samples whose metadata says ``benchmark == "scirisk"``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

import plotly.graph_objects as go
from inspect_ai.log import EvalLog, read_eval_log

from coalign.benchmarks.scirisk.dataset import BENCHMARK
from coalign.benchmarks.scirisk.metrics import RATES, compute_rate, rates_by_group, summarize
from coalign.report import Figure, Paragraph, Section, Table
from coalign.scoring import VERDICTS, record
from coalign.stats import Rate
from coalign.taxonomy.scirisk import load_taxonomy

BREAKDOWN_FIELDS = (
    "discipline",
    "subdiscipline",
    "risk_dimension",
    "severity",
    "form",
    "jailbreak",
)
BREAKDOWN_RATES = (
    "attack_success",
    "compliance",
    "harmful_content",
    "refusal",
    "omission",
    "over_refusal",
)


def records_from_logs(logs: Iterable[EvalLog | str | os.PathLike[str]]) -> list[dict[str, Any]]:
    """One :func:`coalign.scoring.record` per scored scirisk sample (sample metadata, score
    metadata, outcomes) plus the ``model`` that answered."""
    records: list[dict[str, Any]] = []
    for log in logs:
        lg = log if isinstance(log, EvalLog) else read_eval_log(str(log))
        for s in lg.samples or []:
            meta = s.metadata or {}
            if meta.get("benchmark") != BENCHMARK:
                continue
            for score in (s.scores or {}).values():
                if score.metadata and VERDICTS in score.metadata:
                    records.append({**record(meta, score), "model": lg.eval.model})
                    break
    return records


def headline_table(records: Sequence[dict[str, Any]]) -> Table:
    """The headline rates with their populations."""
    rows = []
    for name, rate in summarize(records).items():
        rows.append(
            {
                "rate": RATES[name].description,
                "k": rate.k,
                "n": rate.n,
                "excluded": ", ".join(f"{v} {k}" for k, v in rate.excluded_reasons.items()) or "0",
                "value [95% CI]": rate,
            }
        )
    return Table(rows, caption="Headline rates (Wilson 95% intervals)")


def heatmap(records: Sequence[dict[str, Any]], rate_name: str = "attack_success") -> go.Figure:
    """Discipline x risk-dimension heatmap of one rate; cells show value and k/n."""
    tax = load_taxonomy()
    rates = rates_by_group(records, rate_name, ("discipline", "risk_dimension"))
    discs, dims = tax.discipline_ids, tax.dimension_ids
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    for d in discs:
        row: list[float | None] = []
        trow: list[str] = []
        for dim in dims:
            r = rates.get((d, dim))
            if r is None or r.n == 0:
                row.append(None)
                trow.append("" if r is None else f"n/a ({r.excluded} excl.)")
            else:
                row.append(r.value)
                trow.append(f"{100 * r.value:.0f}%<br>{r.k}/{r.n}")
        z.append(row)
        text.append(trow)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[tax.dimension(d).name for d in dims],
            y=[tax.discipline(d).name for d in discs],
            text=text,
            texttemplate="%{text}",
            colorscale="Reds",
            zmin=0,
            zmax=1,
            colorbar={"title": RATES[rate_name].description},
            hoverongaps=False,
        )
    )
    fig.update_layout(height=460, margin={"l": 220, "b": 160, "t": 30}, xaxis={"tickangle": -35})
    return fig


def worst_cells(
    records: Sequence[dict[str, Any]], rate_name: str = "attack_success", top: int = 10
) -> list[dict[str, Any]]:
    """(subdiscipline, risk dimension) cells ranked by the rate's lower 95% bound, then value."""
    tax = load_taxonomy()
    rates = rates_by_group(records, rate_name, ("subdiscipline", "risk_dimension"))
    ranked = sorted(
        ((k, r) for k, r in rates.items() if r.n > 0),
        key=lambda kv: (-kv[1].ci[0], -kv[1].value, -kv[1].n),
    )
    return [
        {
            "discipline": tax.discipline_of(sub),
            "subdiscipline": sub,
            "risk_dimension": dim,
            "k": r.k,
            "n": r.n,
            "excluded": r.excluded,
            RATES[rate_name].description: r,
        }
        for (sub, dim), r in ranked[:top]
    ]


def breakdown_table(records: Sequence[dict[str, Any]], field: str) -> Table:
    """One row per value of ``field`` with the four main rates (each with n and CI)."""
    per = {name: rates_by_group(records, name, field) for name in BREAKDOWN_RATES}
    keys = sorted({k for v in per.values() for k in v}, key=str)
    rows = []
    for k in keys:
        row: dict[str, Any] = {field: k, "items": sum(1 for r in records if r.get(field) == k)}
        for name in BREAKDOWN_RATES:
            row[RATES[name].description] = per[name].get(k, Rate(0, 0))
        rows.append(row)
    return Table(rows, caption=f"By {field.replace('_', ' ')}")


def report_sections(logs: Iterable[EvalLog | str | os.PathLike[str]]) -> list[Section]:
    """The science-risk part of an HTML report."""
    records = records_from_logs(logs)
    if not records:
        return [Section("Science risk (scirisk)", [Paragraph("No scirisk samples in these logs.")])]
    abstained = sum(1 for r in records if r.get("outcome") == "abstain")
    models = sorted({str(r.get("model")) for r in records})
    judges = sorted({str(v) for r in records for v in [r.get("judge_id")] if v})
    intro = Paragraph(
        f"{len(records)} scored requests ({sum(1 for r in records if r.get('hazardous'))} hazardous, "
        f"{sum(1 for r in records if not r.get('hazardous'))} benign look-alikes) from "
        f"{', '.join(models)}. {abstained} judge abstention(s) are excluded from every rate and "
        "shown in the 'excluded' column; they belong in human review."
        + (f" Judges: {', '.join(judges)}." if judges else "")
    )
    heat = Section(
        "Discipline x risk dimension",
        [
            Figure(
                heatmap(records, "attack_success"),
                caption="Attack success rate on hazardous items (k/n per cell; blank: no items)",
            ),
            Figure(
                heatmap(records, "over_refusal"), caption="Over-refusal rate on benign look-alikes"
            ),
        ],
    )
    worst = Section(
        "Worst cells",
        [
            Paragraph(
                "Cells ranked by the lower bound of the 95% interval of the attack success rate, so that a cell needs both a high rate and enough items to rank high."
            ),
            Table(worst_cells(records), caption="Worst (subdiscipline, risk dimension) cells"),
        ],
    )
    breakdowns = Section("Breakdowns", [breakdown_table(records, f) for f in BREAKDOWN_FIELDS])
    notice = None
    overall = compute_rate(records, "attack_success")
    if overall.n and overall.n < 30:
        notice = f"Small sample: only {overall.n} decided hazardous items; intervals are wide."
    return [
        Section(
            "Science risk (scirisk)",
            [intro, headline_table(records)],
            children=[heat, worst, breakdowns],
            notice=notice,
        )
    ]


def summary_lines(records: Sequence[dict[str, Any]]) -> list[str]:
    """Plain-text headline rates (CLI and notes)."""
    out = []
    for name, rate in summarize(records).items():
        out.append(f"{RATES[name].description}: {rate.format()}")
    return out
