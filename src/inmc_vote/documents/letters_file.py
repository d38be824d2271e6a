"""Reading back the letters file the organiser kept (`tokens-<ballot>.zip`, or the
`tokens.csv` in it), to find a city's token fingerprint when the city lost its letter.

Only the city, its country and its credential's fingerprint are read; the tokens and
links in the file are never looked at, returned or kept. A ZIP is read member by member
up to a fixed size (no bomb), and only its CSV files.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from inmc_vote.documents.csv_safe import FORMULA_STARTS
from inmc_vote.domain.errors import N_, Invalid
from inmc_vote.domain.protocol import readable

MAX_CSV_BYTES = 5_000_000
MAX_ROWS = 10_000
FINGERPRINT_COLUMNS = ("credential_fingerprint", "token_fingerprint", "fingerprint")
WRONG_FILE = N_(
    "This is not a letters file: choose the tokens-….zip downloaded when the tokens were "
    "issued (or the tokens.csv inside it)."
)


@dataclass(frozen=True)
class LetterRow:
    city: str
    country: str
    fingerprint: str  # grouped, as printed: ABCD-EFGH-...


def _unsafe(cell: str) -> str:
    """A cell as the city was named: `spreadsheet_safe` put a `'` before a formula-like
    start."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def folded(name: str) -> str:
    """A name compared without case or accents: «nyiregyhaza» finds «Nyíregyháza»."""
    plain = unicodedata.normalize("NFKD", name.strip().casefold())
    return "".join(ch for ch in plain if not unicodedata.combining(ch))


def _rows_of_csv(data: bytes) -> list[LetterRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(WRONG_FILE) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    reader.fieldnames = columns
    column = next((c for c in FINGERPRINT_COLUMNS if c in columns), None)
    if "city" not in columns or column is None:
        raise Invalid(WRONG_FILE)
    rows = []
    for number, line in enumerate(reader, start=2):
        if number > MAX_ROWS:
            raise Invalid("The file has more than {limit} rows.", limit=MAX_ROWS)
        raw = (line.get(column) or "").strip()
        city = _unsafe((line.get("city") or "").strip())
        if not raw and not city:
            continue
        fingerprint = readable.grouped(readable.normalise(raw))
        if not city or not readable.normalise(raw).isalnum():
            raise Invalid(
                "Line {line} of the letters file has no city or no token fingerprint.",
                line=number,
            )
        rows.append(LetterRow(city, _unsafe((line.get("country") or "").strip()), fingerprint))
    return rows


def _csv_members(data: bytes) -> list[bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Invalid(WRONG_FILE) from None
    found = []
    with archive:
        for info in archive.infolist():
            if not info.filename.lower().endswith(".csv"):
                continue
            if info.file_size > MAX_CSV_BYTES:
                raise Invalid("{name} in this ZIP file is too large.", name=info.filename)
            with archive.open(info) as member:
                found.append(member.read(MAX_CSV_BYTES + 1)[:MAX_CSV_BYTES])
    if not found:
        raise Invalid(WRONG_FILE)
    return found


def read_letters_file(data: bytes) -> list[LetterRow]:
    """The cities of a letters ZIP or CSV, in the file's order, one per fingerprint."""
    if not data:
        raise Invalid("The file is empty: choose the letters file kept when tokens were issued.")
    parts = _csv_members(data) if data.startswith(b"PK") else [data]
    rows: dict[str, LetterRow] = {}
    for part in parts:
        for row in _rows_of_csv(part):
            rows.setdefault(row.fingerprint, row)
    if not rows:
        raise Invalid("This letters file lists no city.")
    return list(rows.values())


def find_city(rows: list[LetterRow], name: str) -> list[LetterRow]:
    """The rows of the city called `name` (case and accents aside)."""
    wanted = folded(name)
    return [row for row in rows if folded(row.city) == wanted]
