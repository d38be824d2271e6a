"""The results page: who won (or why nobody did), each round as a table and a chart,
every elimination and every lot explained, and the fingerprints that tie the result to
the manifest, the sealed board and the signed tally record.

Everyone sees the published rounds; organisers also see a round as soon as it is
tallied, marked as not yet published."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import datetime

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template
from markupsafe import Markup

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot
from inmc_vote.domain.ballots import Method
from inmc_vote.domain.codes import LotPurpose, Outcome, RoundKind, RoundReason
from inmc_vote.domain.counting import sentences
from inmc_vote.domain.counting.result import Lot, Matrix, Result, Round
from inmc_vote.domain.counting.votes import REASONS
from inmc_vote.domain.lifecycle import Action, State
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.domain.protocol.manifest import short_fingerprint
from inmc_vote.services import queries
from inmc_vote.services.queries.results import RoundResult
from inmc_vote.services.steps.state import lifecycle_of
from inmc_vote.web import i18n
from inmc_vote.web.api.results import sees_unpublished
from inmc_vote.web.charts import Bar, Threshold, bar_chart
from inmc_vote.web.i18n import _, ngettext
from inmc_vote.web.pages.common import BallotPage, page
from inmc_vote.web.pages.visibility import visible_ballot
from inmc_vote.web.pages.words import ACTION_BUTTONS, N_, STATE_WORDS

# The organiser's next steps that the results page offers.
RESULT_ACTIONS = (Action.PUBLISH, Action.NEXT_ROUND)

DONE = {
    "tally": N_(
        "The votes are counted. Only organisers see these results until you publish them: "
        "check them, then publish."
    ),
    "publish": N_("The results are published: everyone can read this page now."),
}

# The count behind each method, said once above its rounds.
COUNT_WORDS: dict[str, str] = {
    Method.PLURALITY: N_("Each city chose one candidate; the most votes wins."),
    Method.EXHAUSTIVE: N_(
        "Each city chose one candidate. More than half the votes counted in a round elects; "
        "otherwise the city with the fewest votes leaves the race and the others go to "
        "another round of voting."
    ),
    Method.IRV: N_(
        "Each city ranked the candidates. Each counting round counts every ballot for its "
        "highest-ranked city still in the race; more than half elects, otherwise the city "
        "with the fewest votes is eliminated and its ballots go to their next choice."
    ),
    Method.SCHULZE: N_(
        "Each city ranked the candidates. Every pair of cities is compared: how many "
        "ballots rank one above the other. The winner is the city that no other beats by a "
        "stronger chain of such wins (Schulze method)."
    ),
    Method.APPROVAL: N_("Each city approved any number of candidates; the most approvals wins."),
}

# The one line that redoes a lot: every tied city's key and id, smallest key first.
LOT_COMMAND = (
    "python3 -c 'import hashlib,sys; s=bytes.fromhex(sys.argv[1]); "
    "[print(k, c) for k, c in sorted((hashlib.sha256(s+c.encode()).hexdigest(), c) "
    "for c in sys.argv[2:])]' {seed} {ids}"
)


@dataclass(frozen=True)
class Row:
    """One city in one counting round."""

    city: str
    id: str
    votes: int
    share: str
    mark: str  # "elected" | "eliminated" | "tied" | ""
    mark_text: str


@dataclass(frozen=True)
class CountView:
    """One counting round: a table, a chart and what happened, in words."""

    number: int
    heading: str
    caption: str
    rows: list[Row]
    chart: Markup
    active: int
    exhausted: int
    majority_needed: int | None
    happened: str


@dataclass(frozen=True)
class Cell:
    value: int | None  # None on the diagonal
    wins: bool


@dataclass(frozen=True)
class MatrixView:
    names: list[str]
    rows: list[tuple[str, list[Cell]]]


@dataclass(frozen=True)
class LotKey:
    city: str
    id: str
    key: str


@dataclass(frozen=True)
class LotView:
    count_round: int
    why: str
    keys: list[LotKey]  # in the order drawn
    chosen: str
    rule: str
    command: str


@dataclass(frozen=True)
class Fingerprints:
    manifest_short: str
    manifest: str
    board_count: int
    board_head_short: str
    board_head: str
    sealed_at: datetime
    seal_signature: str
    tally_short: str
    tally: str
    tally_signature: str
    mix_input_count: int
    mix_input: str
    shuffles: list[tuple[int, str, str]]  # index, trustee's name, message hash
    decryptions: list[tuple[str, str]]  # trustee's name, message hash
    votes_count: int
    votes: str


@dataclass(frozen=True)
class VotingRound:
    """One round of voting (an exhaustive ballot has several), with its tally."""

    number: int
    kind: RoundKind
    what: str  # the round in words
    published_at: datetime | None
    result: Result
    outcome: str
    winner_city: str | None
    turnout_share: str
    quorum: str
    invalid_reasons: list[tuple[str, int]]
    counts: list[CountView]
    pairwise: MatrixView | None
    strongest: MatrixView | None
    lots: list[LotView]
    seed: str | None
    seed_hex: str
    lot_trustees: str  # the trustees whose lot reveals make the seed, in words
    next_round: str
    fingerprints: Fingerprints


def share(part: int, whole: int) -> str:
    """A share with one decimal, in the reader's own pattern ("60.0%", "60,0 %")."""
    return i18n.percent(part / whole, digits=1) if whole else "—"


def city_list(ids: tuple[str, ...] | list[str], names: dict[str, str]) -> str:
    cities = [names.get(i, i) for i in ids]
    if len(cities) <= 1:
        return "".join(cities)
    return _("%(first)s and %(last)s") % {"first": ", ".join(cities[:-1]), "last": cities[-1]}


def _votes(n: int, method: str) -> str:
    if method == Method.APPROVAL:
        return ngettext("%(n)d approval", "%(n)d approvals", n) % {"n": n}
    if method == Method.SCHULZE:
        return ngettext("%(n)d first choice", "%(n)d first choices", n) % {"n": n}
    return ngettext("%(n)d vote", "%(n)d votes", n) % {"n": n}


def happened(result: Result, count: Round, names: dict[str, str]) -> str:
    """What the counting round decided, and why, in one or two sentences."""
    return " ".join(
        _said(sentence, result.method, names)
        for sentence in sentences.round_sentences(result, count)
    )


def _said(sentence: sentences.RoundSentence, method: str, names: dict[str, str]) -> str:
    """One of `domain.counting.sentences`' sentences, in the page's words."""
    match sentence:
        case sentences.Eliminated(candidate=out, votes=votes, lot=None):
            return _("%(city)s has the fewest votes (%(votes)d): eliminated.") % {
                "city": names.get(out, out),
                "votes": votes,
            }
        case sentences.Eliminated(candidate=out, lot=Lot(tied=tied)):
            return _(
                "%(tied)s are tied for last place; the lot drawn below chose %(city)s: eliminated."
            ) % {"tied": city_list(tied, names), "city": names.get(out, out)}
        case sentences.Elected(candidate=x, reason=RoundReason.MAJORITY) as said:
            return _(
                "%(city)s has more than half the votes counted in this round "
                "(%(votes)d of %(active)d; %(needed)d needed): elected."
            ) % {
                "city": names.get(x, x),
                "votes": said.votes,
                "active": said.active,
                "needed": said.majority_needed or 0,
            }
        case sentences.Elected(candidate=x, reason=RoundReason.MOST_VOTES):
            if method == Method.APPROVAL:
                return _("%(city)s has the most approvals: elected.") % {"city": names.get(x, x)}
            return _("%(city)s has the most votes: elected.") % {"city": names.get(x, x)}
        case sentences.Elected(candidate=x, reason=RoundReason.STRONGEST_PATHS):
            return _(
                "%(city)s wins: no other city beats it by a stronger chain of pairwise wins "
                "than it has back (see the tables below)."
            ) % {"city": names.get(x, x)}
        case sentences.Elected(candidate=x, reason=RoundReason.LOT, lot=Lot(tied=tied)):
            return _(
                "%(tied)s are tied for first place; the lot drawn below chose %(city)s: elected."
            ) % {"tied": city_list(tied, names), "city": names.get(x, x)}
        case sentences.Elected(candidate=x):  # RoundReason.LAST_REMAINING
            return _("%(city)s is the only city left in the count: elected.") % {
                "city": names.get(x, x)
            }
        case sentences.VoteAgain():
            return _(
                "Neither city has more than half the votes: the two are tied, and the same two "
                "cities vote again."
            )
        case sentences.RunoffForLast(tied=tied):
            return _(
                "No city has more than half the votes, and %(tied)s are tied for last place: "
                "they alone face an extra round of voting, whose last leaves the race."
            ) % {"tied": city_list(tied, names)}
        case sentences.Unexplained(reason=reason):
            return reason
    raise AssertionError(sentence)  # pragma: no cover - every kind is handled above


def _marks(result: Result, count: Round) -> dict[str, tuple[str, str]]:
    marks: dict[str, tuple[str, str]] = {}
    lot = sentences.lot_in(result, count.number)
    if lot is not None:
        for tied in lot.tied:
            marks[tied] = ("tied", _("tied, settled by lot"))
    if count.reason == RoundReason.TIE_RUNOFF:
        low = min(count.tallies.values())
        for c, n in count.tallies.items():
            if n == low:
                marks[c] = ("tied", _("tied for last: extra round"))
    for c in count.eliminated:
        marks[c] = ("eliminated", _("eliminated"))
    if count.elected:
        marks[count.elected] = ("elected", _("elected"))
    return marks


def count_view(
    result: Result,
    count: Round,
    names: dict[str, str],
    voting_round: int,
    several: bool,
    prefix: str = "",
) -> CountView:
    """`several`: the round of voting has several counting rounds (instant runoff);
    `prefix` names the round of voting when the ballot has several ("Round 2 of voting:")."""
    method = result.method
    whole = result.valid if method == Method.APPROVAL else count.active
    marks = _marks(result, count)
    told = happened(result, count, names)
    if result.outcome == Outcome.NO_QUORUM:  # the count stands for information, electing nobody
        marks = {c: mark for c, mark in marks.items() if mark[0] != "elected"}
        told = (
            _("The quorum was not met, so nobody is elected; the count is shown for information:")
            + " "
            + told
        )
    rows = [
        Row(
            names.get(c, c),
            c,
            n,
            share(n, whole),
            *marks.get(c, ("", "")),
        )
        for c, n in sorted(count.tallies.items(), key=lambda item: -item[1])
    ]
    if several:
        heading = _("Counting round %(n)d") % {"n": count.number}
        caption = _("Counting round %(n)d: votes per city") % {"n": count.number}
    elif method == Method.SCHULZE:
        heading = caption = _("First choices per city")
    elif method == Method.APPROVAL:
        heading = caption = _("Approvals per city")
    else:
        heading = caption = _("Votes per city")
    if prefix:
        caption = f"{prefix} {caption[:1].lower()}{caption[1:]}"
    threshold = None
    if count.majority_needed is not None:
        threshold = Threshold(
            count.majority_needed,
            _("more than half: %(n)d") % {"n": count.majority_needed},
        )
    chart = bar_chart(
        [
            Bar(
                r.city,
                r.votes,
                f"{r.votes} ({r.share})",
                r.mark,
                r.mark_text,
                f"{_votes(r.votes, method)}, {r.share}",
            )
            for r in rows
        ],
        chart_id=f"chart-r{voting_round}-c{count.number}",
        title=caption,
        threshold=threshold,
    )
    return CountView(
        count.number,
        heading,
        caption,
        rows,
        chart,
        count.active,
        count.exhausted,
        count.majority_needed,
        told,
    )


def matrix_view(matrix: Matrix, candidates: tuple[str, ...], names: dict[str, str]) -> MatrixView:
    """d[x][y] (or p[x][y]) with row x, column y; `wins` when x's number beats y's."""
    rows = []
    for x in candidates:
        cells = [
            Cell(None, False) if x == y else Cell(matrix[x][y], matrix[x][y] > matrix[y][x])
            for y in candidates
        ]
        rows.append((names.get(x, x), cells))
    return MatrixView([names.get(c, c) for c in candidates], rows)


def lot_view(lot: Lot, seed_hex: str, names: dict[str, str], several: bool) -> LotView:
    tied = city_list(lot.tied, names)
    if lot.purpose == LotPurpose.WINNER:
        why = _("%(tied)s were tied for first place.") % {"tied": tied}
        rule = _("The first in the order drawn wins: %(city)s.")
    else:
        why = _("%(tied)s were tied for last place.") % {"tied": tied}
        rule = _("The last in the order drawn is eliminated: %(city)s.")
    if several:
        why = _("Counting round %(n)d:") % {"n": lot.round} + " " + why
    return LotView(
        lot.round,
        why,
        [LotKey(names.get(c, c), c, lot.keys[c]) for c in lot.order],
        names.get(lot.chosen, lot.chosen),
        rule % {"city": names.get(lot.chosen, lot.chosen)},
        LOT_COMMAND.format(seed=seed_hex, ids=" ".join(shlex.quote(c) for c in sorted(lot.tied))),
    )


def outcome_words(result: Result, names: dict[str, str]) -> str:
    match sentences.outcome(result):
        case sentences.Won(candidate=winner):
            return _("Elected: %(city)s.") % {"city": names.get(winner, winner)}
        case sentences.NoQuorum(turnout=turnout, needed=needed):
            return ngettext(
                "No winner: %(num)d ballot was cast and the quorum needs %(needed)d.",
                "No winner: %(num)d ballots were cast and the quorum needs %(needed)d.",
                turnout,
            ) % {"num": turnout, "needed": needed}
        case sentences.NoValidVotes():
            return _("No winner: no vote was counted (every ballot was blank or invalid).")
        case sentences.AnotherRound():
            return _("No winner in this round: another round of voting is needed.")
        case sentences.UnknownOutcome(outcome=code):
            return code
    raise AssertionError(result.outcome)  # pragma: no cover - every kind is handled above


def next_round_words(result: Result, names: dict[str, str]) -> str:
    match sentences.outcome(result):
        case sentences.AnotherRound(
            kind=RoundKind.LAST_PLACE_RUNOFF, candidates=tied, continuing=continuing
        ):
            return _(
                "Next: an extra round between %(tied)s only, tied for last place; its last "
                "leaves the race, and the cities still in it (%(all)s less that one) then vote "
                "again."
            ) % {"tied": city_list(tied, names), "all": city_list(continuing, names)}
        case sentences.AnotherRound(candidates=candidates):
            return _("Next: a round of voting between %(cities)s.") % {
                "cities": city_list(candidates, names)
            }
    return ""


def round_what(found: RoundResult, names: dict[str, str]) -> tuple[RoundKind, str]:
    fixed = found.manifest
    if fixed.round_kind == RoundKind.LAST_PLACE_RUNOFF:
        return RoundKind.LAST_PLACE_RUNOFF, _(
            "An extra round between the cities tied for last place (%(tied)s): its last "
            "leaves the race. Still in the race: %(all)s."
        ) % {
            "tied": city_list(fixed.candidate_ids, names),
            "all": city_list(fixed.continuing, names),
        }
    return RoundKind.REGULAR, _("A round of voting between %(cities)s.") % {
        "cities": city_list(fixed.candidate_ids, names)
    }


def quorum_words(result: Result) -> str:
    if result.quorum is None:
        return _("None: the result stands whatever the turnout.")
    needed = result.quorum_needed or 0
    if result.quorum_met:
        text = ngettext(
            "%(quorum)s of the eligible cities: at least %(num)d ballot, met.",
            "%(quorum)s of the eligible cities: at least %(num)d ballots, met.",
            needed,
        )
    else:
        text = ngettext(
            "%(quorum)s of the eligible cities: at least %(num)d ballot, NOT met.",
            "%(quorum)s of the eligible cities: at least %(num)d ballots, NOT met.",
            needed,
        )
    return text % {"quorum": result.quorum, "num": needed}


def city_names(found: list[RoundResult]) -> dict[str, str]:
    """Candidate id → city name over every round: a round's manifest names only its own
    candidates, and a last-place runoff's result speaks of the others too."""
    names: dict[str, str] = {}
    for one in found:
        names.update(one.names)
    return names


def voting_round(found: RoundResult, several: bool, names: dict[str, str]) -> VotingRound:
    """`several`: the ballot has (or may have) several rounds of voting; `names`: every
    candidate's city (see `city_names`)."""
    result = found.result
    kind, what = round_what(found, names)
    record = found.record
    seed_text = record["lot"]["seed"]
    seed = b"" if seed_text is None else from_b64url(seed_text)
    trustees = found.manifest.trustees
    member_names = {m.index: m.name for m in trustees.members}
    several_counts = len(result.rounds) > 1
    prefix = _("Round %(n)d of voting,") % {"n": found.round} if several else ""
    seal = found.seal
    return VotingRound(
        number=found.round,
        kind=kind,
        what=what,
        published_at=found.published_at,
        result=result,
        outcome=outcome_words(result, names),
        winner_city=names.get(result.winner, result.winner) if result.winner else None,
        turnout_share=share(result.turnout, result.eligible),
        quorum=quorum_words(result),
        invalid_reasons=[
            (_(REASONS.get(code, code)), n) for code, n in result.invalid_reasons.items()
        ],
        counts=[
            count_view(result, count, names, found.round, several_counts, prefix)
            for count in result.rounds
        ],
        pairwise=matrix_view(result.pairwise, result.candidates, names)
        if result.pairwise
        else None,
        strongest=matrix_view(result.strongest_paths, result.candidates, names)
        if result.strongest_paths
        else None,
        lots=[lot_view(lot, seed.hex(), names, several_counts) for lot in result.lots],
        seed=seed_text,
        seed_hex=seed.hex(),
        lot_trustees=city_list(
            [member_names.get(d["trustee"], str(d["trustee"])) for d in record["decryptions"]],
            {},
        ),
        next_round=next_round_words(result, names),
        fingerprints=Fingerprints(
            manifest_short=short_fingerprint(found.manifest_hash),
            manifest=b64url(found.manifest_hash),
            board_count=seal.count,
            board_head_short=short_fingerprint(seal.head),
            board_head=b64url(seal.head),
            sealed_at=datetime.fromisoformat(seal.closed_at.replace("Z", "+00:00")),
            seal_signature=b64url(seal.signature),
            tally_short=short_fingerprint(found.tally_hash),
            tally=b64url(found.tally_hash),
            tally_signature=b64url(found.signature),
            mix_input_count=record["mix"]["input"]["count"],
            mix_input=record["mix"]["input"]["hash"],
            shuffles=[
                (s["index"], member_names.get(s["trustee"], str(s["trustee"])), s["hash"])
                for s in record["mix"]["shuffles"]
            ],
            decryptions=[
                (member_names.get(d["trustee"], str(d["trustee"])), d["hash"])
                for d in record["decryptions"]
            ],
            votes_count=record["votes"]["count"],
            votes=record["votes"]["hash"],
        ),
    )


@dataclass(frozen=True)
class Headline:
    """The answer first: the winner, or why there is none yet."""

    winner: str | None
    text: str


def headline(ballot: Ballot, rounds: list[VotingRound]) -> Headline:
    last = rounds[-1]
    result = last.result
    if result.outcome == Outcome.ELECTED and last.winner_city:
        if len(result.tied_winners) > 1:
            return Headline(
                last.winner_city,
                _("%(city)s wins, chosen by lot among the cities tied for first place.")
                % {"city": last.winner_city},
            )
        if len(rounds) > 1:
            return Headline(
                last.winner_city,
                _("%(city)s wins, in round %(n)d of voting.")
                % {"city": last.winner_city, "n": last.number},
            )
        return Headline(last.winner_city, _("%(city)s wins.") % {"city": last.winner_city})
    if result.outcome == Outcome.NEXT_ROUND:
        if ballot.round > last.number:
            return Headline(
                None,
                _(
                    "No winner yet: round %(n)d of voting is under way (the ballot is now "
                    "“%(state)s”)."
                )
                % {"n": ballot.round, "state": _(_state_word(ballot.state))},
            )
        return Headline(
            None,
            _("No winner yet: round %(n)d needs another round of voting.") % {"n": last.number},
        )
    return Headline(None, last.outcome)


@dataclass(frozen=True)
class PublishedOutcome:
    """What a ballot's card on the home page says of its published results."""

    winner: str | None
    text: str


async def published_outcome(db: Database, ballot: Ballot) -> PublishedOutcome | None:
    """The last published round's outcome, for everyone to read; None before any."""
    found = await queries.results.tallied_rounds(db, ballot.id, include_unpublished=False)
    if not found:
        return None
    last = found[-1]
    names = city_names(found)
    winner = last.result.winner
    return PublishedOutcome(
        names.get(winner, winner) if winner else None, outcome_words(last.result, names)
    )


def _state_word(state: str) -> str:
    return STATE_WORDS.get(state, state)


def not_visible_words(ballot: Ballot, organiser: bool) -> str:
    if ballot.state == State.TALLIED and not organiser:
        return _(
            "The votes are counted; the results will be public once the organiser publishes them."
        )
    if ballot.state == State.CANCELLED:
        return _("This ballot was cancelled: it has no results.")
    return _(
        "This ballot has no results yet: it is “%(state)s”. They appear here once the "
        "votes are counted and published."
    ) % {"state": _(_state_word(ballot.state))}


class ResultsPages(Controller):
    include_in_schema = False

    @get("/ballots/{ballot_id:str}/results")
    async def results_page(
        self,
        at: NamedDependency[BallotPage],
        done: FromQuery[str] = "",
    ) -> Template:
        ballot = await visible_ballot(at.request, at.db, at.ballot_id, at.now)
        organiser = await sees_unpublished(at.request)
        found = await queries.results.tallied_rounds(
            at.db, at.ballot_id, include_unpublished=organiser
        )
        if not found:
            return await page(
                at.request,
                "results.html",
                status_code=404,
                ballot=ballot,
                rounds=[],
                missing=not_visible_words(ballot, organiser),
            )
        several = len(found) > 1 or ballot.method == Method.EXHAUSTIVE
        names = city_names(found)
        rounds = [voting_round(r, several, names) for r in found]
        allowed = lifecycle_of(ballot).allowed() if organiser else []
        return await page(
            at.request,
            "results.html",
            ballot=ballot,
            rounds=rounds,
            several=several,
            headline=headline(ballot, rounds),
            method_words=COUNT_WORDS.get(ballot.method, ""),
            organiser=organiser,
            actions=[a for a in RESULT_ACTIONS if a in allowed],
            action_buttons=ACTION_BUTTONS,
            notice=_(DONE[done]) if organiser and done in DONE else "",
        )
