"""Engines and transactions.

Every write runs in one explicit transaction (`Database.write`). On SQLite a write
transaction starts with BEGIN IMMEDIATE, so that read-then-write actions are
serialised instead of failing with "database is locked".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from inmc_vote.db.urls import async_url, is_sqlite

WRITE_OPTION = "inmc_write"
SQLITE_BUSY_MS = 30_000


def make_engine(url: str) -> AsyncEngine:
    if is_sqlite(url):
        engine = create_async_engine(
            async_url(url), connect_args={"timeout": SQLITE_BUSY_MS / 1000}
        )
        _tune_sqlite(engine)
        return engine
    return create_async_engine(async_url(url), pool_pre_ping=True, pool_size=10, max_overflow=10)


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """The service's one handle on storage: `read()` and `write()` transactions."""

    def __init__(
        self, url: str, engine: AsyncEngine | None = None, at_rest_key: bytes | None = None
    ) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self._at_rest_key = at_rest_key
        self._reader = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer = async_sessionmaker(
            self.engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )

    @property
    def at_rest_key(self) -> bytes:
        """The key that seals ballots' private keys at rest (the secret key); the actions
        hand it to the steps that make, seal or open those keys (services/steps/keyring)."""
        if self._at_rest_key is None:
            raise RuntimeError("this Database was opened without the at-rest key (secret key)")
        return self._at_rest_key

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._reader() as session, session.begin():
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        async with self._writer() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
