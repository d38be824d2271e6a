"""Test databases on SQLite and PostgreSQL: one reused per worker, or a fresh copy.

Each backend is migrated once per run into a template. Most tests share one copy per
backend and xdist worker, emptied before each test (`ReusedDatabase.empty`); the few
that need a database of their own get a fresh copy (a file copy on SQLite, CREATE
DATABASE ... TEMPLATE on PostgreSQL). PostgreSQL comes from INMC_TEST_PG_URL (default:
the local server); when it cannot be reached the PostgreSQL cases skip, unless
INMC_REQUIRE_PG=1 makes that a failure.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
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
# The xdist worker ("gw0", ...) and the process: names never collide across workers,
# nor with another engineer's run on the same server.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
_counter = itertools.count()
# Children first, so that no foreign key refuses a delete.
TABLES_CHILDREN_FIRST = [table.name for table in reversed(Base.metadata.sorted_tables)]


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


class ReusedDatabase:
    """One migrated database for many tests: `empty()` deletes every row and restarts
    the ids, so that each test starts as on a fresh copy."""

    url: str

    def empty(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class ReusedSqlite(ReusedDatabase):
    def __init__(self, path: Path) -> None:
        self.url = f"sqlite+aiosqlite:///{path}"
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._connection.execute("PRAGMA busy_timeout=30000")

    def empty(self) -> None:
        run = self._connection.execute
        run("BEGIN IMMEDIATE")
        for table in TABLES_CHILDREN_FIRST:
            run(f'DELETE FROM "{table}"')  # noqa: S608 (table names from our own models)
        if run("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
            run("DELETE FROM sqlite_sequence")  # AUTOINCREMENT counters start again
        run("COMMIT")

    def close(self) -> None:
        self._connection.close()


class ReusedPostgres(ReusedDatabase):
    def __init__(self, name: str) -> None:
        self.name = name
        self.url = pg_url_for(name)
        conninfo = make_url(self.url).set(drivername="postgresql")
        self._connection = psycopg.connect(
            conninfo.render_as_string(hide_password=False), autocommit=True
        )
        # A test that left a transaction open fails the next one instead of hanging it.
        self._connection.execute("SET lock_timeout = '10s'")
        sequences = [
            row[0]
            for row in self._connection.execute(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
            )
        ]
        # DELETE, not TRUNCATE: on these few rows it took 10 ms where TRUNCATE took 290.
        self._statements = "; ".join(
            [f'DELETE FROM "{table}"' for table in TABLES_CHILDREN_FIRST]  # noqa: S608
            + [f'ALTER SEQUENCE "{sequence}" RESTART' for sequence in sequences]
        )

    def empty(self) -> None:
        with self._connection.transaction():
            self._connection.execute(self._statements)  # type: ignore[arg-type]

    def close(self) -> None:
        self._connection.close()


class SqliteFactory:
    def __init__(self, folder: Path) -> None:
        self.template = folder / "template.sqlite3"
        upgrade(f"sqlite:///{self.template}")

    def fresh(self, folder: Path) -> str:
        target = folder / f"test-{next(_counter)}.sqlite3"
        shutil.copyfile(self.template, target)
        return f"sqlite+aiosqlite:///{target}"

    def reused(self, folder: Path) -> ReusedSqlite:
        target = folder / f"reused-{next(_counter)}.sqlite3"
        shutil.copyfile(self.template, target)
        return ReusedSqlite(target)


class PostgresFactory:
    def __init__(self) -> None:
        self.prefix = f"inmc_test_{WORKER}_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self.made: list[str] = []
        pg_execute(f"DROP DATABASE IF EXISTS {self.template}")
        pg_execute(f"CREATE DATABASE {self.template}")
        upgrade(pg_url_for(self.template))

    def _copy(self) -> str:
        name = f"{self.prefix}_{next(_counter)}"
        pg_execute(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        self.made.append(name)
        return name

    def fresh(self) -> str:
        return pg_url_for(self._copy())

    def reused(self) -> ReusedPostgres:
        return ReusedPostgres(self._copy())

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
