"""db/migrate.py and migrations/: the migrations build exactly the models' schema, on
SQLite and on PostgreSQL, and can be taken down and up again."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from inmc_vote.db import migrate
from inmc_vote.db.models import Base
from inmc_vote.db.urls import sync_url
from tests.databases import (
    WORKER,
    pg_execute,
    pg_url_for,
    skip_or_fail_without_pg,
    table_names,
)

MODEL_TABLES = set(Base.metadata.tables)
_numbers = itertools.count()


# storage-specific: the migrations
pytestmark = pytest.mark.both_databases


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database with no table at all."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    skip_or_fail_without_pg()
    name = f"inmc_migrations_{WORKER}_{os.getpid()}_{next(_numbers)}"
    pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    pg_execute(f"CREATE DATABASE {name}")
    try:
        yield pg_url_for(name)
    finally:
        pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def differences(url: str) -> list[Any]:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_upgrade_builds_exactly_the_models(empty_url: str) -> None:
    assert migrate.pending(empty_url)
    migrate.upgrade(empty_url)
    assert not migrate.pending(empty_url)
    assert table_names(empty_url) == MODEL_TABLES | {"alembic_version"}
    assert differences(empty_url) == []


def test_the_comparison_would_see_a_missing_table(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    pg_or_sqlite = create_engine(sync_url(empty_url))
    try:
        with pg_or_sqlite.begin() as connection:
            connection.exec_driver_sql("DROP TABLE dossiers")
    finally:
        pg_or_sqlite.dispose()
    found = differences(empty_url)
    assert [d[0] for d in found] == ["add_table"]
    assert found[0][1].name == "dossiers"


def test_downgrade_to_base_and_upgrade_again(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    command.downgrade(migrate.alembic_config(empty_url), "base")
    assert table_names(empty_url) <= {"alembic_version"}
    assert migrate.pending(empty_url)
    migrate.upgrade(empty_url)
    assert not migrate.pending(empty_url)
    assert differences(empty_url) == []


def test_upgrade_twice_changes_nothing(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    migrate.upgrade(empty_url)
    assert not migrate.pending(empty_url)
    assert differences(empty_url) == []


def test_the_migrations_folder_is_found() -> None:
    folder = migrate.MIGRATIONS
    assert (folder / "env.py").exists()
    assert any((folder / "versions").glob("*.py"))


def test_a_password_with_a_percent_sign_survives_the_alembic_config() -> None:
    config = migrate.alembic_config("postgresql://user:p%25ss@db/inmc")
    assert config.get_main_option("sqlalchemy.url") == sync_url("postgresql://user:p%25ss@db/inmc")
