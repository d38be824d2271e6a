"""Every CSV the app writes is safe to open in a spreadsheet (issue 11: a city named
`=HYPERLINK(...)` landed raw in tokens.csv)."""

from __future__ import annotations

import csv
import io

import pytest

from inmc_vote.documents.csv_safe import spreadsheet_safe
from inmc_vote.documents.token_letters import Letter, letters_csv


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(start: str) -> None:
    assert spreadsheet_safe(start + "1+1") == "'" + start + "1+1"


def test_other_cells_are_unchanged() -> None:
    assert spreadsheet_safe("Lyon") == "Lyon"
    assert spreadsheet_safe("") == ""
    assert spreadsheet_safe("Saint-Étienne") == "Saint-Étienne"


def test_tokens_csv_quotes_a_formula_in_a_city_name() -> None:
    letter = Letter(
        '=HYPERLINK("http://evil.example","Lyon")', "@FR", "tok.en", "fp", "+Ann", "-a@b.fr"
    )
    rows = list(csv.reader(io.StringIO(letters_csv("http://x", "b1", [letter]))))
    assert rows[1][:6] == [
        '\'=HYPERLINK("http://evil.example","Lyon")',
        "'@FR",
        "'+Ann",
        "'-a@b.fr",
        "fp",
        "tok.en",
    ]
