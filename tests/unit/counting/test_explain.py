"""domain/counting/explain.py: the result in words, as `inmc-vote count` prints it."""

from __future__ import annotations

from fractions import Fraction

from inmc_vote.domain.counting import Rules, Verdict, invalid
from inmc_vote.domain.counting.explain import explain

from .helpers import SEED, run

NAMES = {"a": "Lyon, France", "b": "Porto, Portugal", "c": "Gdańsk, Poland"}
ABC = ("a", "b", "c")


def text_of(*args: object, **kwargs: object) -> str:
    return "\n".join(explain(*args, **kwargs))  # type: ignore[arg-type]


def test_irv_round_by_round_with_names_eliminations_and_the_winner() -> None:
    result = run(
        "irv",
        ABC,
        [(4, ("a",)), (3, ("b", "c")), (2, ("c", "b"))],
        extra=[Verdict("blank"), invalid("duplicate-rank")],
    )
    text = text_of(result, NAMES, title="Host city 2027", notes=["a note"])
    lines = text.splitlines()
    assert lines[:3] == ["Host city 2027", "a note", "Method: Instant runoff (ranked choices)"]
    assert "Candidates: Lyon, France [a], Porto, Portugal [b], Gdańsk, Poland [c]" in text
    assert "Counted: 9    blank: 1    invalid: 1" in text
    assert (
        "1 invalid (duplicate-rank): The ranking names the same candidate more than once." in text
    )
    assert "Round 1: 9 ballots counted, a majority is 5, 0 exhausted" in text
    assert "Gdańsk, Poland [c] has the fewest votes (2) and is eliminated." in text
    assert "Porto, Portugal [b] has more than half (5 of 9): elected." in text
    assert lines[-1] == "Winner: Porto, Portugal [b]"


def test_every_lot_with_its_keys_and_order() -> None:
    result = run("irv", ABC, [(4, ("a",)), (2, ("b", "a")), (2, ("c", "a"))])
    (lot,) = result.lots
    text = text_of(result)
    assert "b and c tied for last with 2: by lot," in text
    assert "Round 1, a tie for last place between b and c:" in text
    for candidate in ("b", "c"):
        assert lot.keys[candidate] in text
    assert f"order: {', '.join(lot.order)} → {lot.chosen} eliminated" in text


def test_a_winner_by_lot_says_so() -> None:
    result = run("plurality", ABC, [(2, ("a",)), (2, ("b",))])
    assert f"Winner: {result.winner}, by lot among a and b" in text_of(result)


def test_no_quorum_says_why_and_that_the_count_is_for_information() -> None:
    result = run(
        "plurality", ABC, [(3, ("a",))], Rules(quorum=Fraction(1, 2)), eligible=40, seed=SEED
    )
    text = text_of(result)
    assert "Quorum: 1/2 of the eligible, 20 ballots: NOT met" in text
    assert "No winner: 3 ballots cast, fewer than the 20 that the quorum (1/2 of 40" in text
    assert "shown for information only" in text


def test_the_exhaustive_next_rounds_in_words() -> None:
    runoff = run(
        "exhaustive",
        ("a", "b", "c", "d"),
        [(5, ("a",)), (4, ("b",)), (2, ("c",)), (2, ("d",))],
        Rules(last_place_tie="runoff"),
    )
    text = text_of(runoff)
    assert "c and d tie for last with 2: a runoff among them decides which leaves the race" in text
    assert "Next: a runoff for last place between c and d;" in text
    assert "the others go on with a and b." in text
    rules = Rules(round_kind="last-place-runoff", continuing=("a", "b", "c", "d"))
    then = run("exhaustive", ("c", "d"), [(3, ("c",)), (4, ("d",))], rules)
    text = text_of(then)
    assert "Round 1, a runoff for last place: 7 valid votes" in text
    assert "c has the fewest votes (3) and is eliminated." in text
    assert "No winner yet. Next: a round between a, b and d." in text
    again = run(
        "exhaustive", ("a", "b"), [(3, ("a",)), (3, ("b",))], Rules(last_place_tie="runoff")
    )
    assert "No majority: a and b tie; the same two vote again." in text_of(again)


def test_schulze_shows_both_matrices() -> None:
    result = run("schulze", ABC, [(2, ("a", "b")), (1, ("c",))])
    text = text_of(result, NAMES)
    assert "Pairwise: the ballots that rank the row's candidate above the column's" in text
    assert "Strongest paths (winning votes)" in text
    assert "Lyon, France [a] wins every comparison of strongest paths: elected." in text
    assert "first preferences" in text


def test_no_valid_votes() -> None:
    result = run("approval", ABC, [], extra=[Verdict("blank")])
    assert text_of(result).splitlines()[-1] == "No winner: no vote was counted."
