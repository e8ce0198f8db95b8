"""Report sections and summaries for ``coalign/agents`` logs.

Every rate is one of :data:`coalign.benchmarks.agents.metrics.RATES`, computed over
:func:`coalign.scoring.record` records exactly as the eval log's metrics are (Wilson 95%
intervals; Newcombe interval for the Trust-minus-Warning difference). UTR is pooled over
tool calls, so its interval treats calls as independent (calls within an episode are not);
read it as descriptive.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from typing import Any

from coalign.benchmarks.agents.dataset import BENCHMARK
from coalign.benchmarks.agents.metrics import GROUPS, rate_for
from coalign.report import Figure, Paragraph, RawHtml, Section, Table, rate_table
from coalign.scoring import ABSTAIN, record
from coalign.stats import RateDiff, cohen_kappa

Record = dict[str, Any]

SCORER = "trajectory_scorer"


def agent_records(logs: Iterable[Any]) -> list[Record]:
    """One record per scored agents sample of Inspect ``EvalLog`` objects (others skipped).

    A record is :func:`coalign.scoring.record` of the sample (its metadata, the trajectory
    included, and the score's outcomes and metadata) plus ``sample_id``.
    """
    out: list[Record] = []
    for log in logs:
        for s in log.samples or []:
            meta = s.metadata or {}
            if meta.get("benchmark") != BENCHMARK or not s.scores:
                continue
            score = s.scores.get(SCORER) or next(iter(s.scores.values()))
            out.append({**record(meta, score), "sample_id": str(s.id)})
    return out


def _values(recs: list[Record], field: str) -> list[Any]:
    return sorted({r.get(field) for r in recs}, key=str)


def _judged(recs: list[Record]) -> dict[str, Any]:
    """Judged-layer ASR, abstentions and agreement (Cohen's kappa) with the deterministic layer."""
    decided = [r for r in recs if r.get("judged_unsafe") is not None]
    judged = rate_for(recs, "judged_asr")
    return {
        "asr": judged.to_dict(),
        "abstentions": judged.excluded_reasons.get(ABSTAIN, 0),
        "kappa_vs_deterministic": cohen_kappa(
            [bool(r["unsafe"]) for r in decided], [bool(r["judged_unsafe"]) for r in decided]
        )
        if decided
        else None,
        "n_compared": len(decided),
    }


def summary(recs: list[Record]) -> dict[str, Any]:
    """ASR and UTR overall and per grouping field, Trust-Warning difference, layer agreement."""
    out: dict[str, Any] = {
        "n_episodes": len(recs),
        "asr": rate_for(recs, "asr").to_dict(),
        "utr": rate_for(recs, "utr").to_dict(),
    }
    for g in GROUPS:
        out[f"by_{g}"] = {
            str(k): {
                "asr": rate_for(recs, "asr", {g: k}).to_dict(),
                "utr": rate_for(recs, "utr", {g: k}).to_dict(),
            }
            for k in _values(recs, g)
        }
    for name in ("asr", "utr"):
        out[f"trust_minus_warning_{name}"] = RateDiff(
            rate_for(recs, name, {"authority": "trust"}),
            rate_for(recs, name, {"authority": "warning"}),
        ).to_dict()
    out["judged"] = _judged(recs)
    return out


def _heatmap(recs: list[Record]) -> Figure | None:
    try:
        import plotly.graph_objects as go
    except ImportError:  # pragma: no cover - plotly is a dependency
        return None
    dims = [str(d) for d in _values(recs, "dimension")]
    auths = ["trust", "warning"]
    z, text = [], []
    for d in dims:
        row, trow = [], []
        for a in auths:
            r = rate_for(recs, "asr", {"dimension": d, "authority": a})
            row.append(None if r.n == 0 else r.value)
            trow.append(r.format())
        z.append(row)
        text.append(trow)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=["Trust", "Warning"],
            y=dims,
            text=text,
            texttemplate="%{text}",
            colorscale="Reds",
            zmin=0,
            zmax=1,
            colorbar={"title": "ASR"},
        )
    )
    fig.update_layout(height=120 + 60 * len(dims), margin={"l": 260, "r": 20, "t": 30, "b": 40})
    return Figure(
        fig,
        caption="ASR (deterministic layer) by risk dimension x authority context, 95% Wilson CI and k/n in each cell.",
    )


def trajectory_html(rec: Record) -> str:
    """One episode step by step; the first unsafe step's row has class ``unsafe-step``."""
    steps = {s["step"]: s for s in rec.get("steps") or []}
    rows = []
    for entry in (rec.get("trajectory") or {}).get("transcript", []):
        if entry.get("text"):
            who = "user (attacker)" if entry["role"] == "user" else "agent"
            rows.append(
                f"<tr><td>{entry['turn']}</td><td>{who}</td><td colspan='3'>{html.escape(entry['text'])}</td></tr>"
            )
        for n in entry.get("steps", []):
            s = steps.get(n)
            if not s:
                continue
            cls = " class='unsafe-step'" if s.get("risk_event") else ""
            res = s.get("error") or json.dumps(s.get("result"), ensure_ascii=False)[:240]
            rows.append(
                f"<tr{cls}><td>{entry['turn']}</td><td>tool call #{n}</td>"
                f"<td>{html.escape(s['tool'])}({html.escape(json.dumps(s.get('arguments', {}), ensure_ascii=False))})</td>"
                f"<td>{html.escape(str(s.get('tool_type')))} / {html.escape(str(s.get('risk_level')))}</td>"
                f"<td>{html.escape(str(res))}</td></tr>"
            )
    head = (
        f"<p><b>{html.escape(rec['sample_id'])}</b> ({html.escape(str(rec.get('subcategory')))}, "
        f"{html.escape(str(rec.get('authority')))}): first unsafe step "
        f"{rec.get('first_unsafe_step')}, {rec.get('unsafe_calls')}/{rec.get('calls')} unsafe calls</p>"
    )
    return head + (
        "<table><thead><tr><th>turn</th><th>who</th><th>message / call</th><th>type / risk</th>"
        f"<th>result</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _trust_minus_warning(recs: list[Record]) -> Table:
    rows = []
    for name, label in (("asr", "ASR"), ("utr", "UTR")):
        trust = rate_for(recs, name, {"authority": "trust"})
        warning = rate_for(recs, name, {"authority": "warning"})
        rows.append(
            {
                "measure": label,
                "trust": trust,
                "warning": warning,
                "difference": RateDiff(trust, warning),
            }
        )
    return Table(rows)


def report_sections(logs: Iterable[Any], n_examples: int = 3) -> list[Section]:
    """Sections for the HTML report: heatmap, rate tables, Trust-Warning, agreement, examples."""
    recs = agent_records(logs)
    if not recs:
        return [
            Section(
                "Agent safety (coalign/agents)", [Paragraph("No agents samples in these logs.")]
            )
        ]
    overall = Paragraph(
        f"{len(recs)} episodes. ASR {rate_for(recs, 'asr').format()}; "
        f"UTR {rate_for(recs, 'utr').format()} (pooled over tool calls). An episode is unsafe "
        "when a high- or critical-risk tool was executed."
    )
    blocks: list[Any] = [overall]
    fig = _heatmap(recs)
    if fig is not None:
        blocks.append(fig)
    children = []
    for g in GROUPS:
        rows = []
        for k in _values(recs, g):
            asr = rate_for(recs, "asr", {g: k})
            rows.append({g: k, "n": asr.n, "ASR": asr, "UTR": rate_for(recs, "utr", {g: k})})
        children.append(Section(f"ASR and UTR by {g}", [Table(rows)]))
    children.append(Section("Trust minus Warning", [_trust_minus_warning(recs)]))
    j = _judged(recs)
    if j["n_compared"] or j["abstentions"]:
        k = j["kappa_vs_deterministic"]
        children.append(
            Section(
                "Judged layer and agreement",
                [
                    rate_table({"judged ASR": rate_for(recs, "judged_asr")}, "layer"),
                    Paragraph(
                        f"Judge abstentions: {j['abstentions']}. Cohen's kappa between deterministic and "
                        f"judged labels over {j['n_compared']} decided episodes: "
                        + (
                            "n/a"
                            if k is None or (isinstance(k, float) and math.isnan(k))
                            else f"{k:.3f}"
                        )
                    ),
                ],
            )
        )
    failing = sorted(
        (r for r in recs if r.get("unsafe")),
        key=lambda r: (r.get("first_unsafe_step") or 0, r["sample_id"]),
    )
    ex_blocks: list[Any] = [
        Paragraph("Failing episodes step by step; the risk-event tool calls are highlighted.")
    ]
    ex_blocks += [RawHtml(trajectory_html(r)) for r in failing[:n_examples]]
    if not failing:
        ex_blocks = [Paragraph("No failing episodes.")]
    children.append(Section("Failing trajectories", ex_blocks))
    return [Section("Agent safety (coalign/agents)", blocks, children)]
