"""domain/ballots.py: the counting method, the quorum, the zone, the timetable, the texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from inmc_vote.domain.ballots import (
    MAX_DESCRIPTION,
    MAX_QUESTION,
    MAX_TITLE,
    METHOD_NAMES,
    Method,
    Timetable,
    check_text,
    parse_method,
    parse_quorum,
    parse_zone,
)
from inmc_vote.domain.errors import Invalid

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize("method", list(Method))
def test_every_method_parses_and_has_a_name(method: Method) -> None:
    assert parse_method(method.value) is method
    assert METHOD_NAMES[method]


@pytest.mark.parametrize("value", ["", "Plurality", "borda", " irv"])
def test_an_unknown_method_lists_the_allowed_ones(value: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_method(value)
    assert refused.value.message == (
        f"«{value}» is not a counting method; "
        "choose one of plurality, exhaustive, irv, schulze, approval."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1/2", Fraction(1, 2)),
        (" 2/3 ", Fraction(2, 3)),
        ("2/4", Fraction(1, 2)),
        ("1/1", Fraction(1)),
        ("3/40", Fraction(3, 40)),
    ],
)
def test_a_quorum_is_a_fraction_of_the_eligible_cities(text: str, expected: Fraction) -> None:
    assert parse_quorum(text) == expected


@pytest.mark.parametrize("text", [None, "", "   "])
def test_no_quorum(text: str | None) -> None:
    assert parse_quorum(text) is None


@pytest.mark.parametrize("text", ["half", "1/0", "1/2/3", "0.5", "50%", "1", "/2", "1/"])
def test_a_quorum_that_is_not_a_fraction_is_refused(text: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_quorum(text)
    assert refused.value.message == (
        f"The quorum «{text.strip()}» should be a fraction of the eligible cities, such as 1/2."
    )


@pytest.mark.parametrize("text", ["0/3", "3/2", "-1/2", "5/4"])
def test_a_quorum_outside_zero_to_one_is_refused(text: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_quorum(text)
    assert "more than 0 and at most 1" in refused.value.message


@pytest.mark.parametrize("name", ["Europe/Paris", "UTC", "America/Sao_Paulo", "Asia/Tokyo"])
def test_a_zone_name_gives_its_zone(name: str) -> None:
    assert parse_zone(name) == ZoneInfo(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Mars/Olympus",
        "europe/paris ",
        "Europe",
        "../etc/passwd",
        "/etc/localtime",
        "x" * 300,
        "Europe/Paris\x00",
    ],
)
def test_anything_else_is_not_a_zone(name: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_zone(name)
    assert refused.value.message == f"«{name}» is not a time zone name such as Europe/Paris."


def test_a_timetable_in_order_passes() -> None:
    """Accepted: the check raises nothing and returns nothing (it changes no time)."""
    assert Timetable(T0, T0 + DAY, T0 + 2 * DAY).check() is None
    assert Timetable(None, None, None).check() is None
    assert Timetable(T0, None, T0 + DAY).check() is None
    assert Timetable(None, T0, T0 + DAY).check() is None


@pytest.mark.parametrize(
    ("timetable", "message"),
    [
        (Timetable(T0, T0 - DAY, None), "The opening time must come after the candidacy deadline."),
        (Timetable(T0, T0, None), "The opening time must come after the candidacy deadline."),
        (Timetable(None, T0, T0), "The closing time must come after the opening time."),
        (Timetable(T0, T0 + DAY, T0), "The closing time must come after the opening time."),
        (Timetable(T0, None, T0), "The closing time must come after the candidacy deadline."),
    ],
)
def test_a_timetable_out_of_order_names_the_two_times(timetable: Timetable, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        timetable.check()
    assert refused.value.message == message


def test_times_in_different_zones_compare_as_instants() -> None:
    paris = ZoneInfo("Europe/Paris")
    opens = datetime(2027, 3, 1, 10, 30, tzinfo=paris)  # 09:30 UTC
    Timetable(None, opens, T0 + timedelta(hours=1)).check()
    with pytest.raises(Invalid):
        Timetable(None, opens, T0 + timedelta(minutes=30)).check()


def test_the_candidacy_deadline_passes_at_its_instant() -> None:
    timetable = Timetable(T0, None, None)
    assert not timetable.deadline_passed(T0 - timedelta(microseconds=1))
    assert timetable.deadline_passed(T0)
    assert not Timetable(None, None, None).deadline_passed(T0 + 1000 * DAY)


def test_texts_within_their_limits_pass() -> None:
    assert check_text("t" * MAX_TITLE, "q" * MAX_QUESTION, "d" * MAX_DESCRIPTION) is None
    assert check_text("Host 2029", "Who hosts 2029?", "") is None


@pytest.mark.parametrize(
    ("title", "question", "description", "message"),
    [
        ("", "Q?", "", "The ballot needs a title."),
        (" \n", "Q?", "", "The ballot needs a title."),
        ("t" * (MAX_TITLE + 1), "Q?", "", f"The title is longer than {MAX_TITLE} characters."),
        ("T", "  ", "", "The ballot needs a question, such as «Which city will host 2027?»."),
        ("T", "q" * (MAX_QUESTION + 1), "", "The question is longer than 500 characters."),
        (
            "T",
            "Q?",
            "d" * (MAX_DESCRIPTION + 1),
            "The description is longer than 10000 characters.",
        ),
    ],
)
def test_texts_breaking_a_rule_are_refused(
    title: str, question: str, description: str, message: str
) -> None:
    with pytest.raises(Invalid) as refused:
        check_text(title, question, description)
    assert refused.value.message == message
