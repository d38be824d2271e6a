"""What a count decided and why, as typed sentences: the facts of each sentence (round,
candidates, counts, reason, lot), not its words. Each medium words them its own way,
from this one reading of the reason codes: `explain.explain` in plain text (for
`inmc-vote count` and the bundle's result.txt), and the results page in its language."""

from __future__ import annotations

from dataclasses import dataclass

from inmc_vote.domain import codes
from inmc_vote.domain.codes import RoundKind, RoundReason
from inmc_vote.domain.counting.result import Lot, Result, Round


@dataclass(frozen=True)
class Eliminated:
    """`candidate` has the fewest votes (`votes`) and leaves the count; `lot` is the draw
    that chose it among the candidates tied for last, if one did."""

    round: int
    candidate: str
    votes: int
    lot: Lot | None


@dataclass(frozen=True)
class Elected:
    """`candidate` is elected in this counting round, for `reason`: "majority" (more than
    half of `active`, `majority_needed` needed), "most-votes", "strongest-paths",
    "last-remaining", or "lot" (`lot` chose it among the candidates tied for first)."""

    round: int
    candidate: str
    reason: RoundReason
    votes: int
    active: int
    majority_needed: int | None
    lot: Lot | None


@dataclass(frozen=True)
class VoteAgain:
    """Two candidates tie with no majority: the same two vote again."""

    round: int
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class RunoffForLast:
    """No majority, and `tied` tie for last with `votes` each: they alone face a runoff
    whose last leaves the race."""

    round: int
    tied: tuple[str, ...]
    votes: int


@dataclass(frozen=True)
class Unexplained:
    """A reason code this version does not know; said as it is."""

    round: int
    reason: str


RoundSentence = Eliminated | Elected | VoteAgain | RunoffForLast | Unexplained


@dataclass(frozen=True)
class Won:
    """`candidate` wins; `among` are the candidates tied for first when a lot chose it."""

    candidate: str
    among: tuple[str, ...]


@dataclass(frozen=True)
class NoQuorum:
    """Fewer ballots (`turnout`) than the quorum needs; `counted` when the count was still
    made, for information."""

    turnout: int
    needed: int
    quorum: str | None
    eligible: int
    counted: bool


@dataclass(frozen=True)
class NoValidVotes:
    """Every ballot was blank or invalid."""


@dataclass(frozen=True)
class AnotherRound:
    """No winner yet: an exhaustive ballot's next round of voting, between `candidates`;
    in a last-place runoff, `others` go on afterwards with whoever of them stays."""

    kind: RoundKind
    candidates: tuple[str, ...]
    continuing: tuple[str, ...]
    others: tuple[str, ...]


@dataclass(frozen=True)
class UnknownOutcome:
    """An outcome code this version does not know; said as it is."""

    outcome: str


Outcome = Won | NoQuorum | NoValidVotes | AnotherRound | UnknownOutcome


def lot_in(result: Result, round_number: int) -> Lot | None:
    """The lot drawn in a counting round, if any."""
    return next((lot for lot in result.lots if lot.round == round_number), None)


def round_sentences(result: Result, round_: Round) -> list[RoundSentence]:
    """What the counting round decided and why: eliminations first, then who is elected,
    then why the voting goes on."""
    number, tallies = round_.number, round_.tallies
    lot = lot_in(result, number) if round_.reason == RoundReason.LOT else None
    said: list[RoundSentence] = [
        Eliminated(number, out, tallies.get(out, 0), lot) for out in round_.eliminated
    ]
    elected = round_.elected
    if elected is not None:
        # Elected after an elimination in the same round: it is the only one left.
        reason = RoundReason.LAST_REMAINING if round_.eliminated else round_.reason
        chosen_by = lot if reason == RoundReason.LOT else None
        if reason != RoundReason.LOT or chosen_by is not None:
            said.append(
                Elected(
                    number,
                    elected,
                    reason,
                    tallies.get(elected, 0),
                    round_.active,
                    round_.majority_needed,
                    chosen_by,
                )
            )
    if round_.reason == RoundReason.NO_MAJORITY:
        said.append(VoteAgain(number, tuple(tallies)))
    elif round_.reason == RoundReason.TIE_RUNOFF:
        last = min(tallies.values())
        said.append(RunoffForLast(number, tuple(c for c, n in tallies.items() if n == last), last))
    return said or [Unexplained(number, round_.reason)]


def outcome(result: Result) -> Outcome:
    """How the count ended."""
    if result.outcome == codes.Outcome.ELECTED and result.winner is not None:
        among = result.tied_winners if len(result.tied_winners) > 1 else ()
        return Won(result.winner, among)
    if result.outcome == codes.Outcome.NO_QUORUM:
        return NoQuorum(
            result.turnout,
            result.quorum_needed,
            result.quorum,
            result.eligible,
            bool(result.rounds),
        )
    if result.outcome == codes.Outcome.NO_VALID_VOTES:
        return NoValidVotes()
    plan = result.next_round
    if result.outcome == codes.Outcome.NEXT_ROUND and plan is not None:
        others = tuple(c for c in plan.continuing if c not in plan.candidates)
        return AnotherRound(plan.kind, plan.candidates, plan.continuing, others)
    return UnknownOutcome(result.outcome)
