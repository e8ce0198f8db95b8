"""Report sections for the oversight part (rendered by :mod:`coalign.report`)."""

from __future__ import annotations

import math
import os

import plotly.graph_objects as go

from coalign.oversight.agreement import AgreementStats, compute_agreement
from coalign.oversight.db import Store
from coalign.report import Figure, Paragraph, Section, Table, write_report


def _num(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def sections_from_stats(stats: AgreementStats) -> list[Section]:
    """Sections describing one project's human oversight and agreement statistics."""
    overview = Section(
        "Review status",
        [
            Paragraph(
                f"Project {stats.project!r}: {stats.n_items} items imported, "
                f"{sum(stats.rule_counts.values())} escalated to people, {stats.n_final} with a "
                f"final human decision from {stats.n_reviews} reviews"
                + (
                    f" (median {stats.median_time_s:.1f} s per review)."
                    if stats.median_time_s is not None
                    else "."
                )
            ),
            Table(
                [{"status": k, "items": v} for k, v in sorted(stats.status_counts.items())],
                caption="Items by status",
            ),
            Table(
                [{"rule": k, "items": v} for k, v in sorted(stats.rule_counts.items())],
                caption="Escalations by the first rule that fired",
            ),
            Table(
                [{"method": k, "items": v} for k, v in sorted(stats.final_methods.items())],
                caption="How final decisions were reached",
            ),
        ],
    )
    judge_sections = []
    for j in stats.judges:
        blocks: list = [
            Table(
                [
                    {
                        "measure": "accuracy vs final human decision (escalated items)",
                        "value": j.accuracy,
                    },
                    {"measure": "Cohen's kappa (abstentions excluded)", "value": _num(j.kappa)},
                    {
                        "measure": "accuracy on the random audit sample (unbiased)",
                        "value": j.audit_accuracy,
                    },
                ]
            ),
            Table(
                j.confusion, caption="Confusion matrix (rows: judge, columns: people)", index=True
            ),
        ]
        if j.calibration:
            blocks.append(
                Table(
                    [
                        {
                            "confidence bin": b["bin"],
                            "n": b["n"],
                            "mean confidence": b["mean_confidence"],
                            "accuracy": b["accuracy"],
                        }
                        for b in j.calibration
                    ],
                    caption="Calibration by confidence bin",
                )
            )
            fig = go.Figure()
            fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect", line={"dash": "dot"})
            xs = [b["mean_confidence"] for b in j.calibration]
            ys = [b["accuracy"].value for b in j.calibration]
            lo = [b["accuracy"].value - b["accuracy"].ci[0] for b in j.calibration]
            hi = [b["accuracy"].ci[1] - b["accuracy"].value for b in j.calibration]
            fig.add_scatter(
                x=xs,
                y=ys,
                mode="markers+lines",
                name=j.judge_id,
                error_y={"type": "data", "array": hi, "arrayminus": lo},
            )
            fig.update_layout(
                xaxis_title="mean confidence",
                yaxis_title="accuracy vs people",
                height=360,
                margin={"t": 30},
            )
            blocks.append(
                Figure(fig, caption=f"Calibration of {j.judge_id} (95% Wilson intervals)")
            )
        judge_sections.append(Section(f"Judge {j.judge_id}", blocks))
    judges = Section(
        "Judges against people",
        [
            Paragraph(
                "Escalated items are the hard ones by construction, so accuracy on them "
                "understates the judge; the audit sample is a random draw of confident, "
                "non-escalated cases and estimates accuracy where nobody would otherwise look."
            )
        ]
        if stats.judges
        else [Paragraph("No final human decisions yet.")],
        children=judge_sections,
    )
    reviewers = Section(
        "Agreement between reviewers",
        [
            Table(
                [
                    {"measure": "items with two or more reviews", "value": stats.reviewer_items},
                    {"measure": "Fleiss' kappa", "value": _num(stats.reviewer_fleiss)},
                    {
                        "measure": "Krippendorff's alpha (nominal)",
                        "value": _num(stats.reviewer_alpha),
                    },
                ]
            )
        ],
    )
    return [Section("Human oversight", [], children=[overview, judges, reviewers])]


def report_sections(store: Store, project: str) -> list[Section]:
    """Report sections for ``project`` (used by ``coalign review stats --report`` and the demo)."""
    return sections_from_stats(compute_agreement(store, project))


def write_stats_report(store: Store, project: str, path: str | os.PathLike[str]) -> str:
    """Write the agreement report of ``project`` as a self-contained HTML file."""
    return write_report(path, f"Human oversight: {project}", report_sections(store, project))
