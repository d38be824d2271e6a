"""Small builders shared by the counting tests: ballots by the dozen, a fixed seed, and
where the real PrefLib elections live."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from inmc_vote.domain.counting import Result, Rules, Verdict, count

SEED = bytes.fromhex("5eed" * 16)
REPO = Path(__file__).resolve().parents[3]
# The PrefLib files (with their README and SHA256SUMS), kept in the repository
# so that a clone anywhere, CI's included, checks the real elections.
PREFLIB = REPO / "tests" / "data" / "preflib"


def counted(*marks: str) -> Verdict:
    return Verdict("counted", None, marks)


def ballots(spec: Iterable[tuple[int, Sequence[str]]]) -> list[Verdict]:
    """[(3, ("a", "b")), (2, ("b",))] → three ballots a>b and two ballots b."""
    return [counted(*marks) for n, marks in spec for _ in range(n)]


def run(
    method: str,
    candidates: Sequence[str],
    spec: Iterable[tuple[int, Sequence[str]]],
    rules: Rules | None = None,
    *,
    extra: Sequence[Verdict] = (),
    eligible: int | None = None,
    seed: bytes | None = SEED,
) -> Result:
    verdicts = [*ballots(spec), *extra]
    return count(
        method,
        candidates,
        rules or Rules(),
        verdicts,
        eligible=len(verdicts) if eligible is None else eligible,
        seed=seed,
    )


PREFLIB_FILES = (
    "00001-00000003.soi",  # Meath 2002 (STV), 64,081 ballots, 14 candidates
    "00002-00000002.soi",  # Debian leader 2003
    "00002-00000003.soi",  # Debian leader 2005
    "00002-00000008.soi",  # Debian logo
    "00005-00000001.toi",  # Burlington mayor 2006
    "00005-00000002.toi",  # Burlington mayor 2009
    "00016-00000002.toi",  # Aspen mayor 2009
    "00019-00000002.toi",  # Oakland mayor 2010
    "00021-00000011.toi",  # San Francisco mayor 2011, 194,530 ballots, 25 candidates
    "00023-00000001.toi",  # Takoma Park ward 5, 2007
)


def preflib_path(name: str) -> Path:
    """One of the real elections. A missing file fails the test (skipping would pass
    without checking anything), unless INMC_NO_PREFLIB=1 says it is absent on purpose."""
    if os.environ.get("INMC_NO_PREFLIB") == "1":
        pytest.skip("INMC_NO_PREFLIB=1: the PrefLib elections are not checked")
    path = PREFLIB / name
    assert path.is_file(), f"{path} is missing: the real elections live in tests/data/preflib"
    return path
