"""The rules every text field shares (domain/text.py), issue 11."""

from __future__ import annotations

import pytest

from inmc_vote.domain.cities import city_problems
from inmc_vote.domain.errors import Invalid
from inmc_vote.domain.text import check_text, text_problem
from inmc_vote.domain.trustees import check_trustees


@pytest.mark.parametrize(
    "ch", ["\u202a", "\u202e", "\u2066", "\u2069", "\u200b", "\u200f", "\ufeff"]
)
def test_a_name_refuses_characters_that_reorder_or_hide_text(ch: str) -> None:
    problem = text_problem("the city's name", f"Ly{ch}on", name=True)
    assert problem is not None
    assert f"U+{ord(ch):04X}" in problem
    assert text_problem("the summary", f"Ly{ch}on", lines=True) is None  # not a name


def test_control_characters_are_refused_line_breaks_only_where_allowed() -> None:
    assert text_problem("the title", "a\x00b") == "the title contains a control character (U+0000)"
    assert text_problem("the title", "a\nb") is not None
    assert text_problem("the summary", "a\nb\tc\r\n", lines=True) is None
    with pytest.raises(Invalid, match="The venue contains a control character"):
        check_text("the venue", "x\x07")


def test_every_name_is_checked() -> None:
    assert any("reorders or hides" in p for p in city_problems("Lyon\u202e", "FR", "", "", ""))
    with pytest.raises(Invalid, match="reorders or hides"):
        check_trustees(["Alice", "B\u200bob"], 1)
