"""Projects, reviewer accounts, roles, memberships and the audit log writer."""

from __future__ import annotations

import functools
import re
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coalign.oversight.db import Store
from coalign.oversight.models import ROLES, AuditEntry, Membership, Project, User

_HASHER = PasswordHasher()  # argon2id with the library's recommended parameters
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,100}$")
# Project names appear in URLs, so they are kept to characters that need no escaping.
_PROJECT = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
MIN_PASSWORD = 8


class OversightError(ValueError):
    """A refused oversight operation, with a message fit to show to the person who asked."""


class NotFound(OversightError):
    """The project, item or user does not exist (or is not visible to the caller)."""


class Forbidden(OversightError):
    """The caller may not do this (role or project membership)."""


def audit(
    s: Session,
    action: str,
    *,
    actor: str,
    project_id: int | None = None,
    item_id: int | None = None,
    **detail: Any,
) -> None:
    """Append one entry to the audit log inside the caller's transaction."""
    s.add(
        AuditEntry(
            action=action, actor=actor, project_id=project_id, item_id=item_id, detail=detail
        )
    )


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash`` (never raises on a mismatch)."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    # Checked when the user does not exist, so response time does not reveal which usernames
    # exist. Made on first use: hashing costs tens of milliseconds and 64 MiB.
    return _HASHER.hash("coalign-dummy-password")


def authenticate(store: Store, username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    with store.session() as s:
        user = s.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        verify_password(_dummy_hash(), password)
        return None
    return user if verify_password(user.password_hash, password) else None


def get_or_create_project(
    store: Store,
    name: str,
    *,
    reviewers_per_item: int | None = None,
    blind_models: bool | None = None,
    actor: str = "system",
) -> Project:
    """The project called ``name``, created with the given settings if it does not exist."""
    if not _PROJECT.match(name):
        raise OversightError(f"a project name has 1-100 letters, digits or _ . - (got {name!r})")
    if reviewers_per_item is not None and reviewers_per_item < 1:
        raise OversightError("reviewers_per_item must be at least 1")
    with store.session() as s:
        found = s.scalar(select(Project).where(Project.name == name))
    if found is not None:
        return found
    try:
        with store.write() as s:
            project = Project(
                name=name,
                reviewers_per_item=reviewers_per_item or 1,
                blind_models=True if blind_models is None else blind_models,
            )
            s.add(project)
            s.flush()
            audit(
                s,
                "project.create",
                actor=actor,
                project_id=project.id,
                reviewers_per_item=project.reviewers_per_item,
                blind_models=project.blind_models,
            )
        return project
    except IntegrityError:
        # Created concurrently by someone else: use theirs.
        with store.session() as s:
            return s.scalars(select(Project).where(Project.name == name)).one()


def get_project(store: Store, name: str) -> Project:
    """The project called ``name`` or :class:`NotFound`."""
    with store.session() as s:
        project = s.scalar(select(Project).where(Project.name == name))
    if project is None:
        raise NotFound(f"no project named {name!r}")
    return project


def create_user(
    store: Store,
    username: str,
    password: str,
    *,
    role: str = "reviewer",
    projects: list[str] | tuple[str, ...] = (),
    actor: str = "system",
) -> User:
    """Create a reviewer account (argon2id-hashed password) and give it access to ``projects``."""
    if not _USERNAME.match(username):
        raise OversightError("a username has 1-100 letters, digits or _ . @ -")
    if role not in ROLES:
        raise OversightError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if len(password) < MIN_PASSWORD:
        raise OversightError(f"a password needs at least {MIN_PASSWORD} characters")
    project_rows = [get_project(store, p) for p in projects]
    try:
        with store.write() as s:
            user = User(username=username, password_hash=hash_password(password), role=role)
            s.add(user)
            s.flush()
            audit(s, "user.create", actor=actor, username=username, role=role)
            for p in project_rows:
                s.add(Membership(user_id=user.id, project_id=p.id))
                audit(s, "membership.add", actor=actor, project_id=p.id, username=username)
    except IntegrityError:
        raise OversightError(f"a user named {username!r} already exists") from None
    return user


def add_member(store: Store, username: str, project: str, *, actor: str = "system") -> None:
    """Give ``username`` access to ``project`` (no-op when it already has it)."""
    user = get_user(store, username)
    p = get_project(store, project)
    with store.write() as s:
        exists = s.scalar(
            select(Membership).where(Membership.user_id == user.id, Membership.project_id == p.id)
        )
        if exists is None:
            s.add(Membership(user_id=user.id, project_id=p.id))
            audit(s, "membership.add", actor=actor, project_id=p.id, username=username)


def get_user(store: Store, username: str) -> User:
    """The user called ``username`` or :class:`NotFound`."""
    with store.session() as s:
        user = s.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def list_users(store: Store) -> list[tuple[User, list[str]]]:
    """Every user with the names of the projects they belong to."""
    with store.session() as s:
        users = list(s.scalars(select(User).order_by(User.username)))
        rows = s.execute(
            select(Membership.user_id, Project.name).join(
                Project, Project.id == Membership.project_id
            )
        ).all()
    by_user: dict[int, list[str]] = {}
    for uid, pname in rows:
        by_user.setdefault(uid, []).append(pname)
    return [(u, sorted(by_user.get(u.id, []))) for u in users]


def can_access(store: Store | Session, user: User, project: Project) -> bool:
    """Admins see every project; everyone else only the projects they are members of.

    Accepts an open session so that checks inside a write transaction use that transaction.
    """
    if not user.active:
        return False
    if user.role == "admin":
        return True
    query = select(Membership.id).where(
        Membership.user_id == user.id, Membership.project_id == project.id
    )
    if isinstance(store, Session):
        return store.scalar(query) is not None
    with store.session() as s:
        return s.scalar(query) is not None


def accessible_projects(store: Store, user: User) -> list[Project]:
    """The projects ``user`` may open."""
    with store.session() as s:
        if user.role == "admin":
            return list(s.scalars(select(Project).order_by(Project.name)))
        return list(
            s.scalars(
                select(Project)
                .join(Membership, Membership.project_id == Project.id)
                .where(Membership.user_id == user.id)
                .order_by(Project.name)
            )
        )
