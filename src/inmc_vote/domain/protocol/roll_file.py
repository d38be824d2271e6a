"""The roll file: a roll made offline by `inmc-vote tokens issue`, signed by an offline
registrar, and uploaded to the server, which then never holds the registrar's key.

{"format": "inmc-vote/roll/v1", "ballot": ID, "registrar": b64url pk,
 "lines": [{pk, sig}, ...] sorted by raw pk, "signature": b64url}

`signature` is the registrar's Ed25519 signature over
"inmc-vote/roll-file/v1" 0 ballot_id 0 SHA256(roll bytes), the roll bytes being the
lines as JSON Lines (`credentials.roll_bytes`), so the same hash as the manifest's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.protocol import keys
from inmc_vote.domain.protocol.credentials import RollLine, fingerprint, roll_bytes
from inmc_vote.domain.protocol.encoding import b64url, from_b64url, labelled, sha256

FORMAT = "inmc-vote/roll/v1"
FIELDS = {"format", "ballot", "registrar", "lines", "signature"}


class RollFileError(ValueError):
    """A roll file that cannot be accepted; the message says why, for a person."""


def signed_message(ballot_id: str, roll_hash: bytes) -> bytes:
    return labelled("inmc-vote/roll-file/v1") + ballot_id.encode() + b"\x00" + roll_hash


@dataclass(frozen=True)
class RollFile:
    ballot_id: str
    registrar_pk: bytes
    lines: list[RollLine]  # sorted by pk
    signature: bytes

    @property
    def roll_hash(self) -> bytes:
        return sha256(roll_bytes(self.lines))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "ballot": self.ballot_id,
            "registrar": b64url(self.registrar_pk),
            "lines": [line.to_json() for line in self.lines],
            "signature": b64url(self.signature),
        }


def make(ballot_id: str, registrar_seed: bytes, lines: list[RollLine]) -> RollFile:
    ordered = sorted(lines, key=lambda line: line.pk)
    digest = sha256(roll_bytes(ordered))
    return RollFile(
        ballot_id,
        keys.ed25519_public(registrar_seed),
        ordered,
        keys.sign(registrar_seed, signed_message(ballot_id, digest)),
    )


def _bytes(value: Any, what: str, size: int) -> bytes:
    try:
        data = from_b64url(value)
    except ValueError:
        raise RollFileError(f"The roll file's {what} is not unpadded base64url.") from None
    if len(data) != size:
        raise RollFileError(f"The roll file's {what} should be {size} bytes, not {len(data)}.")
    return data


def parse(value: Any) -> RollFile:
    """Read a roll file and check every signature in it; RollFileError says what is wrong.

    Does not check which ballot it is for: the caller compares `ballot_id`."""
    if not isinstance(value, dict):
        raise RollFileError(f"A roll file is a JSON object ({FORMAT}).")
    if value.get("format") != FORMAT:
        raise RollFileError(
            f"This is not a roll file: its format is «{value.get('format')}», not «{FORMAT}» "
            "(the roll.json written by `inmc-vote tokens issue`)."
        )
    missing = sorted(FIELDS - set(value))
    if missing:
        raise RollFileError(f"The roll file lacks: {', '.join(missing)}.")
    extra = sorted(set(value) - FIELDS)
    if extra:
        raise RollFileError(f"The roll file has unknown fields: {', '.join(extra)}.")
    ballot_id = value["ballot"]
    if not isinstance(ballot_id, str) or not ballot_id:
        raise RollFileError("The roll file's «ballot» is not a ballot id.")
    registrar_pk = _bytes(value["registrar"], "registrar key", 32)
    signature = _bytes(value["signature"], "signature", 64)
    raw_lines = value["lines"]
    if not isinstance(raw_lines, list) or not raw_lines:
        raise RollFileError("The roll file's «lines» is not a non-empty list.")
    lines: list[RollLine] = []
    for number, raw in enumerate(raw_lines, start=1):
        if not isinstance(raw, dict) or set(raw) != {"pk", "sig"}:
            raise RollFileError(f"Line {number} of the roll is not an object {{pk, sig}}.")
        line = RollLine(
            _bytes(raw["pk"], f"line {number} «pk»", 32),
            _bytes(raw["sig"], f"line {number} «sig»", 64),
        )
        if lines and line.pk <= lines[-1].pk:
            raise RollFileError(
                f"Line {number} of the roll is out of order or repeats a credential: "
                "the lines are sorted by public key, each credential once."
            )
        lines.append(line)
    parsed = RollFile(ballot_id, registrar_pk, lines, signature)
    if not keys.verify(registrar_pk, signature, signed_message(ballot_id, parsed.roll_hash)):
        raise RollFileError(
            "The roll file's signature does not match its registrar key and lines: the file "
            "was changed after `inmc-vote tokens issue` wrote it."
        )
    for number, line in enumerate(lines, start=1):
        if not line.valid(ballot_id, registrar_pk):
            raise RollFileError(
                f"Line {number} of the roll (credential {fingerprint(line.pk)}) is not signed "
                f"by the roll's registrar for ballot {ballot_id}."
            )
    return parsed
