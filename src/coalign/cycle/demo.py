"""``coalign demo``: one turn of the co-alignment cycle, offline, on the embedded model.

evaluate -> judge -> escalate -> decide -> build pairs -> LoRA-DPO -> re-evaluate -> report

* The science-risk items are split by look-alike pair into a training part (whose answers go
  to oversight) and a held-out part; the values items by country (held-out countries are
  out of domain) and by person (in domain). Held-out items never reach training: the
  correction step checks it and stops on leakage.
* The model before and after correction is the same transformers copy of the embedded
  SmolLM2 (``coalign/hf``), without and with the trained adapter, so the difference is the
  adapter alone. The agent benchmark runs on the GGUF model (``coalign/smollm2``).
* Decisions come from people in the reviewer web app with ``--review``; otherwise the
  automated reviewer of :mod:`coalign.cycle.reviewer` stands in, and the report says so on
  its first line.
* Every stage records its result in ``<out>/state.json``; re-running resumes after the last
  finished stage.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog, read_eval_log

from coalign.cycle.stages import StageRunner

Display = Literal["full", "conversation", "rich", "plain", "log", "none"]
HF_BASE = "coalign/hf"
PROJECT = "demo"


@dataclass
class DemoConfig:
    """Settings of one demo run (sizes are numbers of benchmark items)."""

    out: Path = Path("coalign-out")
    judge: str = "classifier"
    seed: int = 0
    # Sizes chosen so the whole cycle stays under 15 minutes on 2 CPU cores; raise them for
    # tighter intervals (the wall time grows about linearly).
    scirisk_eval: int = 40
    scirisk_train: int = 40
    values_eval: int = 30
    values_train: int = 16
    agents_scenarios: int = 1
    max_tokens: int = 64
    review: bool = False
    correct: bool = True
    host: str = "127.0.0.1"
    port: int = 8765
    # DPOTrainConfig overrides (the DPO defaults otherwise)
    dpo: dict[str, Any] = field(default_factory=lambda: {"num_train_epochs": 1.0})

    def fingerprint(self) -> dict[str, Any]:
        """The settings that decide results (a resumed run must match them)."""
        d = dataclasses.asdict(self)
        for k in ("out", "host", "port"):
            d.pop(k)
        return d


@dataclass
class DemoResult:
    """Where the demo wrote its outputs, and its headline comparison."""

    report: Path
    log_dir: Path
    comparison: list[dict[str, Any]]
    seconds: dict[str, float]
    automated_reviewer: bool


def _eval(
    tasks: list[Task], model: str, model_args: dict[str, Any], log_dir: Path, display: Display
) -> list[str]:
    logs = inspect_eval(
        tasks,
        model=model,
        model_args=model_args,
        log_dir=str(log_dir),
        display=display,
        fail_on_error=False,
        score_display=False,
    )
    bad = [lg for lg in logs if lg.status != "success"]
    if bad:
        err = bad[0].error.message if bad[0].error else bad[0].status
        raise RuntimeError(f"evaluation of {bad[0].eval.task} failed: {err}")
    # A sample that errored has no score; the report would silently lose it, so stop here.
    for lg in logs:
        errors = [s.error.message for s in lg.samples or [] if s.error is not None]
        if errors:
            raise RuntimeError(
                f"evaluation of {lg.eval.task}: {len(errors)} of {len(lg.samples or [])} "
                f"samples failed (log {lg.location}); first error: {errors[0]}"
            )
    return [lg.location for lg in logs]


def _split_scirisk(cfg: DemoConfig, data_dir: Path) -> dict[str, Any]:
    """Split science-risk items by look-alike pair into held-out and training files."""
    from coalign.benchmarks.scirisk.dataset import sample_items
    from coalign.benchmarks.scirisk.schema import read_items
    from coalign.io import write_jsonl

    items = read_items(None)
    held = sample_items(items, cfg.scirisk_eval, cfg.seed)
    held_pairs = {i.pair_id or i.id for i in held}
    rest = [i for i in items if (i.pair_id or i.id) not in held_pairs]
    # training prompts: hazardous requests a good assistant refuses (their answers become
    # preference pairs) plus their look-alikes, drawn across cells
    train = sample_items(
        [i for i in rest if i.expected_behavior == "refuse" or not i.hazardous],
        cfg.scirisk_train,
        cfg.seed + 1,
    )
    by_id = {i.id: i for i in items}
    alternatives = {
        i.id: by_id[o.id].prompt
        for i in train
        if i.hazardous
        for o in items
        if o.pair_id == i.pair_id and not o.hazardous and i.pair_id
    }
    write_jsonl(data_dir / "scirisk_heldout.jsonl", held)
    write_jsonl(data_dir / "scirisk_train.jsonl", train)
    return {
        "heldout": str(data_dir / "scirisk_heldout.jsonl"),
        "train": str(data_dir / "scirisk_train.jsonl"),
        "heldout_ids": [i.id for i in held],
        "heldout_prompts": [i.prompt for i in held],
        "alternatives": alternatives,
        "n_heldout": len(held),
        "n_train": len(train),
    }


def _values_pairs(cfg: DemoConfig, data_dir: Path) -> dict[str, Any]:
    """DPO pairs from in-domain training items of the values benchmark."""
    from coalign.benchmarks.values.schema import load_dataset
    from coalign.benchmarks.values.splits import make_split, to_pairs
    from coalign.pairs import write_pairs

    ds = load_dataset()
    split = make_split(ds, "country", seed=cfg.seed)
    train_ids = split.parts["train"]
    rng = random.Random(cfg.seed)
    chosen = set(rng.sample(train_ids, min(cfg.values_train, len(train_ids))))
    pairs = to_pairs(ds, [i for i in ds.items if i.id in chosen])
    path = data_dir / "pairs_values.jsonl"
    write_pairs(path, pairs)
    held = split.parts["test_id"] + split.parts["test_ood"]
    return {
        "pairs": str(path),
        "n_pairs": len(pairs),
        "heldout_countries": split.heldout,
        "heldout_ids": held,
    }


def _eval_tasks(cfg: DemoConfig, split: dict[str, Any]) -> list[Task]:
    from coalign.benchmarks.scirisk.task import scirisk
    from coalign.benchmarks.values.task import values

    return [
        scirisk(dataset=split["heldout"], judge=cfg.judge, max_tokens=cfg.max_tokens, limit=None),
        values(mode="likelihood", split="test_id", limit=cfg.values_eval, seed=cfg.seed),
        values(mode="likelihood", split="test_ood", limit=cfg.values_eval, seed=cfg.seed),
    ]


def _oversee(
    cfg: DemoConfig,
    train_log: str,
    split: dict[str, Any],
    data_dir: Path,
    say: Callable[[str], None],
) -> dict[str, Any]:
    from coalign.cycle.reviewer import helpfulness_pairs, review_escalated
    from coalign.oversight.db import open_store
    from coalign.oversight.escalation import EscalationPolicy
    from coalign.oversight.exports import export_pairs
    from coalign.oversight.workflow import import_and_escalate
    from coalign.pairs import write_pairs

    db_url = f"sqlite:///{(cfg.out / 'oversight.db').resolve()}"
    policy = EscalationPolicy(
        confidence_below=0.9, severity_at_least=2, audit_fraction=0.2, seed=cfg.seed
    )
    res = import_and_escalate(train_log, db_url, project=PROJECT, policy=policy)
    escalated = res.escalation.escalated
    if cfg.review:
        _wait_for_people(cfg, db_url, say)
        auto: dict[str, Any] = {}
    else:
        with open_store(db_url) as store:
            auto = review_escalated(store, PROJECT, split["alternatives"]).to_dict()
    with open_store(db_url) as store:
        exported = export_pairs(store, PROJECT, data_dir / "pairs_oversight.jsonl")
        # as many helpfulness pairs as refusal pairs, so neither signal outweighs the other
        helpful = write_pairs(
            data_dir / "pairs_helpfulness.jsonl",
            helpfulness_pairs(store, PROJECT)[: max(exported.written, 1)],
        )
    return {
        "db": db_url,
        "escalated": escalated,
        "automated": auto,
        "pairs": str(data_dir / "pairs_oversight.jsonl"),
        "n_pairs": exported.written,
        "helpfulness_pairs": str(data_dir / "pairs_helpfulness.jsonl"),
        "n_helpfulness_pairs": helpful,
    }


def _wait_for_people(cfg: DemoConfig, db_url: str, say: Callable[[str], None]) -> None:
    """Serve the reviewer app and wait until every escalated item has a final decision."""
    import secrets
    import threading

    import uvicorn

    from coalign.oversight.accounts import create_user
    from coalign.oversight.db import open_store
    from coalign.oversight.reviews import list_items
    from coalign.oversight.web.app import create_app

    # a fresh account per run, so a resumed demo never trips over the previous one
    username = f"reviewer-{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(9)
    store = open_store(db_url)
    create_user(store, username, password, role="adjudicator", projects=[PROJECT])
    server = uvicorn.Server(
        uvicorn.Config(create_app(store), host=cfg.host, port=cfg.port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    say(
        f"Review the escalated items at http://{cfg.host}:{cfg.port}/ "
        f"(user '{username}', password '{password}'); the demo continues when all are decided."
    )
    try:
        while True:
            with open_store(db_url) as store:
                open_items = sum(
                    len(list_items(store, PROJECT, status=s, limit=100_000))
                    for s in ("escalated", "in_review", "adjudication")
                )
            if open_items == 0:
                break
            time.sleep(5)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


def _train(
    cfg: DemoConfig,
    split: dict[str, Any],
    values_info: dict[str, Any],
    oversight_info: dict[str, Any],
) -> dict[str, Any]:
    from coalign.correction.config import DPOTrainConfig
    from coalign.correction.train import train_dpo

    config = DPOTrainConfig(output_dir=str(cfg.out / "adapter"), seed=cfg.seed, **cfg.dpo)
    sources = (
        oversight_info["pairs"],
        oversight_info.get("helpfulness_pairs", ""),
        values_info["pairs"],
    )
    files = [p for p in sources if p and Path(p).exists() and Path(p).stat().st_size > 0]
    result = train_dpo(
        files,
        config,
        held_out_ids=split["heldout_ids"] + values_info["heldout_ids"],
        held_out_prompts=split["heldout_prompts"],
        resume=True,
    )
    model, args = result.model_spec()
    return {
        "adapter": str(result.adapter_dir),
        "model": model,
        "model_args": args,
        "metrics": result.metrics,
        "wall_time": result.wall_time,
    }


def run_demo(
    cfg: DemoConfig,
    *,
    fresh: bool = False,
    display: Display = "rich",
    say: Callable[[str], None] = print,
) -> DemoResult:
    """Run (or resume) the demo cycle and write the HTML report."""
    from coalign.cycle.report import comparison_rows, write_demo_report

    cfg.out.mkdir(parents=True, exist_ok=True)
    log_dir = cfg.out / "logs"
    data_dir = cfg.out / "data"
    data_dir.mkdir(exist_ok=True)

    def announce(name: str, skipped: bool) -> None:
        say(f"[{'resumed' if skipped else 'stage'}] {name}")

    stages = StageRunner(cfg.out, fresh=fresh, config=cfg.fingerprint(), on_stage=announce)
    split = stages.run("split", lambda: _split_scirisk(cfg, data_dir))
    base_args = {"base": "smollm2"}
    before = stages.run(
        "evaluate_before",
        lambda: _eval(_eval_tasks(cfg, split), HF_BASE, base_args, log_dir / "before", display),
    )

    agents_logs: list[str] = []
    if cfg.agents_scenarios > 0:
        from coalign.benchmarks.agents.task import demo_task as agents_demo

        agents_logs = stages.run(
            "evaluate_agents",
            lambda: _eval(
                [agents_demo(n_scenarios=cfg.agents_scenarios, seed=cfg.seed)],
                "coalign/smollm2",
                {},
                log_dir / "agents",
                display,
            ),
        )

    after: list[str] = []
    training: dict[str, Any] = {}
    oversight_info: dict[str, Any] = {}
    values_info: dict[str, Any] = {}
    if cfg.correct:
        from coalign.benchmarks.scirisk.task import scirisk

        train_log = stages.run(
            "evaluate_training_prompts",
            lambda: _eval(
                [scirisk(dataset=split["train"], judge=cfg.judge, max_tokens=cfg.max_tokens)],
                HF_BASE,
                base_args,
                log_dir / "train",
                display,
            ),
        )[0]
        oversight_info = stages.run(
            "oversee", lambda: _oversee(cfg, train_log, split, data_dir, say)
        )
        values_info = stages.run("values_pairs", lambda: _values_pairs(cfg, data_dir))
        training = stages.run("train", lambda: _train(cfg, split, values_info, oversight_info))
        after = stages.run(
            "evaluate_after",
            lambda: _eval(
                _eval_tasks(cfg, split),
                training["model"],
                training["model_args"],
                log_dir / "after",
                display,
            ),
        )

    before_logs = [read_eval_log(p) for p in before]
    after_logs: list[EvalLog] = [read_eval_log(p) for p in after]
    report = cfg.out / "report.html"
    rows = comparison_rows(before_logs, after_logs)
    write_demo_report(
        report,
        cfg=cfg,
        before=before_logs,
        after=after_logs,
        agents=[read_eval_log(p) for p in agents_logs],
        split=split,
        values_info=values_info,
        oversight_info=oversight_info,
        training=training,
        seconds=stages.seconds(),
        rows=rows,
    )
    return DemoResult(
        report=report,
        log_dir=log_dir,
        comparison=rows,
        seconds=stages.seconds(),
        automated_reviewer=not cfg.review,
    )
