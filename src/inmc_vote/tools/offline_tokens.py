"""Issuing the tokens offline (`inmc-vote tokens issue`): on the organiser's own machine,
without the server, which then never sees a token, not even for a moment.

Writes into one folder:
  registrar.key  the offline registrar's Ed25519 key (mode 600): it signed every credential
  tokens.zip     letters.html and tokens.csv (mode 600): the only copy of the tokens
  roll.json      the public roll, registrar-signed, to upload to
                 POST /api/v1/ballots/{id}/roll (see domain/protocol/roll_file.py)

The manifest is fixed only when the roll is uploaded, so the letters cannot print the
ballot's fingerprint: they say it is shown on the voting page and published by the
organiser, who gets it in the upload's answer.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from inmc_vote.documents.token_letters import LetterData, letters_zip
from inmc_vote.domain.protocol import credentials, roll_file
from inmc_vote.tools import keyfiles

BALLOT_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,15}")
NAME_COLUMNS = ("name", "city")
COUNTRY_COLUMNS = ("country",)
# Here, not in config.Limits: this runs on the registrar's own machine, without the
# server's settings (tools/ may not import config).
MAX_CITIES = 1_000_000


class OfflineError(Exception):
    """A refusal of `inmc-vote tokens issue`; the message is for a person."""


@dataclass(frozen=True)
class ListedCity:
    name: str
    country: str


def read_cities(data: bytes, source: str = "the file") -> list[ListedCity]:
    """Cities from a CSV with a header naming a `name` (or `city`) and a `country` column
    (comma or semicolon separated, UTF-8), such as the member-city list."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OfflineError(f"{source} is not UTF-8 text.") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise OfflineError(f"{source} is empty.")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    for header in reader:
        if any(cell.strip() for cell in header):
            break
    names = [h.strip().lower() for h in header]
    name_at = next((names.index(c) for c in NAME_COLUMNS if c in names), None)
    country_at = next((names.index(c) for c in COUNTRY_COLUMNS if c in names), None)
    if name_at is None or country_at is None:
        raise OfflineError(
            f"{source}: the header (line {reader.line_num}) needs a «name» and a «country» "
            f"column; it has: {', '.join(h for h in names if h) or 'nothing'}."
        )
    cities: list[ListedCity] = []
    seen: dict[tuple[str, str], int] = {}
    problems: list[str] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) <= max(name_at, country_at):
                problems.append(f"line {line}: {len(record)} fields, fewer than the header's")
                continue
            city = ListedCity(record[name_at].strip(), record[country_at].strip().upper())
            if not city.name or not city.country:
                problems.append(f"line {line}: the name or the country is empty")
                continue
            key = (city.name.casefold(), city.country)
            if key in seen:
                problems.append(f"line {line}: the same city as line {seen[key]}")
                continue
            seen[key] = line
            cities.append(city)
    except csv.Error as error:
        raise OfflineError(f"{source}: line {reader.line_num} is not CSV ({error}).") from None
    if problems:
        raise OfflineError(
            f"{source} has problems; nothing was written:\n  " + "\n  ".join(problems)
        )
    if not cities:
        raise OfflineError(f"{source} lists no city.")
    if len(cities) > MAX_CITIES:
        raise OfflineError(f"{source} lists more than {MAX_CITIES:,} cities.")
    return cities


@dataclass(frozen=True)
class Issued:
    count: int
    registrar_key: Path
    tokens_zip: Path
    roll_json: Path
    roll_hash: bytes


OUTPUTS = ("registrar.key", "tokens.zip", "roll.json")


def issue(
    *,
    ballot_id: str,
    cities: list[ListedCity],
    base_url: str,
    out_dir: Path,
    title: str = "",
    question: str = "",
    closes: str = "",
) -> Issued:
    """One credential per city; writes registrar.key, tokens.zip and roll.json in out_dir."""
    if not BALLOT_ID.fullmatch(ballot_id):
        raise OfflineError(
            f"«{ballot_id}» is not a ballot id: copy it from the ballot's address "
            "(/ballots/<id>), lowercase letters and digits."
        )
    if not re.match(r"https?://[^/\s]+", base_url):
        raise OfflineError(
            f"«{base_url}» is not the service's public address (such as "
            "https://vote.example.org): the letters' links start with it."
        )
    base_url = base_url.rstrip("/")
    if out_dir.exists() and not out_dir.is_dir():
        raise OfflineError(f"{out_dir} exists and is not a folder.")
    present = [name for name in OUTPUTS if (out_dir / name).exists()]
    if present:
        raise OfflineError(
            f"{out_dir} already holds {', '.join(present)}: nothing is overwritten "
            "(a second set of tokens would not match the first). Choose another folder."
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OfflineError(f"Cannot create {out_dir}: {error.strerror}.") from None

    registrar_path, zip_path, roll_path = (out_dir / name for name in OUTPUTS)
    try:
        registrar = keyfiles.new_registrar_key(registrar_path, ballot_id)
    except keyfiles.KeyFileError as error:
        raise OfflineError(str(error)) from None
    letters, lines = [], []
    for city in cities:
        seed, line = credentials.issue(ballot_id, registrar.seed)
        lines.append(line)
        letters.append(
            LetterData(
                city.name,
                city.country,
                credentials.format_token(ballot_id, seed),
                credentials.fingerprint(line.pk),
            )
        )
    content = letters_zip(
        title=title or f"Ballot {ballot_id}",
        question=question,
        closes=closes,
        manifest_hash=None,
        base_url=base_url,
        ballot_id=ballot_id,
        letters=letters,
    )
    made = roll_file.make(ballot_id, registrar.seed, lines)
    try:
        keyfiles.write_private(zip_path, content)
        with roll_path.open("x", encoding="utf-8") as out:
            json.dump(made.to_json(), out, indent=1, sort_keys=True)
            out.write("\n")
    except (keyfiles.KeyFileError, OSError) as error:
        raise OfflineError(f"Writing the tokens failed: {error}") from None
    return Issued(len(lines), registrar_path, zip_path, roll_path, made.roll_hash)
