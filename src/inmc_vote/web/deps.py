"""What every handler can ask for: the database, the settings, the time, who is signed in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from litestar.connection import ASGIConnection
from litestar.datastructures import State

from inmc_vote.config import Settings
from inmc_vote.db.engine import Database

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def provide_db(state: State) -> Database:
    return state.db


def provide_settings(state: State) -> Settings:
    return state.settings


def provide_now(state: State) -> datetime:
    return state.clock()


def db_of(connection: ASGIConnection) -> Database:
    return connection.app.state.db


def now_of(connection: ASGIConnection) -> datetime:
    return connection.app.state.clock()
