"""Reading back the letters file: only cities and fingerprints, from the ZIP or the CSV."""

from __future__ import annotations

import io
import zipfile

import pytest

from inmc_vote.documents.letters_file import LetterRow, find_city, read_letters_file
from inmc_vote.documents.token_letters import Letter, letters_csv, letters_zip
from inmc_vote.domain.errors import Invalid

LETTERS = [
    Letter("Nyíregyháza", "HU", "b1.TOKENONE", "ABCD-EFGH-JKMN-PQRS"),
    Letter("=Sherbrooke", "CA", "b1.TOKENTWO", "BCDE-FGHJ-KMNP-QRST"),
]


def test_the_zip_the_server_wrote_is_read_back() -> None:
    content = letters_zip(
        title="T",
        question="Q",
        closes="",
        manifest_hash=None,
        base_url="https://vote.example.org",
        ballot_id="b1",
        letters=LETTERS,
    )
    rows = read_letters_file(content)
    assert rows == [
        LetterRow("Nyíregyháza", "HU", "ABCD-EFGH-JKMN-PQRS"),
        LetterRow("=Sherbrooke", "CA", "BCDE-FGHJ-KMNP-QRST"),  # the spreadsheet's ' undone
    ]
    assert "TOKEN" not in repr(rows)


def test_the_csv_alone_and_a_name_without_accents() -> None:
    rows = read_letters_file(letters_csv("https://v.example.org", "b1", LETTERS).encode())
    assert [r.city for r in find_city(rows, "NYIREGYHAZA")] == ["Nyíregyháza"]
    assert find_city(rows, "Atlantis") == []


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a csv at all",
        b"city,country\nLyon,FR\n",
        b"PK\x03\x04broken zip",
        b"\xff\xfe\xfa",
    ],
)
def test_what_is_not_a_letters_file_is_refused(content: bytes) -> None:
    with pytest.raises(Invalid):
        read_letters_file(content)


def test_a_zip_without_csv_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("letters.html", "<p>x</p>")
    with pytest.raises(Invalid, match="not a letters file"):
        read_letters_file(out.getvalue())
