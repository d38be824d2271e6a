"""The revocation file: a lost token replaced offline by `inmc-vote tokens revoke`, for a
ballot whose registrar key the server does not hold (docs/protocol.md, "Tokens").

{"format": "inmc-vote/revocation/v1", "ballot": ID, "registrar": b64url pk,
 "revoked": b64url pk, "revocation_sig": b64url, "replacement": {pk, sig}}

`revocation_sig` is the registrar's signature over `credentials.revocation_message`, and
`replacement` is a roll line it signed: the same bytes the server's own replacement
records in `credential-revoked` and `credential-added`, so the verifier replays both alike.
Only the registrar can make one: the server alone cannot take a city's vote away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.protocol import keys
from inmc_vote.domain.protocol.credentials import RollLine, fingerprint, revocation_message
from inmc_vote.domain.protocol.encoding import b64url, from_b64url

FORMAT = "inmc-vote/revocation/v1"
FIELDS = {"format", "ballot", "registrar", "revoked", "revocation_sig", "replacement"}


class RevocationFileError(ValueError):
    """A revocation file that cannot be accepted; the message says why, for a person."""


@dataclass(frozen=True)
class RevocationFile:
    ballot_id: str
    registrar_pk: bytes
    revoked: bytes
    revocation_sig: bytes
    replacement: RollLine

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "ballot": self.ballot_id,
            "registrar": b64url(self.registrar_pk),
            "revoked": b64url(self.revoked),
            "revocation_sig": b64url(self.revocation_sig),
            "replacement": self.replacement.to_json(),
        }


def make(ballot_id: str, registrar_seed: bytes, revoked: bytes, new: RollLine) -> RevocationFile:
    return RevocationFile(
        ballot_id,
        keys.ed25519_public(registrar_seed),
        revoked,
        keys.sign(registrar_seed, revocation_message(ballot_id, revoked)),
        new,
    )


def _bytes(value: Any, what: str, size: int) -> bytes:
    try:
        data = from_b64url(value)
    except (TypeError, ValueError):
        raise RevocationFileError(f"The revocation's {what} is not unpadded base64url.") from None
    if len(data) != size:
        raise RevocationFileError(f"The revocation's {what} should be {size} bytes.")
    return data


def parse(value: Any) -> RevocationFile:
    """Read a revocation file and check both signatures against the registrar key it
    names; the caller checks that key is the ballot's and the ballot id its own."""
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        raise RevocationFileError(
            f"This is not a revocation file ({FORMAT}): upload the revocation.json "
            "written by `inmc-vote tokens revoke`."
        )
    if set(value) != FIELDS:
        raise RevocationFileError(
            f"A revocation file has exactly the fields {', '.join(sorted(FIELDS))}."
        )
    ballot_id = value["ballot"]
    if not isinstance(ballot_id, str) or not ballot_id:
        raise RevocationFileError("The revocation's «ballot» is not a ballot id.")
    raw = value["replacement"]
    if not isinstance(raw, dict) or set(raw) != {"pk", "sig"}:
        raise RevocationFileError("The revocation's replacement is not a roll line {pk, sig}.")
    parsed = RevocationFile(
        ballot_id,
        _bytes(value["registrar"], "registrar key", 32),
        _bytes(value["revoked"], "revoked credential", 32),
        _bytes(value["revocation_sig"], "signature", 64),
        RollLine(_bytes(raw["pk"], "new credential", 32), _bytes(raw["sig"], "new signature", 64)),
    )
    if not keys.verify(
        parsed.registrar_pk, parsed.revocation_sig, revocation_message(ballot_id, parsed.revoked)
    ):
        raise RevocationFileError(
            f"The revocation of {fingerprint(parsed.revoked)} is not signed by the "
            "registrar key the file names: it was changed after `inmc-vote tokens revoke`."
        )
    if not parsed.replacement.valid(ballot_id, parsed.registrar_pk):
        raise RevocationFileError(
            "The replacement credential is not signed by the registrar key the file names."
        )
    if parsed.replacement.pk == parsed.revoked:
        raise RevocationFileError("The replacement is the revoked credential itself.")
    return parsed
