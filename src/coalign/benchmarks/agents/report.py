"""Report sections and summaries for ``coalign/agents`` logs.

Every rate comes from :mod:`coalign.stats` (Wilson 95% intervals; Newcombe interval for the
Trust-minus-Warning difference). UTR is pooled over tool calls, so its interval treats calls
as independent (calls within an episode are not); read it as descriptive.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from coalign.report import Figure, Paragraph, RawHtml, Section, Table, rate_table
from coalign.stats import Rate, RateDiff, cohen_kappa, rate, rates_by

GROUPS = ("dimension", "subcategory", "domain", "strategy", "authority")


@dataclass
class Episode:
    """One scored sample of the agents benchmark."""

    sample_id: str
    meta: dict[str, Any]
    unsafe: bool
    unsafe_calls: int
    calls: int
    judged: bool | None  # None: no judge or abstained
    judge_abstained: bool
    steps: list[dict[str, Any]]
    transcript: list[dict[str, Any]]
    first_unsafe_step: int | None


def episodes(logs: Iterable[Any]) -> list[Episode]:
    """Episodes from Inspect ``EvalLog`` objects (samples of other benchmarks are skipped)."""
    out: list[Episode] = []
    for log in logs:
        for s in log.samples or []:
            meta = s.metadata or {}
            if meta.get("benchmark") != "agents" or not s.scores:
                continue
            sc = next(iter(s.scores.values()))
            v = sc.value if isinstance(sc.value, dict) else {}
            smeta = sc.metadata or {}
            verdicts = smeta.get("verdicts", [])
            judged_v = verdicts[1] if len(verdicts) > 1 else None
            traj = meta.get("trajectory", {})
            out.append(
                Episode(
                    sample_id=str(s.id),
                    meta=meta,
                    unsafe=bool(v.get("unsafe")),
                    unsafe_calls=int(v.get("unsafe_calls", 0)),
                    calls=int(v.get("calls", 0)),
                    judged=None
                    if judged_v is None or judged_v["label"] == "abstain"
                    else judged_v["label"] == "unsafe",
                    judge_abstained=bool(judged_v and judged_v["label"] == "abstain"),
                    steps=smeta.get("steps", traj.get("steps", [])),
                    transcript=traj.get("transcript", []),
                    first_unsafe_step=smeta.get("first_unsafe_step"),
                )
            )
    return out


def _key(g: str) -> Any:
    def key(e: Episode) -> Any:
        return e.meta.get(g)

    return key


def _is_unsafe(e: Episode) -> bool | None:
    return e.unsafe


def utr_rate(eps: list[Episode]) -> Rate:
    """Pooled unsafe tool-call rate."""
    return Rate(k=sum(e.unsafe_calls for e in eps), n=sum(e.calls for e in eps))


def summary(eps: list[Episode]) -> dict[str, Any]:
    """ASR and UTR overall and per grouping field, Trust-Warning difference, layer agreement."""
    out: dict[str, Any] = {
        "n_episodes": len(eps),
        "asr": rate(e.unsafe for e in eps).to_dict(),
        "utr": utr_rate(eps).to_dict(),
    }
    for g in GROUPS:
        asr_g = rates_by(eps, _key(g), _is_unsafe)
        out[f"by_{g}"] = {
            str(k): {
                "asr": r.to_dict(),
                "utr": utr_rate([e for e in eps if e.meta.get(g) == k]).to_dict(),
            }
            for k, r in asr_g.items()
        }
    trust = [e for e in eps if e.meta.get("authority") == "trust"]
    warn = [e for e in eps if e.meta.get("authority") == "warning"]
    out["trust_minus_warning_asr"] = RateDiff(
        rate(e.unsafe for e in trust), rate(e.unsafe for e in warn)
    ).to_dict()
    out["trust_minus_warning_utr"] = RateDiff(utr_rate(trust), utr_rate(warn)).to_dict()
    judged = [e for e in eps if e.judged is not None]
    out["judged"] = {
        "asr": rate(e.judged for e in eps if e.judged is not None or e.judge_abstained).to_dict(),
        "abstentions": sum(e.judge_abstained for e in eps),
        "kappa_vs_deterministic": cohen_kappa(
            [e.unsafe for e in judged], [bool(e.judged) for e in judged]
        )
        if judged
        else None,
        "n_compared": len(judged),
    }
    return out


def _heatmap(eps: list[Episode]) -> Figure | None:
    try:
        import plotly.graph_objects as go
    except ImportError:  # pragma: no cover - plotly is a dependency
        return None
    dims = sorted({str(e.meta.get("dimension")) for e in eps})
    auths = ["trust", "warning"]
    z, text = [], []
    for d in dims:
        row, trow = [], []
        for a in auths:
            r = rate(
                e.unsafe
                for e in eps
                if e.meta.get("dimension") == d and e.meta.get("authority") == a
            )
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


def trajectory_html(e: Episode) -> str:
    """One episode step by step; the first unsafe step's row has class ``unsafe-step``."""
    steps = {s["step"]: s for s in e.steps}
    rows = []
    for entry in e.transcript:
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
        f"<p><b>{html.escape(e.sample_id)}</b> ({html.escape(str(e.meta.get('subcategory')))}, "
        f"{html.escape(str(e.meta.get('authority')))}): first unsafe step {e.first_unsafe_step}, "
        f"{e.unsafe_calls}/{e.calls} unsafe calls</p>"
    )
    return head + (
        "<table><thead><tr><th>turn</th><th>who</th><th>message / call</th><th>type / risk</th>"
        f"<th>result</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def report_sections(logs: Iterable[Any], n_examples: int = 3) -> list[Section]:
    """Sections for the HTML report: heatmap, rate tables, Trust-Warning, agreement, examples."""
    eps = episodes(logs)
    if not eps:
        return [
            Section(
                "Agent safety (coalign/agents)", [Paragraph("No agents samples in these logs.")]
            )
        ]
    s = summary(eps)
    overall = Paragraph(
        f"{len(eps)} episodes. ASR {rate(e.unsafe for e in eps).format()}; "
        f"UTR {utr_rate(eps).format()} (pooled over tool calls). An episode is unsafe when a "
        "high- or critical-risk tool was executed."
    )
    blocks: list[Any] = [overall]
    fig = _heatmap(eps)
    if fig is not None:
        blocks.append(fig)
    children = []
    for g in GROUPS:
        asr_g = rates_by(eps, _key(g), _is_unsafe)
        rows = [
            {g: k, "n": r.n, "ASR": r, "UTR": utr_rate([e for e in eps if e.meta.get(g) == k])}
            for k, r in asr_g.items()
        ]
        children.append(Section(f"ASR and UTR by {g}", [Table(rows)]))
    trust = [e for e in eps if e.meta.get("authority") == "trust"]
    warn = [e for e in eps if e.meta.get("authority") == "warning"]
    children.append(
        Section(
            "Trust minus Warning",
            [
                Table(
                    [
                        {
                            "measure": "ASR",
                            "trust": rate(e.unsafe for e in trust),
                            "warning": rate(e.unsafe for e in warn),
                            "difference": RateDiff(
                                rate(e.unsafe for e in trust), rate(e.unsafe for e in warn)
                            ),
                        },
                        {
                            "measure": "UTR",
                            "trust": utr_rate(trust),
                            "warning": utr_rate(warn),
                            "difference": RateDiff(utr_rate(trust), utr_rate(warn)),
                        },
                    ]
                )
            ],
        )
    )
    j = s["judged"]
    if j["n_compared"] or j["abstentions"]:
        k = j["kappa_vs_deterministic"]
        children.append(
            Section(
                "Judged layer and agreement",
                [
                    rate_table(
                        {
                            "judged ASR": rate(
                                e.judged for e in eps if e.judged is not None or e.judge_abstained
                            )
                        },
                        "layer",
                    ),
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
        (e for e in eps if e.unsafe), key=lambda e: (e.first_unsafe_step or 0, e.sample_id)
    )
    ex_blocks: list[Any] = [
        Paragraph("Failing episodes step by step; the risk-event tool calls are highlighted.")
    ]
    ex_blocks += [RawHtml(trajectory_html(e)) for e in failing[:n_examples]]
    if not failing:
        ex_blocks = [Paragraph("No failing episodes.")]
    children.append(Section("Failing trajectories", ex_blocks))
    return [Section("Agent safety (coalign/agents)", blocks, children)]
