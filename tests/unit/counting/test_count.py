"""domain/counting/__init__.py: the totals, the quorum and the outcome around a method's
count, and the result's JSON."""

from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest

from inmc_vote.domain.counting import Result, Rules, Verdict, count, invalid
from inmc_vote.domain.protocol.encoding import canonical_json

from .helpers import SEED, ballots, run

ABC = ("a", "b", "c")
BLANK = Verdict("blank")


def test_turnout_counts_every_ballot_valid_only_the_counted_ones() -> None:
    result = run(
        "plurality",
        ABC,
        [(3, ("a",)), (2, ("b",))],
        extra=[BLANK, BLANK, invalid("empty"), invalid("malformed"), invalid("malformed")],
        eligible=40,
    )
    assert (result.eligible, result.turnout, result.valid, result.blank, result.invalid) == (
        40,
        10,
        5,
        2,
        3,
    )
    assert result.invalid_reasons == {"malformed": 2, "empty": 1}
    assert result.rounds[0].active == 5


def test_the_quorum_is_rounded_up_and_counts_blank_and_invalid_ballots() -> None:
    rules = Rules(quorum=Fraction(2, 3))
    spec = [(20, ("a",)), (3, ("b",))]
    short = run("plurality", ABC, spec, rules, extra=[BLANK, invalid("empty")], eligible=40)
    # 2/3 of 40 is 26.67: 27 ballots are needed, 25 were cast
    assert (short.quorum, short.quorum_needed, short.quorum_met) == ("2/3", 27, False)
    assert (short.outcome, short.winner, short.tied_winners) == ("no-quorum", None, ())
    assert short.rounds[0].tallies == {"a": 20, "b": 3, "c": 0}  # still shown
    met = run("plurality", ABC, spec, rules, extra=[BLANK] * 4, eligible=40)
    assert (met.quorum_met, met.outcome, met.winner) == (True, "elected", "a")


def test_no_quorum_means_no_next_round_either() -> None:
    result = run(
        "exhaustive",
        ABC,
        [(2, ("a",)), (2, ("b",)), (1, ("c",))],
        Rules(quorum=Fraction(1, 2)),
        eligible=40,
    )
    assert (result.outcome, result.next_round) == ("no-quorum", None)
    assert result.rounds[0].eliminated == ("c",)


def test_without_a_quorum_rule_nothing_is_needed() -> None:
    result = run("plurality", ABC, [(1, ("a",))], eligible=40)
    assert (result.quorum, result.quorum_needed, result.quorum_met) == (None, 0, True)


def test_no_counted_vote_no_winner_and_no_round() -> None:
    result = count("irv", ABC, Rules(), [BLANK, invalid("empty")], eligible=40, seed=None)
    assert (result.outcome, result.winner, result.rounds, result.lots) == (
        "no-valid-votes",
        None,
        (),
        (),
    )
    nothing = count("irv", ABC, Rules(), [], eligible=40, seed=None)
    assert (nothing.turnout, nothing.outcome) == (0, "no-valid-votes")
    no_quorum = count("irv", ABC, Rules(quorum=Fraction(1, 2)), [BLANK], eligible=40, seed=None)
    assert no_quorum.outcome == "no-quorum"


@pytest.mark.parametrize("method", ["plurality", "exhaustive", "irv", "schulze", "approval"])
def test_the_order_of_the_ballots_changes_nothing(method: str) -> None:
    rng = random.Random(method)
    cities = ("lyon", "porto", "gdansk", "turku")
    single = method in ("plurality", "exhaustive")
    verdicts = [
        Verdict("counted", None, tuple(rng.sample(cities, 1 if single else rng.randint(1, 4))))
        for _ in range(200)
    ] + [BLANK, invalid("malformed"), invalid("wrong-kind")]
    if method == "approval":
        order = {c: i for i, c in enumerate(cities)}
        verdicts = [
            Verdict(v.kind, v.reason, tuple(sorted(v.marks, key=order.__getitem__)))
            for v in verdicts
        ]
    first = count(method, cities, Rules(), verdicts, eligible=300, seed=SEED)
    rng.shuffle(verdicts)
    again = count(method, cities, Rules(), verdicts, eligible=300, seed=SEED)
    assert canonical_json(first.to_json()) == canonical_json(again.to_json())


@pytest.mark.parametrize(
    ("method", "spec", "rules"),
    [
        ("plurality", [(2, ("a",)), (2, ("b",))], Rules()),
        ("approval", [(2, ("a", "b")), (1, ("c",))], Rules(quorum=Fraction(1, 3))),
        ("irv", [(3, ("a", "b")), (2, ("b",)), (2, ("c", "b"))], Rules()),
        ("schulze", [(1, ("a", "b", "c")), (1, ("b", "a")), (1, ("c",))], Rules()),
        ("exhaustive", [(2, ("a",)), (2, ("b",)), (2, ("c",))], Rules(last_place_tie="runoff")),
        ("exhaustive", [(2, ("a",)), (1, ("b",)), (1, ("c",))], Rules()),
    ],
)
def test_the_json_round_trip_is_exact_and_canonical(
    method: str, spec: list[tuple[int, tuple[str, ...]]], rules: Rules
) -> None:
    result = run(method, ABC, spec, rules, extra=[BLANK, invalid("empty")], eligible=12)
    data = result.to_json()
    assert Result.from_json(data) == result
    assert Result.from_json(data).to_json() == data
    text = canonical_json(data)  # no floats, string keys only
    assert Result.from_json(json.loads(text)) == result


def test_the_json_names_every_field() -> None:
    data = run("schulze", ABC, [(1, ("a", "b"))]).to_json()
    assert set(data) == {
        "method",
        "candidates",
        "eligible",
        "turnout",
        "quorum",
        "quorum_needed",
        "quorum_met",
        "valid",
        "blank",
        "invalid",
        "invalid_reasons",
        "rounds",
        "pairwise",
        "strongest_paths",
        "lots",
        "tied_winners",
        "winner",
        "outcome",
        "next_round",
    }
    assert data["pairwise"]["a"] == {"b": 1, "c": 1}
    assert set(data["rounds"][0]) == {
        "number",
        "tallies",
        "exhausted",
        "active",
        "majority_needed",
        "elected",
        "eliminated",
        "reason",
    }


@pytest.mark.parametrize(
    ("candidates", "verdicts", "words"),
    [
        ((), [], "at least one candidate"),
        (("a", "a"), [], "twice"),
        (ABC, [Verdict("spoilt")], "verdict kinds"),
        (ABC, [Verdict("invalid")], "needs its reason"),
    ],
)
def test_arguments_that_contradict_are_refused(
    candidates: tuple[str, ...], verdicts: list[Verdict], words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        count("irv", candidates, Rules(), verdicts, eligible=1, seed=None)


def test_the_method_is_checked() -> None:
    with pytest.raises(ValueError, match="borda"):
        count("borda", ABC, Rules(), ballots([(1, ("a",))]), eligible=1, seed=None)
