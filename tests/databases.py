"""Test databases: a migrated SQLite file or a PostgreSQL database, fresh for each test.

Each backend is migrated once per run into a template; each test gets a copy (a file
copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), so tests never share rows.
PostgreSQL comes from INMC_TEST_PG_URL (default: the local server); when it cannot
be reached the PostgreSQL cases skip, unless INMC_REQUIRE_PG=1 makes that a failure.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from inmc_vote.db.migrate import upgrade
from inmc_vote.db.models import Base
from inmc_vote.db.urls import sync_url

PG_ADMIN_URL = os.environ.get("INMC_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("INMC_REQUIRE_PG") == "1"
_counter = itertools.count()


def pg_admin_conninfo() -> str:
    return make_url(PG_ADMIN_URL).set(drivername="postgresql").render_as_string(hide_password=False)


def pg_reachable() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        with psycopg.connect(pg_admin_conninfo(), connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


def pg_url_for(name: str) -> str:
    return (
        make_url(PG_ADMIN_URL)
        .set(drivername="postgresql+psycopg", database=name)
        .render_as_string(hide_password=False)
    )


def pg_execute(sql: str) -> None:
    with psycopg.connect(pg_admin_conninfo(), autocommit=True) as conn:
        conn.execute(sql)


class SqliteFactory:
    def __init__(self, folder: Path) -> None:
        self.template = folder / "template.sqlite3"
        upgrade(f"sqlite:///{self.template}")

    def fresh(self, folder: Path) -> str:
        target = folder / f"test-{next(_counter)}.sqlite3"
        shutil.copyfile(self.template, target)
        return f"sqlite+aiosqlite:///{target}"


class PostgresFactory:
    def __init__(self) -> None:
        self.prefix = f"inmc_test_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self.made: list[str] = []
        pg_execute(f"DROP DATABASE IF EXISTS {self.template}")
        pg_execute(f"CREATE DATABASE {self.template}")
        upgrade(pg_url_for(self.template))

    def fresh(self) -> str:
        name = f"{self.prefix}_{next(_counter)}"
        pg_execute(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        self.made.append(name)
        return pg_url_for(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        for name in [*self.made, self.template]:
            pg_execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def skip_or_fail_without_pg() -> None:
    reason = pg_reachable()
    if reason is None:
        return
    if REQUIRE_PG:
        pytest.fail(f"INMC_REQUIRE_PG=1 but PostgreSQL cannot be reached: {reason}")
    pytest.skip(f"PostgreSQL not reachable ({reason}); set INMC_REQUIRE_PG=1 to require it")


def snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order: to prove that a refusal stored nothing."""
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            tables = {}
            for table in Base.metadata.sorted_tables:
                rows = connection.execute(select(table)).all()
                tables[table.name] = sorted((tuple(r) for r in rows), key=repr)
            return tables
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
