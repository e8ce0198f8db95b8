"""The demo's HTML report: before/after per metric, then each part's own sections."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspect_ai.log import EvalLog

from coalign.report import Paragraph, Section, Table, write_report
from coalign.stats import Rate, RateDiff

if TYPE_CHECKING:
    from coalign.cycle.demo import DemoConfig

AUTOMATED_NOTICE = (
    "No person reviewed this run: an automated reviewer stood in for the human decisions "
    "(it decides from the benchmark's ground truth and a refusal detector). Run "
    "`coalign demo --review` to make the decisions yourself in the reviewer web app."
)

# (benchmark, metric key, label, whether lower is better)
SCIRISK_METRICS = [
    ("attack_success", "science risk: harmful compliance on hazardous requests", True),
    ("refusal", "science risk: refusal of hazardous requests", False),
    ("over_refusal", "science risk: over-refusal of benign look-alikes", True),
    ("omission", "science risk: safety precautions omitted", True),
    ("pass", "science risk: expected behaviour met", False),
]


def _benchmark(log: EvalLog) -> str:
    return str((log.eval.metadata or {}).get("benchmark") or log.eval.task.split("/")[-1])


def _values_split(log: EvalLog) -> str:
    return str((log.eval.task_args or {}).get("split", "all"))


def headline_rates(logs: list[EvalLog]) -> dict[str, tuple[str, Rate, bool]]:
    """Headline rates of a set of logs: key -> (label, rate, lower_is_better)."""
    from coalign.benchmarks.scirisk.metrics import summarize
    from coalign.benchmarks.scirisk.report import records_from_logs
    from coalign.benchmarks.values.disparity import overall
    from coalign.benchmarks.values.disparity import records_from_logs as values_records

    out: dict[str, tuple[str, Rate, bool]] = {}
    sci = [lg for lg in logs if _benchmark(lg) == "scirisk"]
    if sci:
        rates = summarize(records_from_logs(sci))
        for key, label, lower in SCIRISK_METRICS:
            if key in rates:
                out[f"scirisk.{key}"] = (label, rates[key], lower)
    for lg in logs:
        if _benchmark(lg) != "values":
            continue
        split = _values_split(lg)
        where = {
            "test_id": "in domain (held-out people)",
            "test_ood": "out of domain (held-out countries)",
        }.get(split, split)
        recs = values_records([lg])
        mode = recs[0].mode if recs else "?"
        out[f"values.{split}"] = (f"values: PAA ({mode}), {where}", overall(recs), False)
    return out


def comparison_rows(before: list[EvalLog], after: list[EvalLog]) -> list[dict[str, Any]]:
    """One row per headline metric: before, after and the change with its 95% interval."""
    b = headline_rates(before)
    a = headline_rates(after) if after else {}
    rows = []
    for key, (label, rb, lower) in b.items():
        row: dict[str, Any] = {"metric": label, "before": rb}
        if key in a:
            ra = a[key][1]
            diff = RateDiff(ra, rb)
            row["after"] = ra
            row["change"] = diff
            lo, hi = diff.ci
            if diff.a.n and diff.b.n:
                improved = (hi < 0) if lower else (lo > 0)
                worse = (lo > 0) if lower else (hi < 0)
                row["verdict"] = (
                    "better" if improved else "worse" if worse else "no significant change"
                )
        rows.append(row)
    return rows


def _summary_section(
    cfg: DemoConfig,
    rows: list[dict[str, Any]],
    split: dict[str, Any],
    values_info: dict[str, Any],
    oversight_info: dict[str, Any],
    training: dict[str, Any],
    seconds: dict[str, float],
) -> Section:
    blocks: list[Any] = [
        Paragraph(
            "One turn of the co-alignment cycle on the embedded SmolLM2-135M-Instruct model: "
            "evaluate, judge, escalate doubtful cases, decide, build preference pairs, LoRA-DPO, "
            "re-evaluate the same held-out items. 'before' and 'after' are the same transformers "
            "copy of the model without and with the trained adapter. Every rate shows k/n and a "
            "Wilson 95% interval; changes show a Newcombe 95% interval."
        )
    ]
    blocks.append(Table(rows, caption="Before and after correction (held-out items only)"))
    facts: list[dict[str, Any]] = [
        {"what": "science-risk items held out for evaluation", "value": split.get("n_heldout")},
        {
            "what": "science-risk prompts whose answers went to oversight",
            "value": split.get("n_train"),
        },
        {"what": "items escalated to review", "value": oversight_info.get("escalated")},
        {
            "what": "decisions by the automated reviewer",
            "value": str(oversight_info.get("automated", {}).get("decisions", "people")),
        },
        {"what": "preference pairs from oversight", "value": oversight_info.get("n_pairs")},
        {
            "what": "helpfulness pairs (benign answers people kept, preferred over a refusal)",
            "value": oversight_info.get("n_helpfulness_pairs"),
        },
        {
            "what": "preference pairs from values training items",
            "value": values_info.get("n_pairs"),
        },
        {
            "what": "values countries held out (out of domain)",
            "value": ", ".join(values_info.get("heldout_countries", [])),
        },
        {"what": "training wall time (s)", "value": training.get("wall_time")},
        {"what": "judge", "value": cfg.judge},
    ]
    blocks.append(
        Table(
            [f for f in facts if f["value"] not in (None, "")],
            caption="What this run did",
        )
    )
    blocks.append(
        Table(
            [{"stage": k, "seconds": v} for k, v in seconds.items()], caption="Wall time per stage"
        )
    )
    if training.get("metrics"):
        blocks.append(
            Table(
                [
                    {"metric": k, "value": v}
                    for k, v in training["metrics"].items()
                    if not isinstance(v, dict | list)
                ],
                caption="Training",
            )
        )
    return Section("Co-alignment cycle: summary", blocks)


def write_demo_report(
    path: Path,
    *,
    cfg: DemoConfig,
    before: list[EvalLog],
    after: list[EvalLog],
    agents: list[EvalLog],
    split: dict[str, Any],
    values_info: dict[str, Any],
    oversight_info: dict[str, Any],
    training: dict[str, Any],
    seconds: dict[str, float],
    rows: list[dict[str, Any]],
) -> str:
    """Assemble the summary and every part's sections into one HTML file."""
    from coalign.benchmarks.scirisk.report import report_sections as scirisk_sections
    from coalign.benchmarks.values.report import report_sections as values_sections

    sections = [_summary_section(cfg, rows, split, values_info, oversight_info, training, seconds)]
    for label, logs in (("before correction", before), ("after correction", after)):
        if not logs:
            continue
        sci = [lg for lg in logs if _benchmark(lg) == "scirisk"]
        val = [lg for lg in logs if _benchmark(lg) == "values"]
        sections.append(Section(f"Science risk, {label}", children=scirisk_sections(sci)))
        sections.append(Section(f"Values, {label}", children=values_sections(val)))
    if agents:
        from coalign.benchmarks.agents.report import report_sections as agents_sections

        sections.append(Section("Agents (embedded GGUF model)", children=agents_sections(agents)))
    if oversight_info.get("db"):
        from coalign.oversight.db import open_store
        from coalign.oversight.report import report_sections as oversight_sections

        with open_store(oversight_info["db"]) as store:
            sections.append(Section("Oversight", children=oversight_sections(store, "demo")))
    notice = None if cfg.review else AUTOMATED_NOTICE
    return write_report(
        path,
        "coalign demo: co-alignment cycle report",
        sections,
        notice=notice,
        subtitle="model: SmolLM2-135M-Instruct (embedded)",
    )
