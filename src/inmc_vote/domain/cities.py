"""Member cities: the rules for a city's fields and for the CSV import.

Every line of an import is checked before any is written: `parse_cities_csv` returns
every row, or raises `CsvRejected` listing every bad line with its number and reason.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.countries import COUNTRIES
from inmc_vote.domain.errors import N_, Invalid, TooLarge
from inmc_vote.domain.text import text_problem

# A city's fields are as wide as their columns (db/models.py): part of what a city is,
# not a server setting (config.Limits, which holds the CSV's size).
MAX_NAME = 120
MAX_REGION = 60
MAX_CONTACT = 120
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_HEADER_ALIASES = {
    "name": "name",
    "city": "name",
    "country": "country",
    "region": "region",
    "contact name": "contact_name",
    "contact_name": "contact_name",
    "contact email": "contact_email",
    "contact_email": "contact_email",
    "email": "contact_email",
}
REQUIRED_COLUMNS = ("name", "country", "region", "contact_name", "contact_email")


@dataclass(frozen=True)
class CityFields:
    name: str
    country: str
    region: str
    contact_name: str
    contact_email: str

    @property
    def key(self) -> tuple[str, str]:
        """What makes two rows the same city: its country and its name, folded."""
        return natural_key(self.name, self.country)


@dataclass(frozen=True)
class CsvProblem:
    line: int
    reason: str


class CsvRejected(Invalid):
    def __init__(self, problems: list[CsvProblem]) -> None:
        super().__init__(N_("Nothing was imported: {problems}."), problems=said(problems))
        self.problems = problems


def said(problems: list[CsvProblem]) -> str:
    """Every bad line with its number and reason, for a person to fix the file."""
    return "; ".join(f"line {p.line}: {p.reason}" for p in problems)


def natural_key(name: str, country: str) -> tuple[str, str]:
    folded = unicodedata.normalize("NFKC", " ".join(name.split())).casefold()
    return country.strip().upper(), folded


def slug_for(name: str, country: str) -> str:
    """A stable, readable id such as `clermont-ferrand-fr`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "city"
    return f"{words[:60]}-{country.lower()}"


def clean_city(
    name: str, country: str, region: str, contact_name: str, contact_email: str
) -> CityFields:
    """Return the city's fields tidied up, or raise Invalid naming every problem."""
    problems = city_problems(name, country, region, contact_name, contact_email)
    if problems:
        text = "; ".join(problems)
        # not capitalize(): it lowercases «FR»
        raise Invalid.as_written(text[0].upper() + text[1:] + ".")
    return CityFields(
        name=" ".join(name.split()),
        country=country.strip().upper(),
        region=" ".join(region.split()),
        contact_name=" ".join(contact_name.split()),
        contact_email=contact_email.strip(),
    )


def city_problems(
    name: str, country: str, region: str, contact_name: str, contact_email: str
) -> list[str]:
    problems = []
    name, country, email = name.strip(), country.strip().upper(), contact_email.strip()
    if not name:
        problems.append("the city's name is empty")
    elif len(name) > MAX_NAME:
        problems.append(f"the city's name is longer than {MAX_NAME} characters")
    if not country:
        problems.append("the country is empty")
    elif country not in COUNTRIES:
        problems.append(f"«{country}» is not an ISO 3166 country code (such as FR, JP, BR)")
    if len(region.strip()) > MAX_REGION:
        problems.append(f"the region is longer than {MAX_REGION} characters")
    if len(contact_name.strip()) > MAX_CONTACT:
        problems.append(f"the contact name is longer than {MAX_CONTACT} characters")
    if email and not EMAIL.match(email):
        problems.append(f"«{email}» is not an e-mail address")
    for label, value in (
        ("the city's name", " ".join(name.split())),
        ("the region", " ".join(region.split())),
        ("the contact name", " ".join(contact_name.split())),
        ("the e-mail address", email),
    ):
        if problem := text_problem(label, value, name=True):
            problems.append(problem)
    return problems


def parse_cities_csv(data: bytes, max_bytes: int, max_rows: int) -> list[CityFields]:
    """Read a CSV of member cities (comma or semicolon separated, UTF-8, with a header) of
    at most `max_bytes` and `max_rows` cities (the server's `LIMITS.csv_bytes` and
    `LIMITS.csv_rows`)."""
    if len(data) > max_bytes:
        raise TooLarge(
            "Nothing was imported: the file is larger than {max_bytes:,} bytes; "
            "split it into smaller files.",
            max_bytes=max_bytes,
        )
    rows = read_cities_csv(data, REQUIRED_COLUMNS)
    if len(rows) > max_rows:
        raise TooLarge(
            "Nothing was imported: the file has {count:,} cities, more than the "
            "{max_rows:,} one import takes; split it into smaller files.",
            count=len(rows),
            max_rows=max_rows,
        )
    return rows


def read_cities_csv(data: bytes, columns: tuple[str, ...]) -> list[CityFields]:
    """Read a CSV of cities whose header has at least `columns` (a column it lacks reads
    as empty); every row meets the same rules as a city added by hand. The offline
    token command reads its electorate with this too, asking only for a name and a
    country, so that it refuses every city the server would refuse."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # utf-8-sig counts its position after the byte order mark that it dropped.
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        line = data[: bom + error.start].count(b"\n") + 1
        raise CsvRejected([CsvProblem(line, "the file is not UTF-8 text")]) from None
    if not text.strip():
        raise CsvRejected([CsvProblem(1, "the file is empty")])
    first = next(line for line in text.splitlines() if line.strip())
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _read(reader, columns)
    except csv.Error as error:  # such as a field longer than the csv module allows
        reason = f"this line cannot be read as CSV ({error})"
        raise CsvRejected([CsvProblem(reader.line_num, reason)]) from None


def _read(reader: Any, required: tuple[str, ...]) -> list[CityFields]:
    header: list[str] = []
    header_line = 1
    for header in reader:  # the header is the first line that is not blank
        if any(cell.strip() for cell in header):
            break
        header_line = reader.line_num + 1
    columns = [_HEADER_ALIASES.get(h.strip().lower()) for h in header]
    missing = [c for c in required if c not in columns]
    if missing:
        names = ", ".join(m.replace("_", " ") for m in missing)
        raise CsvRejected([CsvProblem(header_line, f"the header lacks the column(s) {names}")])

    rows: list[CityFields] = []
    problems: list[CsvProblem] = []
    seen: dict[tuple[str, str], int] = {}
    start = reader.line_num + 1
    for record in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(
                CsvProblem(line, f"{len(record)} fields where the header has {len(header)}")
            )
            continue
        values = {col: cell for col, cell in zip(columns, record, strict=True) if col}
        fields = [values.get(c, "") for c in REQUIRED_COLUMNS]
        row_problems = city_problems(*fields)
        if row_problems:
            problems.append(CsvProblem(line, "; ".join(row_problems)))
            continue
        city = clean_city(*fields)
        if city.key in seen:
            problems.append(CsvProblem(line, f"the same city as line {seen[city.key]}"))
            continue
        seen[city.key] = line
        rows.append(city)
    if problems:
        raise CsvRejected(problems)
    if not rows:
        raise CsvRejected([CsvProblem(header_line + 1, "the file has a header but no city")])
    return rows
