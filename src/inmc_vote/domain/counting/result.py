"""The result of a count, round by round, as plain data: what the tally record signs, the
results page shows and the verifier recomputes and compares as canonical JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.ballots import Method
from inmc_vote.domain.codes import InvalidReason, LotPurpose, Outcome, RoundKind, RoundReason, parse

ROUND_REASONS: dict[RoundReason, str] = {
    RoundReason.MAJORITY: "more than half the votes counted in the round: elected",
    RoundReason.MOST_VOTES: "the most votes: elected",
    RoundReason.STRONGEST_PATHS: "no candidate has a stronger path of pairwise wins against "
    "this one than this one has back (Schulze): elected",
    RoundReason.LAST_REMAINING: "the only candidate left: elected",
    RoundReason.FEWEST_VOTES: "the fewest votes: eliminated",
    RoundReason.LOT: "a tie the rules leave open, settled by lot (see the lot drawn in this round)",
    RoundReason.NO_MAJORITY: "two candidates tied with no majority: the same two vote again",
    RoundReason.TIE_RUNOFF: "a tie for last place: the tied candidates alone face a runoff, "
    "whose last is eliminated",
}
"""How each round ended, by code (`Round.reason`)."""

OUTCOMES: dict[Outcome, str] = {
    Outcome.ELECTED: "a winner is elected",
    Outcome.NO_QUORUM: "no winner: fewer ballots than the quorum requires",
    Outcome.NO_VALID_VOTES: "no winner: no vote was counted",
    Outcome.NEXT_ROUND: "no winner yet: another round of voting is called",
}
"""How the count ended, by code (`Result.outcome`)."""


@dataclass(frozen=True)
class Lot:
    """One draw: `order` ascends by lot key; `chosen` is the first when the lot picks a
    winner, the last when it picks whom to eliminate."""

    round: int
    purpose: LotPurpose
    tied: tuple[str, ...]
    keys: dict[str, str]  # candidate -> SHA256(seed ‖ id), hex
    order: tuple[str, ...]
    chosen: str

    def to_json(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "purpose": self.purpose,
            "tied": list(self.tied),
            "keys": dict(self.keys),
            "order": list(self.order),
            "chosen": self.chosen,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Lot:
        return cls(
            round=data["round"],
            purpose=parse(LotPurpose, data["purpose"]),
            tied=tuple(data["tied"]),
            keys=dict(data["keys"]),
            order=tuple(data["order"]),
            chosen=data["chosen"],
        )


@dataclass(frozen=True)
class Round:
    """`tallies` holds every candidate still in the count (zeros too); `active` is the
    ballots counted in the round, `exhausted` (irv) those with no continuing choice left."""

    number: int
    tallies: dict[str, int]
    exhausted: int
    active: int
    majority_needed: int | None
    elected: str | None
    eliminated: tuple[str, ...]
    reason: RoundReason

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "tallies": dict(self.tallies),
            "exhausted": self.exhausted,
            "active": self.active,
            "majority_needed": self.majority_needed,
            "elected": self.elected,
            "eliminated": list(self.eliminated),
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Round:
        return cls(
            number=data["number"],
            tallies=dict(data["tallies"]),
            exhausted=data["exhausted"],
            active=data["active"],
            majority_needed=data["majority_needed"],
            elected=data["elected"],
            eliminated=tuple(data["eliminated"]),
            reason=parse(RoundReason, data["reason"]),
        )


@dataclass(frozen=True)
class NextRound:
    """The round of voting an exhaustive ballot calls for: its kind, its candidates, and
    (for a last-place runoff) every candidate still in the race."""

    kind: RoundKind
    candidates: tuple[str, ...]
    continuing: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "candidates": list(self.candidates),
            "continuing": list(self.continuing),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NextRound:
        return cls(
            kind=parse(RoundKind, data["kind"]),
            candidates=tuple(data["candidates"]),
            continuing=tuple(data["continuing"]),
        )


Matrix = dict[str, dict[str, int]]


@dataclass(frozen=True)
class Result:
    method: Method
    candidates: tuple[str, ...]
    eligible: int
    turnout: int
    quorum: str | None  # "n/d"
    quorum_needed: int
    quorum_met: bool
    valid: int
    blank: int
    invalid: int
    invalid_reasons: dict[InvalidReason, int]
    rounds: tuple[Round, ...]
    pairwise: Matrix | None  # schulze: d[x][y], ballots ranking x above y
    strongest_paths: Matrix | None  # schulze: p[x][y], widest path of winning votes
    lots: tuple[Lot, ...]
    tied_winners: tuple[str, ...]  # the winners before any lot; empty when none
    winner: str | None
    outcome: Outcome
    next_round: NextRound | None

    def to_json(self) -> dict[str, Any]:
        """Only str, int, bool, None, lists and objects: ready for canonical JSON."""
        return {
            "method": self.method,
            "candidates": list(self.candidates),
            "eligible": self.eligible,
            "turnout": self.turnout,
            "quorum": self.quorum,
            "quorum_needed": self.quorum_needed,
            "quorum_met": self.quorum_met,
            "valid": self.valid,
            "blank": self.blank,
            "invalid": self.invalid,
            "invalid_reasons": dict(self.invalid_reasons),
            "rounds": [r.to_json() for r in self.rounds],
            "pairwise": _matrix(self.pairwise),
            "strongest_paths": _matrix(self.strongest_paths),
            "lots": [lot.to_json() for lot in self.lots],
            "tied_winners": list(self.tied_winners),
            "winner": self.winner,
            "outcome": self.outcome,
            "next_round": self.next_round.to_json() if self.next_round else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Result:
        """The exact inverse of `to_json`."""
        return cls(
            method=parse(Method, data["method"]),
            candidates=tuple(data["candidates"]),
            eligible=data["eligible"],
            turnout=data["turnout"],
            quorum=data["quorum"],
            quorum_needed=data["quorum_needed"],
            quorum_met=data["quorum_met"],
            valid=data["valid"],
            blank=data["blank"],
            invalid=data["invalid"],
            invalid_reasons={
                parse(InvalidReason, code): n for code, n in data["invalid_reasons"].items()
            },
            rounds=tuple(Round.from_json(r) for r in data["rounds"]),
            pairwise=_matrix(data["pairwise"]),
            strongest_paths=_matrix(data["strongest_paths"]),
            lots=tuple(Lot.from_json(lot) for lot in data["lots"]),
            tied_winners=tuple(data["tied_winners"]),
            winner=data["winner"],
            outcome=parse(Outcome, data["outcome"]),
            next_round=NextRound.from_json(data["next_round"]) if data["next_round"] else None,
        )


def _matrix(matrix: Mapping[str, Mapping[str, int]] | None) -> Matrix | None:
    if matrix is None:
        return None
    return {x: dict(row) for x, row in matrix.items()}


@dataclass(frozen=True)
class Tally:
    """What a method's count gives, before the quorum and the totals are put around it."""

    rounds: tuple[Round, ...]
    lots: tuple[Lot, ...]
    tied_winners: tuple[str, ...]
    winner: str | None
    next_round: NextRound | None = None
    pairwise: Matrix | None = None
    strongest_paths: Matrix | None = None
