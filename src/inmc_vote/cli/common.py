"""Small helpers that several commands share, kept here so that each exists once."""

from __future__ import annotations

import sys
from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware, as the services expect it."""
    return datetime.now(UTC)


def fail(message: str) -> int:
    """Say why on standard error and give exit status 1 (a refusal, not a crash)."""
    print(message, file=sys.stderr)
    return 1
