"""A large CSV import is bounded, and written in short batches that let other writers in
(issue 11: a 24,000-row import held SQLite's writer for 20-32 s while a cast waited).
How long a cast waits during an import is measured in bench/import_bench.py."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.db.models import City
from inmc_vote.services import actions
from inmc_vote.services.actions import cities
from tests import factories as f
from tests.conftest import FakeClock
from tests.integration.test_csv_import import HEADER, names, send

NOW = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
BATCH = 10


def rows_csv(n: int, prefix: str = "Town") -> bytes:
    return (HEADER + "".join(f"{prefix} {i},FR,,,\n" for i in range(n))).encode()


class CountingDatabase(Database):
    """A Database that counts its write transactions."""

    writes = 0

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        self.writes += 1
        async with super().write() as session:
            yield session


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cities, "LIMITS", dataclasses.replace(LIMITS, csv_batch_rows=BATCH))


def test_more_cities_than_the_limit_are_refused_whole(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    refused = send(client, key, rows_csv(LIMITS.csv_rows + 1))
    assert refused.status_code == 413, refused.text
    assert f"more than the {LIMITS.csv_rows:,} one import takes" in refused.json()["detail"]
    assert names(client, key) == []
    done = send(client, key, rows_csv(LIMITS.csv_rows))
    assert done.status_code == 201, done.text
    assert done.json()["added"] == LIMITS.csv_rows


@pytest.mark.usefixtures("small_batches")
def test_the_import_commits_in_batches(database_url: str) -> None:
    async def run() -> tuple[int, cities.ImportReport, cities.ImportReport]:
        db = CountingDatabase(database_url)
        try:
            first = await actions.cities.import_csv(db, rows_csv(3 * BATCH + 5), NOW)
            writes = db.writes
            # again, with a changed row: every city found again across the batches
            again = rows_csv(3 * BATCH + 5).replace(b"Town 7,FR,,,", b"Town 7,FR,Rhone,,")
            second = await actions.cities.import_csv(db, again, NOW)
            return writes, first, second
        finally:
            await db.dispose()

    writes, first, second = asyncio.run(run())
    assert writes == 4  # 35 rows in batches of 10
    assert first == cities.ImportReport(added=35, updated=0, unchanged=0)
    assert second == cities.ImportReport(added=0, updated=1, unchanged=34)


@pytest.mark.usefixtures("small_batches")
def test_another_writer_gets_in_between_batches(database_url: str) -> None:
    """A city added by hand while the import runs is written between two of its batches,
    not after the whole file."""

    async def run() -> list[str]:
        db = Database(database_url)
        importing = True
        try:

            async def by_hand() -> None:
                i = 0
                while importing:
                    fields = actions.cities.fields_of(f"Hand {i}", "BE")
                    await actions.cities.add_city(db, fields, NOW)
                    i += 1
                    await asyncio.sleep(0)

            hand = asyncio.create_task(by_hand())
            await asyncio.sleep(0)
            await actions.cities.import_csv(db, rows_csv(6 * BATCH), NOW)
            importing = False
            await hand
            async with db.read() as session:
                return list((await session.execute(select(City.name).order_by(City.id))).scalars())
        finally:
            await db.dispose()

    order = asyncio.run(run())
    imported = [i for i, name in enumerate(order) if name.startswith("Town ")]
    assert len(imported) == 6 * BATCH
    between = [
        name
        for name in order[imported[0] : imported[-1]]
        if name.startswith("Hand ")  # written after the first batch, before the last
    ]
    assert between, order
