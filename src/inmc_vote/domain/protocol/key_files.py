"""The private key files' formats: an offline registrar key (a trustee's key file of
protocol v2 is tools/trustee.py's).

Small JSON objects; `tools/keyfiles.py` writes and reads them on people's machines:
  {"format": "inmc-vote/registrar-key/v1", "ballot": ID, "private": b64url, "public": b64url}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.protocol.encoding import from_b64url

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
class RegistrarKey:
    ballot_id: str
    seed: bytes
    public: bytes
