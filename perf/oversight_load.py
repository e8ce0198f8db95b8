"""Load test of the reviewer web app: many concurrent reviewers against the running server.

Starts ``coalign review serve`` on a loopback port in a subprocess, signs in R reviewers
(default 50), and has them review until D decisions (default 5,000) are in, each through the
real HTML flow: GET /next -> GET item page (CSRF token) -> POST the decision. Afterwards it
checks in the database that no acknowledged decision was lost or duplicated, and prints p50 /
p95 latency, throughput, and the ratio to a baseline measured in this process (the same
number of decisions recorded by direct Python calls, one at a time, with no HTTP).

The items are synthetic (generated here; no model output): D / N items with N reviewers each.

    PYTHONPATH=src python perf/oversight_load.py                       # SQLite file
    PYTHONPATH=src python perf/oversight_load.py --db postgresql://postgres@127.0.0.1:5432/load
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from coalign.oversight import create_user, get_or_create_project, open_store, record_review
from coalign.oversight.models import Escalation, FinalDecision, Item, Review, Run, User

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
OPENED = re.compile(r'name="opened_at" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed_items(store, project: str, n_items: int, tag: str) -> list[int]:  # type: ignore[no-untyped-def]
    """Insert synthetic escalated items (bulk, bypassing Inspect: this measures the server)."""
    proj = get_or_create_project(store, project)
    with store.write() as s:
        run = Run(project_id=proj.id, eval_id=f"synthetic-{tag}", log_path="(synthetic)")
        run.task, run.model, run.log_created = "synthetic", "synthetic/model", ""
        s.add(run)
        s.flush()
        items = [
            Item(
                project_id=proj.id,
                run_id=run.id,
                sample_id=f"{tag}-{i}",
                epoch=1,
                benchmark="synthetic",
                item_key=f"{tag}-{i}",
                category="load",
                severity="low",
                model="synthetic/model",
                prompt=f"Synthetic load-test prompt {i}",
                prompt_messages=[{"role": "user", "content": f"Synthetic load-test prompt {i}"}],
                response=f"Synthetic response {i}",
                trajectory=[],
                is_agentic=False,
                meta={"benchmark": "synthetic", "item_id": f"{tag}-{i}", "synthetic": True},
                score_meta={},
                status="escalated",
            )
            for i in range(n_items)
        ]
        s.add_all(items)
        s.flush()
        s.add_all(
            Escalation(item_id=it.id, rule="abstain", rules=["abstain"], detail="synthetic")
            for it in items
        )
        return [it.id for it in items]


def baseline(store, n: int) -> float:  # type: ignore[no-untyped-def]
    """Direct record_review calls, sequential, no HTTP: decisions per second."""
    ids = seed_items(store, "baseline", n, "base")
    create_user(store, "base-user", "base-password", projects=["baseline"])
    t0 = time.perf_counter()
    for iid in ids:
        record_review(store, iid, "base-user", "safe", project="baseline")
    return n / (time.perf_counter() - t0)


async def reviewer(
    name: str,
    base: str,
    project: str,
    rng: random.Random,
    acks: list[tuple[str, int, str, int]],
    post_lat: list[float],
    get_lat: list[float],
    stats: dict[str, int],
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as c:
        page = await c.get("/login")
        r = await c.post(
            "/login",
            data={
                "username": name,
                "password": f"{name}-password",
                "csrf_token": TOKEN.search(page.text).group(1),  # type: ignore[union-attr]
            },
        )
        assert r.status_code == 303, (name, r.status_code)
        while True:
            t0 = time.perf_counter()
            nxt = await c.get(f"/p/{project}/next")
            loc = nxt.headers.get("location", "")
            if "empty=1" in loc:
                return
            page = await c.get(loc)
            get_lat.append(time.perf_counter() - t0)
            if page.status_code != 200 or 'id="decide"' not in page.text:
                stats["raced_page"] += 1
                continue
            item_id = int(loc.rsplit("/", 1)[1])
            decision = rng.choice(("safe", "unsafe", "unsafe"))
            t1 = time.perf_counter()
            resp = await c.post(
                f"/p/{project}/items/{item_id}/review",
                data={
                    "decision": decision,
                    "csrf_token": TOKEN.search(page.text).group(1),  # type: ignore[union-attr]
                    "opened_at": OPENED.search(page.text).group(1),  # type: ignore[union-attr]
                },
            )
            post_lat.append(time.perf_counter() - t1)
            if resp.status_code == 303:
                acks.append((name, item_id, decision, int(resp.headers["x-review-id"])))
            elif resp.status_code == 409:
                stats["conflict_409"] += 1  # someone else filled the item first: refused, fine
            else:
                stats[f"http_{resp.status_code}"] = stats.get(f"http_{resp.status_code}", 0) + 1


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--reviewers", type=int, default=50)
    ap.add_argument("--decisions", type=int, default=5000)
    ap.add_argument("--per-item", type=int, default=2, help="reviewers per item (N)")
    ap.add_argument("--baseline", type=int, default=300, help="decisions in the direct baseline")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.decisions % args.per_item:
        ap.error("--decisions must be a multiple of --per-item")

    tmp = tempfile.mkdtemp(prefix="coalign-load-")
    url = args.db or f"sqlite:///{Path(tmp) / 'load.db'}"
    store = open_store(url)
    if store.engine.dialect.name == "postgresql":
        with store.session() as s:
            if s.scalar(select(func.count(Item.id))):
                sys.exit("the PostgreSQL database must be empty (create a fresh one)")
    print(f"database: {store}")
    base_rate = baseline(store, args.baseline)
    project = "load"
    get_or_create_project(store, project, reviewers_per_item=args.per_item)
    seed_items(store, project, args.decisions // args.per_item, "load")
    names = [f"rev{i:03d}" for i in range(args.reviewers)]
    for n in names:
        create_user(store, n, f"{n}-password", projects=[project])

    port = free_port()
    env = dict(os.environ, COALIGN_SECRET_KEY="load-test")
    server = subprocess.Popen(
        [sys.executable, "-m", "coalign", "review", "serve", "--db", url, "--port", str(port)],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or server.poll() is not None:
                sys.exit("server did not start")
            time.sleep(0.2)

        acks: list[tuple[str, int, str, int]] = []
        post_lat: list[float] = []
        get_lat: list[float] = []
        stats: dict[str, int] = {"conflict_409": 0, "raced_page": 0}

        async def run_all() -> float:
            rng = random.Random(args.seed)
            t0 = time.perf_counter()
            await asyncio.gather(
                *(
                    reviewer(
                        n,
                        base,
                        project,
                        random.Random(rng.random()),
                        acks,
                        post_lat,
                        get_lat,
                        stats,
                    )
                    for n in names
                )
            )
            return time.perf_counter() - t0

        wall = asyncio.run(run_all())
    finally:
        server.terminate()
        server.wait(timeout=30)

    # Verify against the database.
    proj = get_or_create_project(store, project)
    with store.session() as s:
        rows = s.execute(
            select(Review.id, User.username, Review.item_id, Review.decision)
            .join(User, User.id == Review.user_id)
            .join(Item, Item.id == Review.item_id)
            .where(Item.project_id == proj.id)
        ).all()
        finals = s.scalar(
            select(func.count(FinalDecision.id))
            .join(Item, Item.id == FinalDecision.item_id)
            .where(Item.project_id == proj.id)
        )
        per_item_max = max(
            s.execute(
                select(func.count(Review.id))
                .join(Item, Item.id == Review.item_id)
                .where(Item.project_id == proj.id, Review.kind == "review")
                .group_by(Review.item_id)
            ).scalars()
        )
    in_db = {r[0]: (r[1], r[2], r[3]) for r in rows}
    lost = [a for a in acks if in_db.get(a[3]) != (a[0], a[1], a[2])]
    dup_pairs = len(rows) - len({(u, i) for _, u, i, _ in rows})
    unacked = len(set(in_db) - {a[3] for a in acks})
    ok = (
        len(acks) == args.decisions
        and len(rows) == args.decisions
        and not lost
        and dup_pairs == 0
        and unacked == 0
        and per_item_max <= args.per_item
    )
    rate = len(acks) / wall
    print(f"reviewers {args.reviewers}, N={args.per_item}, items {args.decisions // args.per_item}")
    print(f"decisions acknowledged {len(acks)}, in database {len(rows)}, final decisions {finals}")
    print(
        f"lost {len(lost)}, duplicated (same reviewer+item) {dup_pairs}, in DB but not acknowledged "
        f"{unacked}, max reviews on one item {per_item_max}"
    )
    print(
        f"refused as already full (409) {stats['conflict_409']}, pages raced {stats['raced_page']}"
    )
    other = {k: v for k, v in stats.items() if k.startswith("http_")}
    if other:
        print(f"unexpected HTTP statuses: {other}")
        ok = False
    print(
        f"POST decision latency p50 {1000 * pct(post_lat, 50):.1f} ms, p95 "
        f"{1000 * pct(post_lat, 95):.1f} ms (n={len(post_lat)})"
    )
    print(
        f"GET next+item latency p50 {1000 * pct(get_lat, 50):.1f} ms, p95 "
        f"{1000 * pct(get_lat, 95):.1f} ms (n={len(get_lat)})"
    )
    print(f"throughput {rate:.1f} decisions/s over {wall:.1f} s wall")
    print(
        f"baseline (direct record_review, sequential, no HTTP, {args.baseline} decisions): "
        f"{base_rate:.1f} decisions/s; ratio server/baseline {rate / base_rate:.2f}"
    )
    print("RESULT:", "OK" if ok else "FAILED")
    store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
