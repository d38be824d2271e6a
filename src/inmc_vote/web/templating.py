"""Filters that templates use to show times, states and sizes the same way everywhere."""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment

from inmc_vote.domain.ballots import METHOD_NAMES, Method
from inmc_vote.domain.timefmt import show_time


def _when(moment: datetime | None, zone: str = "UTC") -> str:
    return show_time(moment, zone)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _method_name(method: str) -> str:
    # `str in Method` raises TypeError on Python 3.11, so look the value up instead.
    try:
        return METHOD_NAMES[Method(method)]
    except ValueError:
        return method


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 100_000 else f"{size / 1024:.0f} kB"


def install_filters(environment: Environment) -> None:
    environment.filters["when"] = _when
    environment.filters["iso"] = _iso
    environment.filters["method_name"] = _method_name
    environment.filters["megabytes"] = _megabytes
