"""The exhaustive ballot, one round of voting per call (the service runs the rounds).

A regular round elects a candidate with more than half the valid votes; otherwise the
candidate with the fewest votes leaves the race and the others go to the next round. A
tie for last is settled by lot, or (rule `last_place_tie: runoff`) by a separate round
among the tied alone, whose last leaves the race: the way the 2004 Olympic host city was
chosen in 1997, when Cape Town and Buenos Aires tied for last in the first round.
"""

from __future__ import annotations

from collections import Counter

from inmc_vote.domain.codes import LastPlaceTie, LotPurpose, RoundKind, RoundReason
from inmc_vote.domain.counting.lot import settle
from inmc_vote.domain.counting.plurality import leaders, trailers
from inmc_vote.domain.counting.result import Lot, NextRound, Round, Tally
from inmc_vote.domain.counting.rules import Rules


def count(
    candidates: tuple[str, ...],
    ballots: Counter[tuple[str, ...]],
    rules: Rules,
    seed: bytes | None,
) -> Tally:
    tallies = dict.fromkeys(candidates, 0)
    for (choice,), n in ballots.items():
        tallies[choice] += n
    valid = sum(ballots.values())
    if rules.round_kind == RoundKind.LAST_PLACE_RUNOFF:
        return _runoff_for_last(tallies, valid, rules.continuing, seed)
    return _regular(candidates, tallies, valid, rules, seed)


def _regular(
    candidates: tuple[str, ...],
    tallies: dict[str, int],
    valid: int,
    rules: Rules,
    seed: bytes | None,
) -> Tally:
    majority = valid // 2 + 1
    top = leaders(tallies)
    if tallies[top[0]] >= majority:
        winner = top[0]
        return Tally(
            (Round(1, tallies, 0, valid, majority, winner, (), RoundReason.MAJORITY),),
            (),
            top,
            winner,
        )
    if len(candidates) == 2:  # no majority between two: they are tied
        if rules.last_place_tie == LastPlaceTie.LOT:
            lot = settle(seed, 1, LotPurpose.WINNER, candidates)
            round_ = Round(1, tallies, 0, valid, majority, lot.chosen, (), RoundReason.LOT)
            return Tally((round_,), (lot,), candidates, lot.chosen)
        round_ = Round(1, tallies, 0, valid, majority, None, (), RoundReason.NO_MAJORITY)
        return Tally((round_,), (), (), None, NextRound(RoundKind.REGULAR, candidates))
    last = trailers(tallies)
    lots: tuple[Lot, ...] = ()
    if len(last) == 1:
        out, reason = last[0], RoundReason.FEWEST_VOTES
    elif rules.last_place_tie == LastPlaceTie.LOT:
        lot = settle(seed, 1, LotPurpose.ELIMINATE, last)
        lots, out, reason = (lot,), lot.chosen, RoundReason.LOT
    else:
        round_ = Round(1, tallies, 0, valid, majority, None, (), RoundReason.TIE_RUNOFF)
        return Tally(
            (round_,), (), (), None, NextRound(RoundKind.LAST_PLACE_RUNOFF, last, candidates)
        )
    rest = tuple(c for c in candidates if c != out)
    round_ = Round(1, tallies, 0, valid, majority, None, (out,), reason)
    return Tally((round_,), lots, (), None, NextRound(RoundKind.REGULAR, rest))


def _runoff_for_last(
    tallies: dict[str, int], valid: int, continuing: tuple[str, ...], seed: bytes | None
) -> Tally:
    """A round among the candidates tied for last: the fewest votes leaves the race (a new
    tie goes to the lot, so the runoffs end); the rest of the race goes on."""
    last = trailers(tallies)
    lots: tuple[Lot, ...] = ()
    if len(last) == 1:
        out, reason = last[0], RoundReason.FEWEST_VOTES
    else:
        lot = settle(seed, 1, LotPurpose.ELIMINATE, last)
        lots, out, reason = (lot,), lot.chosen, RoundReason.LOT
    rest = tuple(c for c in continuing if c != out)
    if len(rest) == 1:
        round_ = Round(1, tallies, 0, valid, None, rest[0], (out,), reason)
        return Tally((round_,), lots, rest, rest[0])
    round_ = Round(1, tallies, 0, valid, None, None, (out,), reason)
    return Tally((round_,), lots, (), None, NextRound(RoundKind.REGULAR, rest))
