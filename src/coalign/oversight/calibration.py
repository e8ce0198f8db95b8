"""Final human decisions of a review project as calibration data for the offline classifier.

``coalign judge calibrate`` reads them here and fits with :mod:`coalign.judges.calibration`;
the fitted heads are written as a versioned artifact that names the decisions behind it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from coalign.io import atomic_writer
from coalign.judges.calibration import Decision, calibrate
from coalign.judges.heads import HeadSet
from coalign.oversight.db import Store
from coalign.oversight.exports import final_decisions


def calibration_decisions(store: Store, project: str) -> tuple[list[Decision], dict[str, int]]:
    """One :class:`Decision` per final safe/unsafe decision on a single-turn response, and
    counts of what was left out (agent trajectories, empty responses)."""
    out: list[Decision] = []
    skipped: dict[str, int] = {}
    for item, final, _ in final_decisions(store, project):
        why = (
            "agentic trajectory"
            if item.is_agentic
            else "empty response"
            if not item.response.strip()
            else "label not safe/unsafe"
            if final.label not in ("safe", "unsafe")
            else None
        )
        if why:
            skipped[why] = skipped.get(why, 0) + 1
            continue
        hazardous = item.meta.get("hazardous")
        out.append(
            Decision(
                id=f"final-{final.id}",
                prompt=item.prompt,
                response=item.response,
                hazardous=hazardous if isinstance(hazardous, bool) else None,
                label=final.label,  # type: ignore[arg-type]
            )
        )
    return out, skipped


def calibrate_from_store(
    store: Store, project: str, out: Path, **options: Any
) -> tuple[HeadSet, dict[str, int]]:
    """Fit on ``project``'s decisions; write ``out/heads.npz`` and ``out/calibration.json``."""
    decisions, skipped = calibration_decisions(store, project)
    heads = calibrate(decisions, **options)
    heads.meta["calibration"]["project"] = project
    heads.meta["calibration"]["skipped"] = skipped
    heads.save(out / "heads.npz")
    with atomic_writer(out / "calibration.json") as fh:
        json.dump(heads.meta["calibration"], fh, indent=1)
    with atomic_writer(out / "reliability.html") as fh:
        fh.write(reliability_html(heads.meta["calibration"]))
    return heads, skipped


def reliability_html(cal: dict[str, Any]) -> str:
    """A reliability diagram (accuracy against stated confidence on the held-out decisions)
    of the shipped and the calibrated judge, as a self-contained HTML page."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=[0.5, 1], y=[0.5, 1], mode="lines", name="perfectly calibrated",
                   line={"dash": "dot", "color": "grey"})
    )  # fmt: skip
    for name, key in (("shipped classifier", "before"), ("calibrated", "after")):
        bins = cal[key]["reliability"]["bins"]
        fig.add_trace(
            go.Scatter(
                x=[b["confidence"] for b in bins],
                y=[b["accuracy"] for b in bins],
                mode="lines+markers",
                text=[f"n={b['n']}" for b in bins],
                name=f"{name} (ECE {cal[key]['reliability']['ece']:.3f})",
            )
        )
    fig.update_layout(
        title=f"{cal['version']}: reliability on {cal['after']['n']} held-out decisions",
        xaxis_title="stated confidence",
        yaxis_title="agreement with people",
        xaxis_range=[0.5, 1.0],
        yaxis_range=[0.0, 1.02],
    )
    return str(fig.to_html(include_plotlyjs=True, full_html=True))


def load_report(out: Path) -> dict[str, Any]:
    """The calibration record written next to the heads."""
    return json.loads((out / "calibration.json").read_text(encoding="utf-8"))
