"""domain/counting/sentences.py: why each round ended and how the count ended, as facts
that the plain text (`explain`) and the results page (`happened`) both word."""

from __future__ import annotations

from fractions import Fraction

import pytest

from inmc_vote.domain.counting import Rules, Verdict
from inmc_vote.domain.counting.explain import explain
from inmc_vote.domain.counting.result import Result
from inmc_vote.domain.counting.sentences import (
    AnotherRound,
    Elected,
    Eliminated,
    NoQuorum,
    NoValidVotes,
    RunoffForLast,
    Unexplained,
    VoteAgain,
    Won,
    outcome,
    round_sentences,
)
from inmc_vote.web.pages.results import happened, next_round_words, outcome_words

from .helpers import SEED, run

ABC = ("a", "b", "c")
NAMES = {"a": "Lyon", "b": "Porto", "c": "Gdańsk", "d": "Turku"}


def test_an_instant_runoff_round_by_round() -> None:
    result = run("irv", ABC, [(4, ("a",)), (3, ("b", "c")), (2, ("c", "b"))])
    first, second = (round_sentences(result, r) for r in result.rounds)
    assert first == [Eliminated(1, "c", 2, None)]
    assert second == [Elected(2, "b", "majority", 5, 9, 5, None)]
    assert outcome(result) == Won("b", ())


def test_a_lot_is_named_in_its_sentence() -> None:
    result = run("irv", ABC, [(4, ("a",)), (2, ("b", "a")), (2, ("c", "a"))])
    (lot,) = result.lots
    assert round_sentences(result, result.rounds[0]) == [Eliminated(1, lot.chosen, 2, lot)]
    tie = run("plurality", ABC, [(2, ("a",)), (2, ("b",))])
    (drawn,) = tie.lots
    assert round_sentences(tie, tie.rounds[0]) == [
        Elected(1, drawn.chosen, "lot", 2, 4, None, drawn)
    ]
    assert outcome(tie) == Won(drawn.chosen, ("a", "b"))


def test_the_exhaustive_rounds_and_what_comes_next() -> None:
    runoff = run(
        "exhaustive",
        ("a", "b", "c", "d"),
        [(5, ("a",)), (4, ("b",)), (2, ("c",)), (2, ("d",))],
        Rules(last_place_tie="runoff"),
    )
    assert round_sentences(runoff, runoff.rounds[0]) == [RunoffForLast(1, ("c", "d"), 2)]
    assert outcome(runoff) == AnotherRound(
        "last-place-runoff", ("c", "d"), ("a", "b", "c", "d"), ("a", "b")
    )
    again = run(
        "exhaustive", ("a", "b"), [(3, ("a",)), (3, ("b",))], Rules(last_place_tie="runoff")
    )
    assert round_sentences(again, again.rounds[0]) == [VoteAgain(1, ("a", "b"))]


def test_no_quorum_and_no_valid_votes() -> None:
    few = run("plurality", ABC, [(3, ("a",))], Rules(quorum=Fraction(1, 2)), eligible=40, seed=SEED)
    assert outcome(few) == NoQuorum(3, 20, "1/2", 40, True)
    none = run("approval", ABC, [], extra=[Verdict("blank")])
    assert outcome(none) == NoValidVotes()


EVERY_KIND = {
    "irv": run("irv", ABC, [(4, ("a",)), (3, ("b", "c")), (2, ("c", "b"))]),
    "irv-lot": run("irv", ABC, [(4, ("a",)), (2, ("b", "a")), (2, ("c", "a"))]),
    "plurality-lot": run("plurality", ABC, [(2, ("a",)), (2, ("b",))]),
    "approval": run("approval", ABC, [(3, ("a", "b")), (1, ("b",))]),
    "schulze": run("schulze", ABC, [(2, ("a", "b")), (1, ("c",))]),
    "exhaustive-runoff": run(
        "exhaustive",
        ("a", "b", "c", "d"),
        [(5, ("a",)), (4, ("b",)), (2, ("c",)), (2, ("d",))],
        Rules(last_place_tie="runoff"),
    ),
    "exhaustive-next": run("exhaustive", ABC, [(3, ("a",)), (2, ("b",)), (1, ("c",))]),
}


@pytest.mark.parametrize("result", EVERY_KIND.values(), ids=list(EVERY_KIND))
def test_the_text_and_the_page_word_every_sentence(result: Result) -> None:
    """Both media word each sentence the domain gives, and name the same candidates."""
    text = "\n".join(explain(result, NAMES))
    for count in result.rounds:
        sentences = round_sentences(result, count)
        assert not any(isinstance(s, Unexplained) for s in sentences)
        page = happened(result, count, NAMES)
        for s in sentences:
            named = {getattr(s, "candidate", None), *getattr(s, "tied", ())} - {None}
            for candidate in named:
                assert NAMES[candidate] in page
                assert f"{NAMES[candidate]} [{candidate}]" in text
    assert outcome_words(result, NAMES) not in {"", result.outcome}  # words, not the code
    if isinstance(outcome(result), AnotherRound):
        assert next_round_words(result, NAMES).startswith("Next: ")
        assert "Next: " in text


def test_the_most_approvals_is_said_so_in_both() -> None:
    result = EVERY_KIND["approval"]
    assert "has the most approvals: elected." in "\n".join(explain(result, NAMES))
    assert happened(result, result.rounds[0], NAMES) == "Porto has the most approvals: elected."
