"""Issuing the tokens offline (`inmc-vote tokens issue`): on the organiser's own machine,
without the server, which then never sees a token, not even for a moment.

Writes into one folder:
  registrar.key  the offline registrar's Ed25519 key (mode 600): it signed every credential
  tokens.zip     letters.html and tokens.csv (mode 600): the only copy of the tokens
  roll.json      the public roll, registrar-signed, to upload to
                 POST /api/v1/ballots/{id}/roll (see domain/protocol/roll_file.py)

`inmc-vote tokens revoke` replaces a lost token, with the same registrar key:
  revocation.json  the signed revocation and replacement, to upload to
                   POST /api/v1/ballots/{id}/revocations (domain/protocol/revocation_file.py)
  replacement.zip  the replacement's letter (mode 600): the only copy of its token

The manifest is fixed only when the roll is uploaded, so the letters cannot print the
ballot's fingerprint: they say it is shown on the voting page and published by the
organiser, who gets it in the upload's answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inmc_vote.documents.token_letters import Letter, letters_zip
from inmc_vote.domain.cities import CityFields, CsvRejected, read_cities_csv, said
from inmc_vote.domain.protocol import credentials, readable, revocation_file, roll_file
from inmc_vote.domain.protocol.encoding import from_b64url
from inmc_vote.tools import keyfiles

BALLOT_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,15}")
# Here, not in config.Limits: this runs on the registrar's own machine, without the
# server's settings (tools/ may not import config).
MAX_CITIES = 1_000_000


class OfflineError(Exception):
    """A refusal of `inmc-vote tokens issue`; the message is for a person."""


def read_cities(data: bytes, source: str = "the file") -> list[CityFields]:
    """The electorate from a CSV with a header naming a `name` (or `city`) and a `country`
    column, such as the member-city list, read by the server's own rules
    (`domain.cities`): letters are never issued for a city the server would refuse."""
    try:
        cities = read_cities_csv(data, ("name", "country"))
    except CsvRejected as error:
        raise OfflineError(
            f"{source} has problems; nothing was written: {said(error.problems)}."
        ) from None
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
    cities: Sequence[CityFields],
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
    _make_out_dir(out_dir, OUTPUTS, " (a second set of tokens would not match the first)")

    registrar_path, zip_path, roll_path = (out_dir / name for name in OUTPUTS)
    try:
        registrar = keyfiles.new_registrar_key(registrar_path, ballot_id)
    except keyfiles.KeyFileError as error:
        raise OfflineError(str(error)) from None
    issued = [credentials.issue_credential(ballot_id, registrar.seed) for _ in cities]
    letters = [
        Letter(city.name, city.country, one.token, one.fingerprint)
        for city, one in zip(cities, issued, strict=True)
    ]
    lines = [one.line for one in issued]
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
    _write(zip_path, content, roll_path, made.to_json(), "the tokens")
    return Issued(len(lines), registrar_path, zip_path, roll_path, made.roll_hash)


@dataclass(frozen=True)
class Revoked:
    revoked_fingerprint: str
    fingerprint: str
    revocation_json: Path
    letter_zip: Path


REVOKE_OUTPUTS = ("revocation.json", "replacement.zip")


def _roll_keys(path: Path) -> list[bytes]:
    """The credentials of a roll: the roll.json `tokens issue` wrote, or the roll as the
    server serves it (GET /api/v1/ballots/{id}/roll, JSON Lines, replacements included)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise OfflineError(f"Cannot read {path}: {error.strerror}.") from None
    try:
        value = json.loads(data)
        if isinstance(value, dict):
            return [from_b64url(line["pk"]) for line in value["lines"]]
    except (ValueError, KeyError, TypeError):
        pass  # not roll.json: read it as JSON Lines
    try:
        return [from_b64url(json.loads(line)["pk"]) for line in data.splitlines() if line]
    except (ValueError, KeyError, TypeError):
        raise OfflineError(
            f"{path} is not a roll (roll.json, or the server's roll as JSON Lines)."
        ) from None


def revoke(
    *,
    ballot_id: str,
    registrar_key: Path,
    fingerprint: str,
    roll: Path,
    base_url: str,
    out_dir: Path,
    title: str = "",
    question: str = "",
    closes: str = "",
) -> Revoked:
    """Revoke the credential with `fingerprint` and make its replacement, signed by the
    offline registrar; writes revocation.json and replacement.zip in out_dir."""
    try:
        registrar = keyfiles.read_registrar_key(registrar_key, ballot_id)
    except keyfiles.KeyFileError as error:
        raise OfflineError(str(error)) from None
    wanted = readable.grouped(readable.normalise(fingerprint))
    found = [pk for pk in _roll_keys(roll) if credentials.fingerprint(pk) == wanted]
    if not found:
        raise OfflineError(
            f"No credential of {roll} has the fingerprint {wanted}: check the letter, or "
            "give the server's current roll with --roll."
        )
    _make_out_dir(out_dir, REVOKE_OUTPUTS)
    new = credentials.issue_credential(ballot_id, registrar.seed)
    made = revocation_file.make(ballot_id, registrar.seed, found[0], new.line)
    content = letters_zip(
        title=title or f"Ballot {ballot_id}",
        question=question,
        closes=closes,
        manifest_hash=None,
        base_url=base_url.rstrip("/"),
        ballot_id=ballot_id,
        letters=[Letter(f"Replacement for {wanted}", "", new.token, new.fingerprint)],
    )
    json_path, zip_path = (out_dir / name for name in REVOKE_OUTPUTS)
    _write(zip_path, content, json_path, made.to_json(), "the replacement")
    return Revoked(wanted, new.fingerprint, json_path, zip_path)


def _make_out_dir(out_dir: Path, outputs: Sequence[str], why: str = "") -> None:
    """Create `out_dir` unless it already holds one of `outputs`: nothing is overwritten
    (`why` says what that would spoil)."""
    present = [name for name in outputs if (out_dir / name).exists()]
    if present:
        raise OfflineError(
            f"{out_dir} already holds {', '.join(present)}: nothing is overwritten{why}. "
            "Choose another folder."
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OfflineError(f"Cannot create {out_dir}: {error.strerror}.") from None


def _write(
    zip_path: Path, content: bytes, json_path: Path, value: dict[str, Any], what: str
) -> None:
    """Write the letters' ZIP (mode 600) and the public JSON file, neither over an existing
    file; `what` the letters hold, for the refusal."""
    try:
        keyfiles.write_private(zip_path, content)
        with json_path.open("x", encoding="utf-8") as out:
            json.dump(value, out, indent=1, sort_keys=True)
            out.write("\n")
    except (keyfiles.KeyFileError, OSError) as error:
        raise OfflineError(f"Writing {what} failed: {error}") from None
