"""Recording human decisions and settling final decisions.

Each escalated item goes to ``reviewers_per_item`` (N) reviewers. When N reviews are in and
a strict majority says ``safe`` or ``unsafe``, that is the final decision (method ``single``
when N is 1, else ``majority``). A tie, or any reviewer choosing ``escalate``, sends the item to
an adjudicator, whose decision is final (method ``adjudicator``). Reviews and final decisions
are append-only; one person reviews an item at most once (enforced by a unique constraint).

Concurrency: :func:`record_review` locks the item row (``SELECT ... FOR UPDATE`` on PostgreSQL,
the database write lock on SQLite) before counting reviews, so two reviewers submitting at the
same moment can neither exceed N reviews nor both miss the moment the item becomes final.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coalign.oversight.accounts import (
    Forbidden,
    NotFound,
    OversightError,
    audit,
    can_access,
    get_project,
    get_user,
)
from coalign.oversight.db import Store
from coalign.oversight.models import (
    DECISIONS,
    AuditEntry,
    Escalation,
    FinalDecision,
    Item,
    Project,
    Review,
    User,
)

OPEN_STATUSES = ("escalated", "in_review")
MAX_TEXT = 20_000
NEXT_POOL = 200


class DuplicateReview(OversightError):
    """This person has already reviewed this item."""


class ItemClosed(OversightError):
    """The item takes no more reviews (it has N already, waits for an adjudicator, or is final)."""


@dataclass
class ItemView:
    """Everything the item page shows, loaded in one read."""

    item: Item
    project: Project
    escalation: Escalation | None
    verdicts: list[Any]
    my_reviews: list[Review]
    other_reviews: list[tuple[Review, str]]
    final: FinalDecision | None
    n_reviews: int


@dataclass
class QueueRow:
    """One line of the review queue."""

    item: Item
    rule: str
    n_reviews: int
    reviewed_by_me: bool


@dataclass
class QueueFilters:
    """Queue filters (empty string = no filter); ``status`` also accepts ``todo``."""

    benchmark: str = ""
    category: str = ""
    rule: str = ""
    status: str = "todo"
    extra: dict[str, str] = field(default_factory=dict)


def _user(store: Store, user: User | str) -> User:
    return get_user(store, user) if isinstance(user, str) else user


def _clean_text(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    value = value.replace("\r\n", "\n").strip()
    if len(value) > MAX_TEXT:
        raise OversightError(f"{name} is longer than {MAX_TEXT} characters")
    return value or None


def record_review(
    store: Store,
    item_id: int,
    user: User | str,
    decision: str,
    *,
    corrected_response: str | None = None,
    comment: str | None = None,
    time_spent_s: float | None = None,
    project: str | None = None,
    adjudication: bool = False,
    via: str = "api",
) -> Review:
    """Record one person's decision on one item and settle the item if it is now decided.

    ``project``, when given, must be the item's project (the web app always passes it, so a
    URL naming one project can never touch another's items). Raises :class:`NotFound`,
    :class:`Forbidden`, :class:`DuplicateReview` or :class:`ItemClosed` when refused.
    """
    u = _user(store, user)
    kind = "adjudication" if adjudication else "review"
    allowed = ("safe", "unsafe") if adjudication else DECISIONS
    if decision not in allowed:
        raise OversightError(f"decision must be one of {', '.join(allowed)}, got {decision!r}")
    if adjudication and u.role not in ("adjudicator", "admin"):
        raise Forbidden("only adjudicators and admins can adjudicate")
    corrected_response = _clean_text(corrected_response, "corrected response")
    comment = _clean_text(comment, "comment")
    if time_spent_s is not None:
        time_spent_s = max(0.0, min(float(time_spent_s), 24 * 3600.0))
    proj_filter = get_project(store, project) if project is not None else None
    try:
        with store.write() as s:
            item = s.scalar(select(Item).where(Item.id == item_id).with_for_update())
            if item is None or (proj_filter is not None and item.project_id != proj_filter.id):
                raise NotFound(f"no item {item_id} in this project")
            proj = s.get(Project, item.project_id)
            assert proj is not None
            if not can_access(s, u, proj):
                raise Forbidden("you are not a member of this item's project")
            mine = s.scalar(
                select(Review.id).where(
                    Review.item_id == item.id, Review.user_id == u.id, Review.kind == kind
                )
            )
            if mine is not None:
                raise DuplicateReview("you have already reviewed this item")
            if item.status == "final":
                raise ItemClosed("this item already has a final decision")
            if not adjudication:
                if item.status == "adjudication":
                    raise ItemClosed("this item is waiting for an adjudicator")
                if item.status not in OPEN_STATUSES:
                    raise ItemClosed("this item was not escalated for review")
            elif item.status not in (*OPEN_STATUSES, "adjudication"):
                raise ItemClosed("this item was not escalated for review")
            if not adjudication:
                n = s.scalar(
                    select(func.count(Review.id)).where(
                        Review.item_id == item.id, Review.kind == "review"
                    )
                )
                if (n or 0) >= proj.reviewers_per_item:
                    raise ItemClosed("this item already has all the reviews it needs")
            review = Review(
                item_id=item.id,
                user_id=u.id,
                kind=kind,
                decision=decision,
                corrected_response=corrected_response,
                comment=comment,
                time_spent_s=time_spent_s,
            )
            s.add(review)
            s.flush()
            audit(
                s,
                f"{kind}.create",
                actor=u.username,
                project_id=proj.id,
                item_id=item.id,
                review_id=review.id,
                decision=decision,
                corrected=corrected_response is not None,
                via=via,
            )
            _settle(s, item, proj, actor=u.username)
    except IntegrityError:
        # The unique (item, user, kind) constraint: a concurrent duplicate submission.
        raise DuplicateReview("you have already reviewed this item") from None
    return review


def _settle(s: Session, item: Item, proj: Project, *, actor: str) -> FinalDecision | None:
    """Apply the final-decision rule to one locked item inside the caller's transaction."""
    reviews = list(s.scalars(select(Review).where(Review.item_id == item.id).order_by(Review.id)))
    adjudications = [r for r in reviews if r.kind == "adjudication"]
    regular = [r for r in reviews if r.kind == "review"]
    label: str | None = None
    method = ""
    corrected: str | None = None
    if adjudications:
        adj = adjudications[0]
        label, method = adj.decision, "adjudicator"
        corrected = adj.corrected_response or next(
            (r.corrected_response for r in regular if r.decision == label and r.corrected_response),
            None,
        )
    elif any(r.decision == "escalate" for r in regular):
        item.status = "adjudication"
    elif len(regular) >= proj.reviewers_per_item:
        counts = Counter(r.decision for r in regular)
        top, votes = counts.most_common(1)[0]
        if votes * 2 > len(regular):
            label = top
            method = "single" if proj.reviewers_per_item == 1 else "majority"
            corrected = next(
                (
                    r.corrected_response
                    for r in regular
                    if r.decision == top and r.corrected_response
                ),
                None,
            )
        else:
            item.status = "adjudication"
    elif regular:
        item.status = "in_review"
    if label is None:
        return None
    final = FinalDecision(
        item_id=item.id,
        label=label,
        method=method,
        corrected_response=corrected,
        review_ids=[r.id for r in reviews],
    )
    s.add(final)
    item.status = "final"
    s.flush()
    audit(
        s,
        "final.create",
        actor=actor,
        project_id=proj.id,
        item_id=item.id,
        label=label,
        method=method,
        review_ids=final.review_ids,
    )
    return final


def finalize(store: Store, project: str, *, actor: str = "system") -> int:
    """Settle every open item of ``project`` (e.g. after lowering N); returns new final decisions."""
    proj = get_project(store, project)
    made = 0
    with store.write() as s:
        items = s.scalars(
            select(Item)
            .where(Item.project_id == proj.id, Item.status.in_(OPEN_STATUSES))
            .with_for_update()
        ).all()
        for item in items:
            if _settle(s, item, proj, actor=actor) is not None:
                made += 1
    return made


def set_reviewers_per_item(store: Store, project: str, n: int, *, actor: str = "system") -> None:
    """Change N for ``project`` (open items are then settled under the new N)."""
    if n < 1:
        raise OversightError("reviewers_per_item must be at least 1")
    proj = get_project(store, project)
    with store.write() as s:
        p = s.get(Project, proj.id)
        assert p is not None
        old = p.reviewers_per_item
        p.reviewers_per_item = n
        audit(s, "project.reviewers_per_item", actor=actor, project_id=p.id, old=old, new=n)
    finalize(store, project, actor=actor)


def _queue_query(proj: Project, user: User, filters: QueueFilters) -> Any:
    n_reviews = (
        select(func.count(Review.id))
        .where(Review.item_id == Item.id, Review.kind == "review")
        .correlate(Item)
        .scalar_subquery()
    )
    mine = (
        select(func.count(Review.id))
        .where(Review.item_id == Item.id, Review.user_id == user.id)
        .correlate(Item)
        .scalar_subquery()
    )
    q = (
        select(Item, Escalation.rule, n_reviews.label("n"), mine.label("mine"))
        .join(Escalation, Escalation.item_id == Item.id)
        .where(Item.project_id == proj.id)
    )
    if filters.benchmark:
        q = q.where(Item.benchmark == filters.benchmark)
    if filters.category:
        q = q.where(Item.category == filters.category)
    if filters.rule:
        q = q.where(Escalation.rule == filters.rule)
    if filters.status == "todo":
        todo = Item.status.in_(OPEN_STATUSES) & (mine == 0) & (n_reviews < proj.reviewers_per_item)
        if user.role in ("adjudicator", "admin"):
            todo = todo | (Item.status == "adjudication")
        q = q.where(todo)
    elif filters.status:
        q = q.where(Item.status == filters.status)
    return q.order_by(Item.id)


def queue(
    store: Store,
    project: str,
    user: User | str,
    filters: QueueFilters | None = None,
    *,
    limit: int = 100,
    offset: int = 0,
) -> list[QueueRow]:
    """The escalated items of ``project`` that ``user`` may see, filtered."""
    u = _user(store, user)
    proj = get_project(store, project)
    if not can_access(store, u, proj):
        raise Forbidden("you are not a member of this project")
    q = _queue_query(proj, u, filters or QueueFilters()).limit(limit).offset(offset)
    with store.session() as s:
        return [
            QueueRow(item=i, rule=rule, n_reviews=n, reviewed_by_me=bool(m))
            for i, rule, n, m in s.execute(q).all()
        ]


def next_item(store: Store, project: str, user: User | str) -> int | None:
    """An item ``user`` can review next, drawn at random among the oldest open ones, so that
    many people working at once spread over items instead of colliding on the same one."""
    rows = queue(store, project, user, QueueFilters(status="todo"), limit=NEXT_POOL)
    if not rows:
        return None
    return random.choice(rows).item.id


def queue_facets(store: Store, project: str) -> dict[str, list[str]]:
    """Distinct values for the queue's filter menus."""
    proj = get_project(store, project)
    with store.session() as s:
        base = select(Item).join(Escalation).where(Item.project_id == proj.id).subquery()
        return {
            "benchmark": sorted({v for v in s.scalars(select(base.c.benchmark).distinct()) if v}),
            "category": sorted({v for v in s.scalars(select(base.c.category).distinct()) if v}),
            "rule": sorted(
                set(
                    s.scalars(
                        select(Escalation.rule)
                        .join(Item, Item.id == Escalation.item_id)
                        .where(Item.project_id == proj.id)
                        .distinct()
                    )
                )
            ),
        }


def item_view(store: Store, project: str, item_id: int, user: User | str) -> ItemView:
    """Load an item for ``user``; other people's reviews are shown only to adjudicators/admins
    (and only once they matter: the item waits for adjudication or is final)."""
    u = _user(store, user)
    proj = get_project(store, project)
    if not can_access(store, u, proj):
        raise Forbidden("you are not a member of this project")
    with store.session() as s:
        item = s.get(Item, item_id)
        if item is None or item.project_id != proj.id:
            raise NotFound(f"no item {item_id} in this project")
        reviews = s.execute(
            select(Review, User.username)
            .join(User, User.id == Review.user_id)
            .where(Review.item_id == item.id)
            .order_by(Review.id)
        ).all()
        final = s.scalar(select(FinalDecision).where(FinalDecision.item_id == item.id))
        show_others = u.role in ("adjudicator", "admin") and item.status in (
            "adjudication",
            "final",
        )
        return ItemView(
            item=item,
            project=proj,
            escalation=item.escalation,
            verdicts=list(item.verdicts),
            my_reviews=[r for r, _ in reviews if r.user_id == u.id],
            other_reviews=[(r, n) for r, n in reviews if r.user_id != u.id] if show_others else [],
            final=final,
            n_reviews=sum(1 for r, _ in reviews if r.kind == "review"),
        )


def list_items(
    store: Store,
    project: str,
    *,
    status: str = "",
    rule: str = "",
    benchmark: str = "",
    limit: int = 1000,
) -> list[tuple[Item, str | None, int]]:
    """Items of ``project`` with their escalation rule and review count (for the CLI)."""
    proj = get_project(store, project)
    n_reviews = (
        select(func.count(Review.id))
        .where(Review.item_id == Item.id, Review.kind == "review")
        .correlate(Item)
        .scalar_subquery()
    )
    q = (
        select(Item, Escalation.rule, n_reviews)
        .outerjoin(Escalation, Escalation.item_id == Item.id)
        .where(Item.project_id == proj.id)
        .order_by(Item.id)
        .limit(limit)
    )
    if status:
        q = q.where(Item.status == status)
    if rule:
        q = q.where(Escalation.rule == rule)
    if benchmark:
        q = q.where(Item.benchmark == benchmark)
    with store.session() as s:
        return [(i, r, n) for i, r, n in s.execute(q).all()]


def list_audit(store: Store, project: str | None = None, *, limit: int = 200) -> list[AuditEntry]:
    """The newest audit entries (of one project, or all)."""
    with store.session() as s:
        q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if project is not None:
            q = q.where(AuditEntry.project_id == get_project(store, project).id)
        return list(s.scalars(q))
