"""Opening the review store: URL resolution, engine setup, migrations on open, sessions.

SQLite (a file) is the default; PostgreSQL is used when the URL says so
(``postgresql://user@host/db`` is rewritten to the psycopg 3 driver). The URL comes from the
argument, else ``COALIGN_DB_URL``, else ``sqlite:///coalign-review.db`` in the working folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///coalign-review.db"
MIGRATIONS = Path(__file__).with_name("migrations")


def resolve_url(url: str | None = None) -> str:
    """The database URL to use: argument, ``COALIGN_DB_URL``, or the SQLite default.

    A bare file path is taken as a SQLite file; ``postgresql://`` selects psycopg 3.
    """
    url = url or os.environ.get("COALIGN_DB_URL") or DEFAULT_URL
    if "://" not in url:
        url = f"sqlite:///{url}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 60, "isolation_level": None},
            pool_size=20,
            max_overflow=40,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _rec: Any) -> None:
            cur = dbapi_conn.cursor()
            # WAL lets readers run while one writer writes; foreign keys are off by default.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # pysqlite's own transaction handling is switched off (isolation_level=None) so that
            # writers can take the write lock up front: a deferred transaction that reads and
            # then writes can fail with SQLITE_BUSY instead of waiting its turn.
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(url, pool_size=20, max_overflow=40, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision shipped in the package (idempotent)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


class Store:
    """A handle on one review database.

    ``session()`` is for reads; ``write()`` is a transaction meant to write (on SQLite it takes
    the write lock at BEGIN so concurrent reviewers queue instead of failing).
    """

    def __init__(self, url: str | None = None, *, migrate_schema: bool = True) -> None:
        self.url = resolve_url(url)
        self.engine = _make_engine(self.url)
        if migrate_schema:
            migrate(self.engine)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        write_engine = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if self.is_sqlite
            else self.engine
        )
        self._write = sessionmaker(write_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded SQLite backend."""
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read session; closing it ends its transaction without committing (loaded objects
        stay usable, detached, afterwards)."""
        with self._read() as s:
            yield s

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any exception."""
        with self._write() as s, s.begin():
            yield s

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"


def open_store(url: str | None = None) -> Store:
    """Open (and migrate) the review store at ``url`` (see :func:`resolve_url`)."""
    return Store(url)
