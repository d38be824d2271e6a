"""Plurality: one choice per ballot; the most votes wins, a tie for first goes to the lot."""

from __future__ import annotations

from collections import Counter

from inmc_vote.domain.codes import LotPurpose, RoundReason
from inmc_vote.domain.counting.lot import settle
from inmc_vote.domain.counting.result import Lot, Round, Tally


def count(
    candidates: tuple[str, ...], ballots: Counter[tuple[str, ...]], seed: bytes | None
) -> Tally:
    tallies = dict.fromkeys(candidates, 0)
    for (choice,), n in ballots.items():
        tallies[choice] += n
    return most_votes(tallies, sum(ballots.values()), seed)


def most_votes(tallies: dict[str, int], active: int, seed: bytes | None) -> Tally:
    """One round in which the highest tally wins (plurality, approval)."""
    top = leaders(tallies)
    lots: tuple[Lot, ...] = ()
    if len(top) == 1:
        winner, reason = top[0], RoundReason.MOST_VOTES
    else:
        lot = settle(seed, 1, LotPurpose.WINNER, top)
        lots, winner, reason = (lot,), lot.chosen, RoundReason.LOT
    round_ = Round(1, tallies, 0, active, None, winner, (), reason)
    return Tally((round_,), lots, top, winner)


def leaders(tallies: dict[str, int]) -> tuple[str, ...]:
    """The candidates with the highest tally, in candidate order."""
    best = max(tallies.values())
    return tuple(c for c, n in tallies.items() if n == best)


def trailers(tallies: dict[str, int]) -> tuple[str, ...]:
    """The candidates with the lowest tally, in candidate order."""
    worst = min(tallies.values())
    return tuple(c for c, n in tallies.items() if n == worst)
