"""A result in plain words, round by round: what `inmc-vote count` prints and the audit
bundle's result.txt says. Pure: it returns lines. Why each round ended comes from
`sentences`, which the results page words too, so that the two cannot disagree."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from inmc_vote.domain.ballots import METHOD_NAMES, Method
from inmc_vote.domain.codes import LotPurpose, RoundKind, RoundReason
from inmc_vote.domain.counting import sentences
from inmc_vote.domain.counting.result import Lot, Matrix, Result, Round
from inmc_vote.domain.counting.votes import REASONS

_WORD = {
    Method.PLURALITY: "votes",
    Method.EXHAUSTIVE: "votes",
    Method.IRV: "votes",
    Method.SCHULZE: "first preferences",
    Method.APPROVAL: "approvals",
}

Label = Callable[[str], str]


def explain(
    result: Result,
    names: Mapping[str, str] | None = None,
    *,
    title: str | None = None,
    notes: Sequence[str] = (),
) -> list[str]:
    """`names` maps candidate ids to what people call them (a city, a PrefLib name);
    `notes` are said after the title (how the file was read, say)."""
    label = _labeller(names or {})
    method = Method(result.method)
    lines = [title] if title else []
    lines += notes
    lines.append(f"Method: {METHOD_NAMES[method]}")
    lines.append(f"Candidates: {', '.join(label(c) for c in result.candidates)}")
    lines += _ballot_lines(result)
    for round_ in result.rounds:
        lines += ["", *_round_lines(result, round_, label)]
    if result.pairwise is not None and result.strongest_paths is not None:
        lines += ["", "Pairwise: the ballots that rank the row's candidate above the column's"]
        lines += _matrix_lines(result.candidates, result.pairwise, label)
        lines += ["", "Strongest paths (winning votes): the weakest link of the strongest path"]
        lines += _matrix_lines(result.candidates, result.strongest_paths, label)
    if result.lots:
        lines += ["", *_lot_lines(result.lots, label)]
    lines += ["", *_outcome_lines(result, label)]
    return lines


def _labeller(names: Mapping[str, str]) -> Label:
    def label(candidate: str) -> str:
        name = names.get(candidate)
        return f"{name} [{candidate}]" if name and name != candidate else candidate

    return label


def _ballot_lines(result: Result) -> list[str]:
    lines = [f"Ballots: {result.turnout:,} cast, of {result.eligible:,} eligible"]
    if result.quorum is None:
        lines.append("Quorum: none")
    else:
        met = "met" if result.quorum_met else "NOT met"
        lines.append(
            f"Quorum: {result.quorum} of the eligible, {result.quorum_needed:,} ballots: {met}"
        )
    lines.append(
        f"Counted: {result.valid:,}    blank: {result.blank:,}    invalid: {result.invalid:,}"
    )
    for code, n in sorted(result.invalid_reasons.items()):
        lines.append(f"  {n:,} invalid ({code}): {REASONS.get(code, code)}")
    return lines


def _round_lines(result: Result, round_: Round, label: Label) -> list[str]:
    method = Method(result.method)
    word = _WORD[method]
    runoff_for_last = method == Method.EXHAUSTIVE and round_.majority_needed is None
    if runoff_for_last:
        head = f"Round {round_.number}, a runoff for last place: {round_.active:,} valid votes"
    else:
        head = f"Round {round_.number}: {round_.active:,} ballots counted"
    if round_.majority_needed is not None:
        head += f", a majority is {round_.majority_needed:,}"
    if method == Method.IRV:
        head += f", {round_.exhausted:,} exhausted"
    lines = [head]
    order = sorted(round_.tallies, key=lambda c: -round_.tallies[c])  # stable: ties keep order
    width = max(len(label(c)) for c in order)
    number_width = max(len(word), *(len(f"{n:,}") for n in round_.tallies.values()))
    lines.append(f"  {'candidate':<{width}}  {word:>{number_width}}       %")
    for c in order:
        n = round_.tallies[c]
        share = f"{100 * n / round_.active:5.1f}" if round_.active else "    -"
        note = "  elected" if c == round_.elected else ""
        note = "  eliminated" if c in round_.eliminated else note
        lines.append(f"  {label(c):<{width}}  {n:>{number_width},}  {share}{note}")
    lines += [f"  → {sentence}" for sentence in _why(result, round_, label, word)]
    return lines


def _why(result: Result, round_: Round, label: Label, word: str) -> list[str]:
    return [
        _sentence(said, result, label, word) for said in sentences.round_sentences(result, round_)
    ]


def _sentence(said: sentences.RoundSentence, result: Result, label: Label, word: str) -> str:
    """One counting round's sentence in plain words."""
    match said:
        case sentences.Eliminated(candidate=out, votes=votes, lot=None):
            return f"{label(out)} has the fewest {word} ({votes:,}) and is eliminated."
        case sentences.Eliminated(candidate=out, votes=votes, lot=Lot(tied=tied)):
            tie = f"{_and(tied, label)} tied for last with {votes:,}"
            return f"{tie}: by lot, {label(out)} is eliminated."
        case sentences.Elected(
            candidate=x, reason=RoundReason.MAJORITY, votes=votes, active=active
        ):
            return f"{label(x)} has more than half ({votes:,} of {active:,}): elected."
        case sentences.Elected(candidate=x, reason=RoundReason.MOST_VOTES):
            return f"{label(x)} has the most {word}: elected."
        case sentences.Elected(candidate=x, reason=RoundReason.STRONGEST_PATHS):
            return f"{label(x)} wins every comparison of strongest paths: elected."
        case sentences.Elected(candidate=x, reason=RoundReason.LOT, lot=Lot(tied=tied)):
            what = (
                "are tied Schulze winners" if result.method == Method.SCHULZE else "tie for first"
            )
            return f"{_and(tied, label)} {what}: by lot, {label(x)} is elected."
        case sentences.Elected(candidate=x):  # RoundReason.LAST_REMAINING
            return f"{label(x)} is the only candidate left in the count: elected."
        case sentences.VoteAgain(candidates=pair):
            return f"No majority: {_and(pair, label)} tie; the same two vote again."
        case sentences.RunoffForLast(tied=tied, votes=votes):
            return (
                f"No majority; {_and(tied, label)} tie for last with {votes:,}: a runoff among "
                "them decides which leaves the race."
            )
        case sentences.Unexplained(reason=reason):
            return f"The round ended: {reason}."
    raise AssertionError(said)  # pragma: no cover - every kind is handled above


def _matrix_lines(candidates: tuple[str, ...], matrix: Matrix, label: Label) -> list[str]:
    width = max(len(label(c)) for c in candidates)
    cell = max(
        5,
        *(len(c) for c in candidates),
        *(len(f"{n:,}") for r in matrix.values() for n in r.values()),
    )
    lines = ["  " + " " * width + "".join(f"  {c:>{cell}}" for c in candidates)]
    for x in candidates:
        row = "".join(
            f"  {'-':>{cell}}" if y == x else f"  {matrix[x][y]:>{cell},}" for y in candidates
        )
        lines.append(f"  {label(x):<{width}}{row}")
    return lines


def _lot_lines(lots: tuple[Lot, ...], label: Label) -> list[str]:
    lines = [
        "Lots: each tied candidate's key is SHA256(seed ‖ candidate id); in ascending order "
        "of keys, a tie for first goes to the first, a tie for last eliminates the last."
    ]
    for lot in lots:
        place = "first" if lot.purpose == LotPurpose.WINNER else "last"
        lines.append(
            f"  Round {lot.round}, a tie for {place} place between {_and(lot.tied, label)}:"
        )
        width = max(len(label(c)) for c in lot.order)
        lines += [f"    {label(c):<{width}}  {lot.keys[c]}" for c in lot.order]
        outcome = "elected" if lot.purpose == LotPurpose.WINNER else "eliminated"
        order = ", ".join(label(c) for c in lot.order)
        lines.append(f"    order: {order} → {label(lot.chosen)} {outcome}")
    return lines


def _outcome_lines(result: Result, label: Label) -> list[str]:
    match sentences.outcome(result):
        case sentences.Won(candidate=winner, among=among):
            return [
                f"Winner: {label(winner)}"
                + (f", by lot among {_and(among, label)}" if among else "")
            ]
        case sentences.NoQuorum() as said:
            lines = [
                f"No winner: {said.turnout:,} ballots cast, fewer than the {said.needed:,} "
                f"that the quorum ({said.quorum} of {said.eligible:,} eligible) requires."
            ]
            if said.counted:
                lines.append("The count above is shown for information only.")
            return lines
        case sentences.NoValidVotes():
            return ["No winner: no vote was counted."]
        case sentences.AnotherRound(
            kind=RoundKind.LAST_PLACE_RUNOFF, candidates=tied, others=others
        ):
            rest = f" with {_and(others, label)}" if others else ""
            return [
                f"No winner yet. Next: a runoff for last place between {_and(tied, label)}; "
                f"the fewest votes leaves the race, and the others go on{rest}."
            ]
        case sentences.AnotherRound(candidates=candidates):
            return [f"No winner yet. Next: a round between {_and(candidates, label)}."]
        case sentences.UnknownOutcome(outcome=code):
            return [f"Outcome: {code}"]
    raise AssertionError(result.outcome)  # pragma: no cover - every kind is handled above


def _and(candidates: tuple[str, ...], label: Label) -> str:
    names = [label(c) for c in candidates]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
