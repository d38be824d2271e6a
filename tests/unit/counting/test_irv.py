"""Instant runoff: small elections counted by hand."""

from __future__ import annotations

import random

import pytest

from inmc_vote.domain.counting import LotNeeded, Round, Rules, count, draw

from .helpers import SEED, counted, run

ABC = ("a", "b", "c")


def test_a_first_round_majority_wins_at_once() -> None:
    result = run("irv", ABC, [(3, ("a", "b")), (1, ("b",)), (1, ("c", "a"))])
    assert result.rounds == (Round(1, {"a": 3, "b": 1, "c": 1}, 0, 5, 3, "a", (), "majority"),)
    assert result.tied_winners == ("a",)


def test_the_last_is_eliminated_and_its_ballots_move_on() -> None:
    # 4 a; 3 b>c; 2 c>b: c goes, its 2 ballots go to b, who then has 5 of 9.
    result = run("irv", ABC, [(4, ("a",)), (3, ("b", "c")), (2, ("c", "b"))])
    assert result.rounds == (
        Round(1, {"a": 4, "b": 3, "c": 2}, 0, 9, 5, None, ("c",), "fewest-votes"),
        Round(2, {"a": 4, "b": 5}, 0, 9, 5, "b", (), "majority"),
    )
    assert result.winner == "b"


def test_exhausted_ballots_are_set_aside_and_the_majority_is_of_those_left() -> None:
    # 4 a; 3 b; 2 c (no further choice): after c goes, a has 4 of the 7 still counting.
    result = run("irv", ABC, [(4, ("a",)), (3, ("b",)), (2, ("c",))])
    second = result.rounds[1]
    assert (second.exhausted, second.active, second.majority_needed) == (2, 7, 4)
    assert (second.elected, second.reason) == ("a", "majority")


def test_a_ballot_skips_candidates_already_eliminated() -> None:
    # d goes first, then c; the c>d>b ballots pass over d (gone) to b.
    result = run(
        "irv",
        ("a", "b", "c", "d"),
        [(5, ("a",)), (4, ("b",)), (2, ("c", "d", "b")), (1, ("d", "c"))],
    )
    assert [r.eliminated for r in result.rounds[:2]] == [("d",), ("c",)]
    assert result.rounds[1].tallies == {"a": 5, "b": 4, "c": 3}
    assert result.rounds[2].tallies == {"a": 5, "b": 6}
    assert result.rounds[2].exhausted == 1
    assert result.winner == "b"


def test_a_tie_for_last_is_settled_by_lot_and_the_last_in_lot_order_goes() -> None:
    # 4 a; 2 b>a; 2 c>a: no majority (4 of 8), b and c tied for last.
    result = run("irv", ABC, [(4, ("a",)), (2, ("b", "a")), (2, ("c", "a"))])
    out = draw(SEED, ["b", "c"])[-1]
    first = result.rounds[0]
    assert (first.eliminated, first.reason) == ((out,), "lot")
    (lot,) = result.lots
    assert (lot.round, lot.purpose, lot.tied, lot.chosen) == (1, "eliminate", ("b", "c"), out)
    assert result.winner == "a"
    assert result.tied_winners == ("a",)


def test_two_left_and_tied_the_lot_picks_the_winner() -> None:
    result = run("irv", ABC, [(3, ("a",)), (3, ("b",)), (1, ("c",))])
    final = result.rounds[-1]
    assert final.tallies == {"a": 3, "b": 3}
    assert final.exhausted == 1
    assert final.reason == "lot"
    assert result.tied_winners == ("a", "b")
    assert result.winner == draw(SEED, ["a", "b"])[0]
    assert result.lots[-1].purpose == "winner"
    assert result.lots[-1].round == 2


def test_the_lot_needs_the_seed() -> None:
    with pytest.raises(LotNeeded, match="round 1: a tie for last place between b, c"):
        run("irv", ABC, [(4, ("a",)), (2, ("b",)), (2, ("c",))], seed=None)


def test_one_candidate_ballot() -> None:
    result = run("irv", ("a",), [(2, ("a",))])
    assert (result.winner, result.rounds[0].reason) == ("a", "majority")


def test_two_hundred_thousand_distinct_ballots_and_25_candidates_are_counted() -> None:
    """The largest real file (San Francisco 2011) has 194,530 ballots and 25 candidates but
    only 3,294 distinct rankings; here nearly every ballot differs, the worst case. How
    fast: bench/counting_bench.py."""
    cities = tuple(f"city-{i:02d}" for i in range(25))
    rng = random.Random(2027)
    orders = [tuple(rng.sample(cities, 25)) for _ in range(7_800)]
    rotated = [order[i:] + order[:i] for order in orders for i in range(25)]
    rankings = [r[: 1 + (7 * j) % 25] for j, r in enumerate(rotated)]
    verdicts = [counted(*r) for r in rankings]
    assert len(verdicts) == 195_000
    assert len(set(rankings)) > 170_000
    result = count("irv", cities, Rules(), verdicts, eligible=len(verdicts), seed=SEED)
    assert result.outcome == "elected"
    assert sum(result.rounds[0].tallies.values()) == 195_000


def test_counted_verdicts_made_by_hand_are_checked() -> None:
    with pytest.raises(ValueError, match="cannot count"):
        count("irv", ABC, Rules(), [counted("a", "z")], eligible=1, seed=SEED)
    with pytest.raises(ValueError, match="cannot count"):
        count("irv", ABC, Rules(), [counted("a", "a")], eligible=1, seed=SEED)
    with pytest.raises(ValueError, match="one choice"):
        count("plurality", ABC, Rules(), [counted("a", "b")], eligible=1, seed=SEED)
