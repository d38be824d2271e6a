"""Shared fixtures: the database, a clock that tests move by hand, the app and its client.

Built once per backend and xdist worker, reset per test: the app (its clock back at
START, its rate-limit counts at zero) and the database (emptied, ids restarted).
Database tests run on SQLite; those marked `both_databases` (storage-specific) run on
PostgreSQL too, and INMC_ALL_BACKENDS=1 runs every one of them on both. A test marked
`fresh_database` gets a database of its own (and an app of its own on it).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.stores.registry import StoreRegistry
from litestar.testing import TestClient

from inmc_vote.config import Settings
from inmc_vote.demo.mailbox import Mailbox
from inmc_vote.services import security
from inmc_vote.web.app import create_app
from tests.databases import (
    PostgresFactory,
    ReusedDatabase,
    SqliteFactory,
    skip_or_fail_without_pg,
)
from tests.figures import FiguresPlugin, RecordingFigures

START = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
BACKENDS = ("sqlite", "postgresql")
ALL_BACKENDS = os.environ.get("INMC_ALL_BACKENDS") == "1"
SECRET_KEY = b"test-secret-key-that-is-long-enough-0123456789"
BASE_URL = "http://testserver.local"
# Passwords hashed in tests cost microseconds instead of ~80 ms; stored hashes carry
# their parameters, so checking them is just as cheap. Production keeps its cost
# (tests/unit/test_security.py proves it in a process of its own).
TEST_PASSWORD_COST = security.ScryptCost(n=2**4, r=1, p=1)


class FakeClock:
    """The app's clock in tests: it moves only when the test says so."""

    def __init__(self, now: datetime = START) -> None:
        self.start = now
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def reset(self) -> None:
        self.now = self.start


_CLOCK = FakeClock()  # the shared apps' clock; the `clock` fixture resets it


def pytest_configure(config: pytest.Config) -> None:
    security.password_cost = TEST_PASSWORD_COST
    if not config.pluginmanager.has_plugin("inmc-figures"):
        config.pluginmanager.register(FiguresPlugin(config), "inmc-figures")


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> RecordingFigures:
    """Record a named figure for docs/reliability.md (see tests/figures.py).

        def test_something(figures):
            figures.add("double_vote.refused", refused)  # a count: summed over tests, workers
            figures.set_max("sigkill.kills", kills)      # a peak: the largest value kept

    Name figures with dotted string literals (or f-strings filled by parametrization);
    docs/reliability.md may only name figures some test records, and the names it expects
    are in tests/reliability_report.py (SECTIONS): e.g. schemathesis.operations,
    schemathesis.cases and schemathesis.server_errors (the 5xx answers; record 0 too:
    figures.add("schemathesis.server_errors", n_5xx)). A run writes them to
    build/reliability/figures.json (merged over xdist workers) and renders
    build/reliability/reliability.md; `python -m tests.reliability_report` writes
    docs/reliability.md from them."""
    plugin: FiguresPlugin = request.config.pluginmanager.get_plugin("inmc-figures")
    return RecordingFigures(plugin.figures, request.node.nodeid)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each database test on SQLite; on PostgreSQL too when marked `both_databases` or
    when INMC_ALL_BACKENDS=1. A module may pin its own (parametrize "backend")."""
    if "backend" not in metafunc.fixturenames:
        return
    for mark in metafunc.definition.iter_markers("parametrize"):
        if "backend" in mark.args[0]:
            return
    both = ALL_BACKENDS or metafunc.definition.get_closest_marker("both_databases") is not None
    metafunc.parametrize("backend", BACKENDS if both else BACKENDS[:1], indirect=True)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last, even after pytest groups the tests by backend: Playwright keeps
    an event loop in the main thread while it runs."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend, "sqlite" or "postgresql", as pytest_generate_tests chose."""
    return request.param


def make_settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=SECRET_KEY,
        base_url=BASE_URL,
        secure_cookies=False,
    )


@pytest.fixture(scope="session")
def sqlite_factory(tmp_path_factory: pytest.TempPathFactory) -> SqliteFactory:
    return SqliteFactory(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_factory() -> Iterator[PostgresFactory]:
    skip_or_fail_without_pg()
    factory = PostgresFactory()
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def reused_database(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReusedDatabase]:
    """This worker's database on the backend, shared by its tests."""
    if backend == "sqlite":
        factory: SqliteFactory = request.getfixturevalue("sqlite_factory")
        reused: ReusedDatabase = factory.reused(tmp_path_factory.mktemp("reused"))
    else:
        reused = request.getfixturevalue("postgres_factory").reused()
    yield reused
    reused.close()


@contextmanager
def own_database(request: pytest.FixtureRequest, backend: str, folder: Path) -> Iterator[str]:
    """A fresh copy of the migrated template, dropped afterwards (PostgreSQL)."""
    if backend == "sqlite":
        yield request.getfixturevalue("sqlite_factory").fresh(folder)
        return
    factory: PostgresFactory = request.getfixturevalue("postgres_factory")
    url = factory.fresh()
    try:
        yield url
    finally:
        factory.drop(url)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: the worker's, emptied; or a copy of its own for a test
    marked `fresh_database`."""
    if request.node.get_closest_marker("fresh_database") is None:
        reused: ReusedDatabase = request.getfixturevalue("reused_database")
        reused.empty()
        yield reused.url
        return
    with own_database(request, backend, tmp_path) as url:
        yield url


@pytest.fixture
def clock() -> FakeClock:
    _CLOCK.reset()
    return _CLOCK


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
def shared_app(reused_database: ReusedDatabase) -> Litestar:
    """The app on this worker's database: 157 handlers modelled once, not per test."""
    return create_app(make_settings(reused_database.url), clock=_CLOCK, run_schedule=False)


@pytest.fixture
def app(request: pytest.FixtureRequest, settings: Settings, clock: FakeClock) -> Litestar:
    """The app on the test's database, at START. Each client runs its lifespan, which
    makes the engine in the client's own event loop (Litestar runs the test client's
    lifespan in another thread's loop)."""
    if request.node.get_closest_marker("fresh_database") is not None:
        return create_app(settings, clock=clock, run_schedule=False)
    shared: Litestar = request.getfixturevalue("shared_app")
    assert shared.state.settings.database_url == settings.database_url
    shared.stores = StoreRegistry()  # no sign-in attempt counted from an earlier test
    return shared


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A local SMTP server (aiosmtpd) that keeps every message it is sent."""
    with Mailbox() as box:
        yield box


@pytest.fixture
def mail_client(app: Litestar, mailbox: Mailbox) -> Iterator[TestClient[Litestar]]:
    """The client of the app with its mail going to `mailbox` (INMC_SMTP_* set)."""
    saved = app.state.settings
    app.state.settings = dataclasses.replace(saved, smtp=mailbox.settings())
    try:
        with TestClient(app, base_url=BASE_URL) as test_client:
            yield test_client
    finally:
        app.state.settings = saved
