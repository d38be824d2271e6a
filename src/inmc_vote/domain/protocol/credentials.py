"""Voting credentials, the tokens that carry them, and the roll.

A credential is an Ed25519 key pair: its public half, signed by the registrar, is
on the ballot's roll; its 32-byte private seed is the city's token. The token also
names the ballot and ends with a checksum, so that a typing mistake ("check what
you typed") is told apart from a token that is not on the roll ("wrong token").
"""

from __future__ import annotations

from dataclasses import dataclass

from inmc_vote.domain.protocol import keys, readable
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url, labelled, sha256

SEED_BYTES = 32
CHECK_CHARS = 4  # 20 bits: a typo slips through about once in a million
TOKEN_CHARS = readable.encode(bytes(SEED_BYTES)).__len__() + CHECK_CHARS  # 52 + 4


class TokenError(ValueError):
    """A token that cannot be read; `kind` is "format", "typo" or "other-ballot"."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def _check(ballot_id: str, seed: bytes) -> str:
    digest = sha256(labelled("inmc-vote/token-check/v1"), ballot_id.encode(), b"\x00", seed)
    return readable.encode(digest)[:CHECK_CHARS]


def format_token(ballot_id: str, seed: bytes) -> str:
    """`<ballot>.ABCD-EFGH-…` : the ballot id, then the seed and checksum in groups of 4."""
    body = readable.encode(seed) + _check(ballot_id, seed)
    return f"{ballot_id}.{readable.grouped(body)}"


def parse_token(text: str, ballot_id: str | None = None) -> tuple[str, bytes]:
    """Read a token as a person may have typed it; return (ballot id, seed)."""
    cleaned = text.strip()
    if "." not in cleaned:
        raise TokenError(
            "format",
            "This is not a voting token: it should start with the "
            "ballot's id, a dot, then groups of 4 letters and digits.",
        )
    token_ballot, body = cleaned.split(".", 1)
    token_ballot = token_ballot.strip().lower()
    chars = readable.normalise(body)
    if len(chars) != TOKEN_CHARS:
        raise TokenError(
            "format",
            f"A token has {TOKEN_CHARS} letters and digits after the "
            f"dot; this one has {len(chars)}. Check that you copied "
            "all of it.",
        )
    try:
        seed = readable.decode(chars[:-CHECK_CHARS], SEED_BYTES)
    except ValueError:
        raise TokenError(
            "typo",
            "The token has a character that cannot be right: check "
            "what you typed against your letter.",
        ) from None
    if _check(token_ballot, seed) != chars[-CHECK_CHARS:]:
        raise TokenError(
            "typo",
            "The token's checksum does not match: a character was "
            "mistyped. Check what you typed against your letter.",
        )
    if ballot_id is not None and token_ballot != ballot_id:
        raise TokenError(
            "other-ballot",
            f"This token is for another ballot ({token_ballot}), not this one ({ballot_id}).",
        )
    return token_ballot, seed


def credential_message(ballot_id: str, credential_pk: bytes) -> bytes:
    return labelled("inmc-vote/credential/v1") + ballot_id.encode() + b"\x00" + credential_pk


def revocation_message(ballot_id: str, credential_pk: bytes) -> bytes:
    """What the registrar signs to revoke a lost token (docs/protocol.md)."""
    return labelled("inmc-vote/revocation/v1") + ballot_id.encode() + b"\x00" + credential_pk


def fingerprint(credential_pk: bytes) -> str:
    """A short, readable name of a credential (80 bits), e.g. for revoking a lost token."""
    digest = sha256(labelled("inmc-vote/credential-fingerprint/v1"), credential_pk)
    return readable.grouped(readable.encode(digest[:10]))


@dataclass(frozen=True)
class RollLine:
    pk: bytes
    sig: bytes

    def to_json(self) -> dict[str, str]:
        return {"pk": b64url(self.pk), "sig": b64url(self.sig)}

    @classmethod
    def from_json(cls, value: dict[str, str]) -> RollLine:
        return cls(from_b64url(value["pk"]), from_b64url(value["sig"]))

    def line_bytes(self) -> bytes:
        return canonical_json(self.to_json()) + b"\n"

    def valid(self, ballot_id: str, registrar_pk: bytes) -> bool:
        return keys.verify(registrar_pk, self.sig, credential_message(ballot_id, self.pk))


def issue(ballot_id: str, registrar_seed: bytes) -> tuple[bytes, RollLine]:
    """A new credential: its private seed (the token) and its signed roll line."""
    seed, pk = keys.new_ed25519()
    return seed, RollLine(pk, keys.sign(registrar_seed, credential_message(ballot_id, pk)))


@dataclass(frozen=True)
class Credential:
    """A credential as it is handed out: the token for its holder, the fingerprint to name
    it by (a lost token is revoked by it), and the signed line for the roll."""

    token: str
    fingerprint: str
    line: RollLine


def issue_credential(ballot_id: str, registrar_seed: bytes) -> Credential:
    """A new credential, the one way the server, the offline command and a lost token's
    replacement make one, so that their tokens and fingerprints cannot differ."""
    seed, line = issue(ballot_id, registrar_seed)
    return Credential(format_token(ballot_id, seed), fingerprint(line.pk), line)


def roll_bytes(lines: list[RollLine]) -> bytes:
    """The roll as JSON Lines, sorted by the credential's raw public key."""
    return b"".join(line.line_bytes() for line in sorted(lines, key=lambda line: line.pk))


def roll_hash(lines: list[RollLine]) -> bytes:
    return sha256(roll_bytes(lines))
