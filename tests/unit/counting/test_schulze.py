"""Schulze with winning votes: the textbook example and partial rankings."""

from __future__ import annotations

from inmc_vote.domain.counting import draw

from .helpers import SEED, run

ABCDE = ("A", "B", "C", "D", "E")

# Schulze's own example (45 voters, 5 candidates), as given on Wikipedia's "Schulze method".
TEXTBOOK = [
    (5, tuple("ACBED")),
    (5, tuple("ADECB")),
    (8, tuple("BEDAC")),
    (3, tuple("CABED")),
    (7, tuple("CAEBD")),
    (2, tuple("CBADE")),
    (7, tuple("DCEBA")),
    (8, tuple("EBADC")),
]


def test_the_textbook_example_pairwise_paths_and_winner() -> None:
    result = run("schulze", ABCDE, TEXTBOOK)
    assert result.pairwise == {
        "A": {"B": 20, "C": 26, "D": 30, "E": 22},
        "B": {"A": 25, "C": 16, "D": 33, "E": 18},
        "C": {"A": 19, "B": 29, "D": 17, "E": 24},
        "D": {"A": 15, "B": 12, "C": 28, "E": 14},
        "E": {"A": 23, "B": 27, "C": 21, "D": 31},
    }
    assert result.strongest_paths == {
        "A": {"B": 28, "C": 28, "D": 30, "E": 24},
        "B": {"A": 25, "C": 28, "D": 33, "E": 24},
        "C": {"A": 25, "B": 29, "D": 29, "E": 24},
        "D": {"A": 25, "B": 28, "C": 28, "E": 24},
        "E": {"A": 25, "B": 28, "C": 28, "D": 31},
    }
    assert (result.winner, result.tied_winners) == ("E", ("E",))
    (round_,) = result.rounds
    assert round_.tallies == {"A": 10, "B": 8, "C": 12, "D": 7, "E": 8}  # first preferences
    assert (round_.elected, round_.reason) == ("E", "strongest-paths")


def test_an_unranked_candidate_is_below_every_ranked_one() -> None:
    result = run("schulze", ("a", "b", "c"), [(2, ("a",)), (1, ("b", "c")), (1, ("c",))])
    d = result.pairwise
    assert d is not None
    assert d["a"] == {"b": 2, "c": 2}  # ranked alone: above both
    assert d["b"] == {"a": 1, "c": 1}
    assert d["c"] == {"a": 2, "b": 1}
    assert (d["b"]["c"], d["c"]["b"]) == (1, 1)  # b>c once, c alone once; never both unranked


def test_a_condorcet_winner_wins() -> None:
    result = run("schulze", ("a", "b", "c"), [(3, ("b", "a", "c")), (2, ("c", "a", "b"))])
    assert result.winner == "b"
    result = run(
        "schulze", ("a", "b", "c"), [(2, ("b", "a", "c")), (2, ("c", "a", "b")), (1, ("a",))]
    )
    assert result.winner == "a"  # never first for most, but beats both


def test_winning_votes_not_margins() -> None:
    """3 a; 2 b>a>c; 4 c>b. The cycle b>a 6-3, a>c 5-4, c>b 4-2: by winning votes its
    weakest link is c>b (4), so b wins; by margins it would be a>c (+1), and c would win."""
    result = run("schulze", ("a", "b", "c"), [(3, ("a",)), (2, ("b", "a", "c")), (4, ("c", "b"))])
    assert result.pairwise == {
        "a": {"b": 3, "c": 5},
        "b": {"a": 6, "c": 2},
        "c": {"a": 4, "b": 4},
    }
    assert result.strongest_paths == {
        "a": {"b": 4, "c": 5},
        "b": {"a": 6, "c": 5},
        "c": {"a": 4, "b": 4},
    }
    assert result.winner == "b"


def test_tied_winners_go_to_the_lot() -> None:
    result = run("schulze", ("a", "b", "c"), [(1, ("a", "b", "c")), (1, ("b", "a", "c"))])
    assert result.tied_winners == ("a", "b")
    assert result.winner == draw(SEED, ["a", "b"])[0]
    assert result.rounds[0].reason == "lot"
    assert result.lots[0].purpose == "winner"


def test_a_cycle_is_broken_at_its_weakest_link() -> None:
    # a>b 6-3, b>c 7-2, c>a 5-4: the weakest link, c>a, gives way.
    result = run(
        "schulze",
        ("a", "b", "c"),
        [(4, ("a", "b", "c")), (3, ("b", "c", "a")), (2, ("c", "a", "b"))],
    )
    d = result.pairwise
    assert d is not None
    assert (d["a"]["b"], d["b"]["c"], d["c"]["a"]) == (6, 7, 5)
    assert result.winner == "a"
