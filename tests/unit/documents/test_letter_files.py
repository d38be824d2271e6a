"""documents/token_letters.py: each city's letter in a file of its own named after it,
and a tokens.csv that Excel reads as UTF-8 (a BOM) with the contact's name and address."""

from __future__ import annotations

import csv
import io
import zipfile

from inmc_vote.documents.token_letters import Letter, letter_filename, letters_zip

LETTERS = [
    Letter("Nyíregyháza", "HU", "b1.AAAA", "FP-1", "Anna Kovács", "anna@example.org"),
    Letter("Lyon", "FR", "b1.BBBB", "FP-2", "", ""),
    Letter("a/b:c", "FR", "b1.CCCC", "FP-3"),
    Letter("Lyon", "FR", "b1.DDDD", "FP-4"),
]


def archive() -> zipfile.ZipFile:
    content = letters_zip(
        title="Host city 2029",
        question="Which city?",
        closes="",
        manifest_hash=b"\x01" * 32,
        base_url="https://vote.example.org",
        ballot_id="b1",
        letters=LETTERS,
    )
    return zipfile.ZipFile(io.BytesIO(content))


def test_each_city_has_its_own_letter_file() -> None:
    with archive() as zipped:
        names = zipped.namelist()
        assert names == [
            "letters.html",
            "letters/Nyíregyháza (HU).html",
            "letters/Lyon (FR).html",
            "letters/a_b_c (FR).html",
            "letters/Lyon (FR) 2.html",
            "tokens.csv",
        ]
        own = zipped.read("letters/Nyíregyháza (HU).html").decode()
        assert "b1.AAAA" in own
        assert "b1.BBBB" not in own
        assert own.count('class="letter"') == 1
        assert zipped.read("letters.html").decode().count('class="letter"') == 4


def test_the_csv_has_a_bom_and_the_contact_columns() -> None:
    with archive() as zipped:
        raw = zipped.read("tokens.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["city"] == "Nyíregyháza"
    assert rows[0]["contact_name"] == "Anna Kovács"
    assert rows[0]["contact_email"] == "anna@example.org"
    assert rows[0]["link"] == "https://vote.example.org/vote/b1#t=b1.AAAA"


def test_a_file_name_never_leaves_the_letters_folder() -> None:
    taken: set[str] = set()
    for city in ["../../etc/passwd", "..", "\x00x", "C:\\boot"]:
        name = letter_filename(Letter(city, "", "t", "f"), taken)
        assert name.startswith("letters/")
        assert "/" not in name.removeprefix("letters/")
        assert "\\" not in name
        assert name.removeprefix("letters/") not in {".html", "..html"}
