"""Alembic environment: migrations run programmatically on a connection given by the store."""

from __future__ import annotations

from alembic import context

from coalign.oversight.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run on the connection :func:`coalign.oversight.db.migrate` put in ``config.attributes``."""
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two processes opening a fresh database at once must not both create the schema.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(720431)")
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("coalign's review store runs its migrations online only")
run_migrations_online()
