"""Alembic environment: one set of migrations for SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from inmc_vote.db.models import Base

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    """The URL that `db/migrate.py` put in the configuration (there is no alembic.ini)."""
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("run the migrations through inmc_vote.db.migrate, which sets the URL")
    return url


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # ALTER on SQLite goes through a table copy
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
