"""domain/counting/rules.py: a manifest's rules, read and written back."""

from __future__ import annotations

from fractions import Fraction

import pytest

from inmc_vote.domain.counting import Rules


def test_defaults_are_no_quorum_blank_allowed_and_lot_for_last() -> None:
    rules = Rules.from_json({"quorum": None, "blank_allowed": True})
    assert rules == Rules()
    assert rules.to_json() == {"quorum": None, "blank_allowed": True}


def test_quorum_is_a_fraction_written_n_over_d() -> None:
    rules = Rules.from_json({"quorum": "2/3", "blank_allowed": False})
    assert rules.quorum == Fraction(2, 3)
    assert not rules.blank_allowed
    assert rules.to_json() == {"quorum": "2/3", "blank_allowed": False}


def test_exhaustive_keys_appear_only_when_not_the_defaults() -> None:
    runoff = {
        "quorum": "1/2",
        "blank_allowed": True,
        "last_place_tie": "runoff",
        "round_kind": "last-place-runoff",
        "continuing": ["athens", "rome", "cape-town"],
    }
    rules = Rules.from_json(runoff)
    assert rules.continuing == ("athens", "rome", "cape-town")
    assert rules.to_json() == runoff
    assert Rules.from_json(rules.to_json()) == rules
    regular = Rules(last_place_tie="runoff").to_json()
    assert regular == {"quorum": None, "blank_allowed": True, "last_place_tie": "runoff"}


def test_missing_keys_take_the_defaults() -> None:
    assert Rules.from_json({}) == Rules()


@pytest.mark.parametrize(
    ("rules", "words"),
    [
        ({"quorum": "1/2", "seats": 2}, "unknown counting rules: seats"),
        ({"quorum": 0.5}, "fraction"),
        ({"quorum": "half"}, "fraction"),
        ({"quorum": "1/0"}, "zero"),
        ({"quorum": "3/2"}, "at most 1"),
        ({"quorum": "0/2"}, "more than 0"),
        ({"blank_allowed": "yes"}, "true or false"),
        ({"last_place_tie": "coin"}, "last_place_tie"),
        ({"round_kind": "final"}, "round_kind"),
        ({"round_kind": "last-place-runoff"}, "continuing"),
        ({"continuing": ["a", "b"]}, "continuing"),
        ({"round_kind": "last-place-runoff", "continuing": ["a", "a"]}, "twice"),
        ({"continuing": "a,b"}, "list"),
    ],
)
def test_rules_that_make_no_sense_are_refused(rules: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        Rules.from_json(rules)


def test_rules_must_be_an_object() -> None:
    with pytest.raises(ValueError, match="object"):
        Rules.from_json(["quorum"])  # type: ignore[arg-type]
