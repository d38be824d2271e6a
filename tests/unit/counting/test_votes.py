"""domain/counting/votes.py: what each decrypted vote counts as, and why not."""

from __future__ import annotations

from typing import Any

import pytest

from inmc_vote.domain.counting import REASONS, Rules, Verdict, classify, invalid

CITIES = ("lyon", "porto", "gdansk")
RULES = Rules()


def test_a_choice_a_ranking_and_approvals_are_counted_with_their_marks() -> None:
    assert classify({"v": 1, "choice": "porto"}, "plurality", CITIES, RULES) == Verdict(
        "counted", None, ("porto",)
    )
    assert classify({"v": 1, "choice": "porto"}, "exhaustive", CITIES, RULES).marks == ("porto",)
    ranking = {"v": 1, "ranking": ["gdansk", "lyon"]}
    for method in ("irv", "schulze"):
        assert classify(ranking, method, CITIES, RULES).marks == ("gdansk", "lyon")


def test_approvals_are_kept_in_candidate_order_so_equal_sets_are_equal_marks() -> None:
    one = classify({"v": 1, "approve": ["gdansk", "lyon"]}, "approval", CITIES, RULES)
    other = classify({"v": 1, "approve": ["lyon", "gdansk"]}, "approval", CITIES, RULES)
    assert one == other == Verdict("counted", None, ("lyon", "gdansk"))


def test_a_blank_vote_is_blank_under_every_method_unless_the_rules_forbid_it() -> None:
    blank = {"v": 1, "blank": True}
    for method in ("plurality", "exhaustive", "irv", "schulze", "approval"):
        assert classify(blank, method, CITIES, RULES) == Verdict("blank")
    refused = classify(blank, "irv", CITIES, Rules(blank_allowed=False))
    assert refused == Verdict("invalid", "blank-not-allowed")


@pytest.mark.parametrize(
    "vote",
    [
        "lyon",
        ["lyon"],
        None,
        {"choice": "lyon"},
        {"v": 1},
        {"v": 2, "choice": "lyon"},
        {"v": "1", "choice": "lyon"},
        {"v": True, "choice": "lyon"},
        {"v": 1.0, "choice": "lyon"},
        {"v": 1, "choice": "lyon", "note": "x"},
        {"v": 1, "choice": "lyon", "ranking": ["lyon"]},
        {"v": 1, "pick": "lyon"},
        {"v": 1, "choice": 3},
        {"v": 1, "choice": ["lyon"]},
        {"v": 1, "choice": None},
        {"v": 1, "ranking": "lyon"},
        {"v": 1, "ranking": ["lyon", 2]},
        {"v": 1, "ranking": [["lyon"]]},
        {"v": 1, "approve": {"lyon": True}},
        {"v": 1, "blank": False},
        {"v": 1, "blank": 1},
        {"v": 1, "blank": "true"},
    ],
)
def test_malformed_votes(vote: Any) -> None:
    for method in ("plurality", "irv", "approval"):
        assert classify(vote, method, CITIES, RULES) == Verdict("invalid", "malformed")


@pytest.mark.parametrize(
    ("vote", "method", "reason"),
    [
        ({"v": 1, "ranking": ["lyon"]}, "plurality", "wrong-kind"),
        ({"v": 1, "approve": ["lyon"]}, "exhaustive", "wrong-kind"),
        ({"v": 1, "choice": "lyon"}, "irv", "wrong-kind"),
        ({"v": 1, "approve": ["lyon"]}, "schulze", "wrong-kind"),
        ({"v": 1, "ranking": ["lyon"]}, "approval", "wrong-kind"),
        ({"v": 1, "choice": "paris"}, "plurality", "unknown-candidate"),
        ({"v": 1, "choice": ""}, "exhaustive", "unknown-candidate"),
        ({"v": 1, "ranking": ["lyon", "paris"]}, "irv", "unknown-candidate"),
        ({"v": 1, "approve": ["Lyon"]}, "approval", "unknown-candidate"),
        ({"v": 1, "ranking": ["lyon", "porto", "lyon"]}, "schulze", "duplicate-rank"),
        ({"v": 1, "ranking": ["lyon", "lyon"]}, "irv", "duplicate-rank"),
        ({"v": 1, "approve": ["porto", "porto"]}, "approval", "duplicate-approval"),
        ({"v": 1, "ranking": []}, "irv", "empty"),
        ({"v": 1, "approve": []}, "approval", "empty"),
    ],
)
def test_each_reason_for_an_invalid_vote(vote: Any, method: str, reason: str) -> None:
    assert classify(vote, method, CITIES, RULES) == Verdict("invalid", reason)


def test_the_first_reason_that_applies_is_given() -> None:
    # a ranking on a plurality ballot naming a stranger: the kind is wrong first
    assert classify({"v": 1, "ranking": ["paris"]}, "plurality", CITIES, RULES).reason == (
        "wrong-kind"
    )
    # a stranger named twice: unknown before duplicate
    vote = {"v": 1, "ranking": ["paris", "paris"]}
    assert classify(vote, "irv", CITIES, RULES).reason == "unknown-candidate"
    # an empty ranking on a plurality ballot is of the wrong kind, not empty
    assert classify({"v": 1, "ranking": []}, "plurality", CITIES, RULES).reason == "wrong-kind"


def test_candidates_are_this_rounds_only() -> None:
    runoff = ("lyon", "porto")
    assert classify({"v": 1, "choice": "gdansk"}, "exhaustive", runoff, RULES).reason == (
        "unknown-candidate"
    )


def test_every_reason_code_has_a_sentence_and_the_callers_codes_exist() -> None:
    assert set(REASONS) == {
        "malformed",
        "wrong-kind",
        "unknown-candidate",
        "duplicate-rank",
        "duplicate-approval",
        "empty",
        "blank-not-allowed",
    }
    assert all(sentence.endswith(".") for sentence in REASONS.values())
    assert invalid("malformed") == Verdict("invalid", "malformed")
    with pytest.raises(ValueError, match="reason code"):
        invalid("late")


def test_an_unknown_method_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="borda"):
        classify({"v": 1, "choice": "lyon"}, "borda", CITIES, RULES)
