"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL, a clock that
tests move by hand, the app and its test client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from inmc_vote import security
from inmc_vote.config import Settings
from inmc_vote.web.app import create_app
from tests.databases import PostgresFactory, SqliteFactory, skip_or_fail_without_pg

START = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
# Passwords hashed in tests cost microseconds instead of ~80 ms; stored hashes carry
# their parameters, so checking them is just as cheap. Production keeps its cost
# (tests/unit/test_security.py proves it in a process of its own).
TEST_PASSWORD_COST = security.ScryptCost(n=2**4, r=1, p=1)


class FakeClock:
    """The app's clock in tests: it moves only when the test says so."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def pytest_configure(config: pytest.Config) -> None:
    security.password_cost = TEST_PASSWORD_COST


@pytest.fixture(scope="session")
def sqlite_factory(tmp_path_factory: pytest.TempPathFactory) -> SqliteFactory:
    return SqliteFactory(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_factory() -> Iterator[PostgresFactory]:
    skip_or_fail_without_pg()
    factory = PostgresFactory()
    yield factory
    factory.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: one run of the test on each backend."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_factory").fresh(tmp_path)
        return
    factory: PostgresFactory = request.getfixturevalue("postgres_factory")
    url = factory.fresh()
    yield url
    factory.drop(url)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=b"test-secret-key-that-is-long-enough-0123456789",
        base_url="http://testserver.local",
        secure_cookies=False,
    )


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Litestar:
    return create_app(settings, clock=clock, run_schedule=False)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url="http://testserver.local") as test_client:
        yield test_client
