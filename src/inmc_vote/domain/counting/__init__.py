"""Counting: pure code with no I/O, shared by the server's tally and the offline verifier.

`count` takes one verdict per ballot on the board (see `votes.classify`) and gives the
result with every round, every lot and the reason for each step (see docs/counting.md).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from inmc_vote.domain.ballots import Method
from inmc_vote.domain.codes import InvalidReason, Outcome, RoundKind, VerdictKind
from inmc_vote.domain.counting import approval, exhaustive, irv, plurality, schulze
from inmc_vote.domain.counting.lot import LotNeeded, draw, lot_key
from inmc_vote.domain.counting.result import Lot, NextRound, Result, Round, Tally
from inmc_vote.domain.counting.rules import Rules
from inmc_vote.domain.counting.votes import REASONS, Verdict, classify, invalid
from inmc_vote.domain.protocol.encoding import fraction_text

__all__ = [
    "REASONS",
    "Lot",
    "LotNeeded",
    "NextRound",
    "Result",
    "Round",
    "Rules",
    "Verdict",
    "classify",
    "count",
    "draw",
    "invalid",
    "lot_key",
]


def count(
    method: str,
    candidates: Sequence[str],
    rules: Rules,
    verdicts: Sequence[Verdict],
    *,
    eligible: int,
    seed: bytes | None,
) -> Result:
    """Count one round. Identical marks are added up first, so the result cannot depend on
    the order of the ballots. Raises `LotNeeded` when a tie needs the lot and `seed` is
    None, ValueError when the arguments contradict each other."""
    method = Method(method)
    candidates = tuple(candidates)
    _check_round(method, candidates, rules)
    kinds = Counter(v.kind for v in verdicts)
    if set(kinds) - set(VerdictKind):
        raise ValueError(f"unknown verdict kinds: {sorted(set(kinds))}")
    counted, invalid_kind = VerdictKind.COUNTED, VerdictKind.INVALID  # looked up once
    ballots = Counter(v.marks for v in verdicts if v.kind == counted)
    _check_marks(method, candidates, ballots)
    reasons: Counter[InvalidReason] = Counter()
    for verdict in verdicts:
        if verdict.kind == invalid_kind:
            if verdict.reason is None:
                raise ValueError("an invalid verdict needs its reason")
            reasons[verdict.reason] += 1
    turnout = len(verdicts)
    quorum_needed = math.ceil(rules.quorum * eligible) if rules.quorum is not None else 0
    quorum_met = turnout >= quorum_needed
    tally = _tally(method, candidates, ballots, rules, seed) if ballots else None
    if not quorum_met:
        outcome = Outcome.NO_QUORUM
    elif tally is None:
        outcome = Outcome.NO_VALID_VOTES
    elif tally.next_round is not None:
        outcome = Outcome.NEXT_ROUND
    else:
        outcome = Outcome.ELECTED
    won = tally if outcome is Outcome.ELECTED else None
    called = tally if outcome is Outcome.NEXT_ROUND else None
    return Result(
        method=method,
        candidates=candidates,
        eligible=eligible,
        turnout=turnout,
        quorum=fraction_text(rules.quorum) if rules.quorum is not None else None,
        quorum_needed=quorum_needed,
        quorum_met=quorum_met,
        valid=kinds[VerdictKind.COUNTED],
        blank=kinds[VerdictKind.BLANK],
        invalid=kinds[VerdictKind.INVALID],
        invalid_reasons=dict(sorted(reasons.items())),
        rounds=tally.rounds if tally else (),
        pairwise=tally.pairwise if tally else None,
        strongest_paths=tally.strongest_paths if tally else None,
        lots=tally.lots if tally else (),
        tied_winners=won.tied_winners if won else (),
        winner=won.winner if won else None,
        outcome=outcome,
        next_round=called.next_round if called else None,
    )


def _tally(
    method: Method,
    candidates: tuple[str, ...],
    ballots: Counter[tuple[str, ...]],
    rules: Rules,
    seed: bytes | None,
) -> Tally:
    if method == Method.PLURALITY:
        return plurality.count(candidates, ballots, seed)
    if method == Method.EXHAUSTIVE:
        return exhaustive.count(candidates, ballots, rules, seed)
    if method == Method.IRV:
        return irv.count(candidates, ballots, seed)
    if method == Method.SCHULZE:
        return schulze.count(candidates, ballots, seed)
    return approval.count(candidates, ballots, seed)


def _check_round(method: Method, candidates: tuple[str, ...], rules: Rules) -> None:
    if not candidates:
        raise ValueError("a round needs at least one candidate")
    if len(set(candidates)) != len(candidates):
        raise ValueError("a candidate is listed twice")
    if rules.round_kind == RoundKind.LAST_PLACE_RUNOFF:
        if method != Method.EXHAUSTIVE:
            raise ValueError("a last-place runoff is a round of an exhaustive ballot")
        if len(candidates) < 2 or not set(candidates) <= set(rules.continuing):
            raise ValueError("a last-place runoff is between two or more continuing candidates")


def _check_marks(
    method: Method, candidates: tuple[str, ...], ballots: Counter[tuple[str, ...]]
) -> None:
    """Counted verdicts made by hand rather than by `classify` get the same checks."""
    known = frozenset(candidates)
    single = method in (Method.PLURALITY, Method.EXHAUSTIVE)
    for marks in ballots:
        if single and len(marks) != 1:
            raise ValueError(f"a {method} vote has one choice, not {marks!r}")
        if not marks or len(frozenset(marks)) != len(marks) or not known.issuperset(marks):
            raise ValueError(f"a counted vote has marks {marks!r} this round cannot count")
