"""The exhaustive ballot, one round of voting per call, as the service runs it."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from inmc_vote.domain.counting import NextRound, Result, Rules, draw

from .helpers import SEED, run

OLYMPIC_1997 = ("athens", "rome", "cape-town", "stockholm", "buenos-aires")


def round_of(
    votes: Mapping[str, int], rules: Rules, candidates: tuple[str, ...] | None = None
) -> Result:
    return run(
        "exhaustive",
        candidates or tuple(votes),
        [(n, (city,)) for city, n in votes.items()],
        rules,
    )


def rules_for(next_round: NextRound, last_place_tie: str) -> Rules:
    """What the service writes in the next round's manifest."""
    return Rules(
        last_place_tie=last_place_tie,
        round_kind=next_round.kind,
        continuing=next_round.continuing,
    )


def test_the_1997_olympic_vote_with_its_runoff_for_last_place() -> None:
    """Lausanne, 5 September 1997, the 2004 Summer Games: Cape Town and Buenos Aires tied
    for last in the first round; a runoff between them put Buenos Aires out."""
    rules = Rules(last_place_tie="runoff")
    first = round_of(
        {"athens": 32, "rome": 23, "cape-town": 16, "stockholm": 20, "buenos-aires": 16}, rules
    )
    assert first.outcome == "next-round"
    assert first.winner is None
    assert first.rounds[0].majority_needed == 54
    assert first.rounds[0].reason == "tie-runoff"
    assert first.rounds[0].eliminated == ()
    assert first.next_round == NextRound(
        "last-place-runoff", ("cape-town", "buenos-aires"), OLYMPIC_1997
    )

    runoff = round_of({"cape-town": 62, "buenos-aires": 44}, rules_for(first.next_round, "runoff"))
    assert runoff.rounds[0].eliminated == ("buenos-aires",)
    assert runoff.rounds[0].reason == "fewest-votes"
    assert runoff.rounds[0].majority_needed is None
    assert runoff.next_round == NextRound("regular", ("athens", "rome", "cape-town", "stockholm"))

    second = round_of(
        {"athens": 38, "rome": 28, "cape-town": 22, "stockholm": 19},
        rules_for(runoff.next_round, "runoff"),
    )
    assert second.rounds[0].eliminated == ("stockholm",)
    third = round_of(
        {"athens": 52, "rome": 35, "cape-town": 20}, rules_for(second.next_round, "runoff")
    )
    assert third.rounds[0].eliminated == ("cape-town",)
    assert third.next_round == NextRound("regular", ("athens", "rome"))
    final = round_of({"athens": 66, "rome": 41}, rules_for(third.next_round, "runoff"))
    assert (final.outcome, final.winner, final.rounds[0].reason) == (
        "elected",
        "athens",
        "majority",
    )
    assert final.rounds[0].majority_needed == 54


def test_a_majority_means_more_than_half_the_valid_votes() -> None:
    rules = Rules()
    assert round_of({"a": 5, "b": 3, "c": 2}, rules).next_round is not None  # 5 of 10
    elected = round_of({"a": 6, "b": 3, "c": 2}, rules)  # 6 of 11
    assert (elected.winner, elected.rounds[0].majority_needed) == ("a", 6)


def test_blank_and_invalid_votes_are_not_valid_votes() -> None:
    from inmc_vote.domain.counting import Verdict, invalid

    result = run(
        "exhaustive",
        ("a", "b", "c"),
        [(5, ("a",)), (3, ("b",)), (1, ("c",))],
        extra=[Verdict("blank")] * 3 + [invalid("malformed")] * 2,
    )
    assert result.valid == 9
    assert result.rounds[0].majority_needed == 5
    assert result.winner == "a"


def test_the_fewest_votes_leaves_the_race() -> None:
    result = round_of({"a": 4, "b": 3, "c": 2, "d": 1}, Rules(last_place_tie="runoff"))
    assert result.rounds[0].eliminated == ("d",)
    assert result.rounds[0].reason == "fewest-votes"
    assert result.next_round == NextRound("regular", ("a", "b", "c"))


def test_a_tie_for_last_by_lot_eliminates_the_last_in_the_lot_order() -> None:
    votes = {"athens": 32, "rome": 23, "cape-town": 16, "stockholm": 20, "buenos-aires": 16}
    result = round_of(votes, Rules(last_place_tie="lot"))
    out = draw(SEED, ["cape-town", "buenos-aires"])[-1]
    assert result.rounds[0].eliminated == (out,)
    assert result.rounds[0].reason == "lot"
    (lot,) = result.lots
    assert (lot.purpose, lot.tied, lot.chosen) == ("eliminate", ("cape-town", "buenos-aires"), out)
    assert result.next_round == NextRound("regular", tuple(c for c in OLYMPIC_1997 if c != out))


def test_two_candidates_tied_lot_picks_the_winner() -> None:
    result = round_of({"a": 5, "b": 5}, Rules(last_place_tie="lot"))
    assert result.outcome == "elected"
    assert result.winner == draw(SEED, ["a", "b"])[0]
    assert result.tied_winners == ("a", "b")
    assert result.lots[0].purpose == "winner"


def test_two_candidates_tied_runoff_they_vote_again() -> None:
    result = round_of({"a": 5, "b": 5}, Rules(last_place_tie="runoff"))
    assert result.outcome == "next-round"
    assert result.rounds[0].reason == "no-majority"
    assert result.next_round == NextRound("regular", ("a", "b"))
    assert result.lots == ()


def test_everyone_tied_for_last_under_runoff_is_a_runoff_among_all() -> None:
    result = round_of({"a": 3, "b": 3, "c": 3}, Rules(last_place_tie="runoff"))
    assert result.next_round == NextRound("last-place-runoff", ("a", "b", "c"), ("a", "b", "c"))


def test_a_runoff_for_last_that_ties_again_goes_to_the_lot() -> None:
    rules = Rules(
        last_place_tie="runoff", round_kind="last-place-runoff", continuing=("a", "b", "c", "d")
    )
    result = round_of({"c": 7, "d": 7}, rules)
    out = draw(SEED, ["c", "d"])[-1]
    assert result.rounds[0].eliminated == (out,)
    assert result.rounds[0].reason == "lot"
    assert result.lots[0].purpose == "eliminate"
    assert result.next_round == NextRound("regular", tuple(c for c in "abcd" if c != out))


def test_a_runoff_for_last_that_leaves_one_candidate_elects_it() -> None:
    rules = Rules(last_place_tie="runoff", round_kind="last-place-runoff", continuing=("a", "b"))
    result = round_of({"a": 3, "b": 4}, rules)
    assert result.rounds[0].eliminated == ("a",)
    assert (result.outcome, result.winner, result.next_round) == ("elected", "b", None)


def test_a_runoff_for_last_must_be_among_continuing_candidates() -> None:
    rules = Rules(round_kind="last-place-runoff", continuing=("a", "b", "c"))
    with pytest.raises(ValueError, match="continuing"):
        round_of({"a": 1, "z": 2}, rules)
    with pytest.raises(ValueError, match="two or more"):
        round_of({"a": 1}, rules)
    with pytest.raises(ValueError, match="exhaustive"):
        run("plurality", ("a", "b"), [(1, ("a",))], rules)
