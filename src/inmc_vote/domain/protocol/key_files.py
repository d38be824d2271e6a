"""The private key files' formats: a trustee's tally key and an offline registrar key.

Small JSON objects; `tools/keyfiles.py` writes and reads them on people's machines, and
the server checks an uploaded tally key with `tally_key_of`:
  {"format": "inmc-vote/tally-key/v1", "private": b64url, "public": b64url}
  {"format": "inmc-vote/registrar-key/v1", "ballot": ID, "private": b64url, "public": b64url}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.protocol import keys
from inmc_vote.domain.protocol.encoding import from_b64url

TALLY_KEY_FORMAT = "inmc-vote/tally-key/v1"
REGISTRAR_KEY_FORMAT = "inmc-vote/registrar-key/v1"


class KeyFileError(Exception):
    """A key file that cannot be written or read; the message is for a person."""


def key_pair(name: str, value: dict[str, Any]) -> tuple[bytes, bytes]:
    """The two 32-byte halves of a key file's content; `name` says which file in errors."""
    try:
        private, public = from_b64url(value["private"]), from_b64url(value["public"])
    except (KeyError, ValueError):
        raise KeyFileError(f"{name}: «private» and «public» should be base64url keys.") from None
    if len(private) != 32 or len(public) != 32:
        raise KeyFileError(f"{name}: the keys should be 32 bytes each.")
    return private, public


@dataclass(frozen=True)
class TallyKey:
    private: bytes
    public: bytes


def tally_key_of(value: object, name: str = "The key file") -> TallyKey:
    """A tally key file's content (read from a file or uploaded at the tally), checked:
    the public half must be the private half's."""
    if not isinstance(value, dict) or value.get("format") != TALLY_KEY_FORMAT:
        raise KeyFileError(f"{name} is not a {TALLY_KEY_FORMAT} file.")
    private, public = key_pair(name, value)
    if keys.x25519_public(private) != public:
        raise KeyFileError(f"{name}: the public key is not the private key's.")
    return TallyKey(private, public)


@dataclass(frozen=True)
class RegistrarKey:
    ballot_id: str
    seed: bytes
    public: bytes
