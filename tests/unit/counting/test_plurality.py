"""Plurality and approval: one round, the highest tally wins, a tie for first by lot."""

from __future__ import annotations

from inmc_vote.domain.counting import Round, draw

from .helpers import SEED, run

CITIES = ("lyon", "porto", "gdansk")


def test_plurality_most_votes_wins_without_a_majority() -> None:
    result = run("plurality", CITIES, [(4, ("lyon",)), (3, ("porto",)), (3, ("gdansk",))])
    assert result.winner == "lyon"
    assert result.tied_winners == ("lyon",)
    assert result.outcome == "elected"
    assert result.rounds == (
        Round(1, {"lyon": 4, "porto": 3, "gdansk": 3}, 0, 10, None, "lyon", (), "most-votes"),
    )
    assert result.lots == ()


def test_plurality_shows_candidates_with_no_vote() -> None:
    result = run("plurality", CITIES, [(1, ("porto",))])
    assert result.rounds[0].tallies == {"lyon": 0, "porto": 1, "gdansk": 0}


def test_plurality_tie_for_first_goes_to_the_lot() -> None:
    result = run("plurality", CITIES, [(3, ("lyon",)), (3, ("gdansk",)), (1, ("porto",))])
    order = draw(SEED, ["lyon", "gdansk"])
    assert result.tied_winners == ("lyon", "gdansk")
    assert result.winner == order[0]
    (lot,) = result.lots
    assert (lot.round, lot.purpose, lot.tied, lot.chosen) == (
        1,
        "winner",
        ("lyon", "gdansk"),
        order[0],
    )
    assert result.rounds[0].reason == "lot"
    assert result.rounds[0].elected == order[0]


def test_approval_most_approvals_wins() -> None:
    result = run(
        "approval",
        CITIES,
        [(3, ("lyon", "porto")), (2, ("porto",)), (4, ("gdansk",)), (1, ("lyon", "gdansk"))],
    )
    assert result.rounds[0].tallies == {"lyon": 4, "porto": 5, "gdansk": 5}
    assert result.rounds[0].active == 10  # ballots, not approvals
    assert result.tied_winners == ("porto", "gdansk")
    assert result.winner == draw(SEED, ["porto", "gdansk"])[0]


def test_approval_a_clear_winner() -> None:
    result = run("approval", CITIES, [(3, ("lyon", "porto")), (2, ("porto", "gdansk"))])
    assert (result.winner, result.rounds[0].reason) == ("porto", "most-votes")
    assert result.rounds[0].tallies == {"lyon": 3, "porto": 5, "gdansk": 2}
