"""The private key files' formats: an offline registrar key (a trustee's key file of
protocol v2 is tools/trustee.py's).

Small JSON objects; `tools/keyfiles.py` writes and reads them on people's machines:
  {"format": "inmc-vote/registrar-key/v1", "ballot": ID, "private": b64url, "public": b64url}
"""

from __future__ import annotations

from dataclasses import dataclass

REGISTRAR_KEY_FORMAT = "inmc-vote/registrar-key/v1"


class KeyFileError(Exception):
    """A key file that cannot be written or read; the message is for a person."""


@dataclass(frozen=True)
class RegistrarKey:
    ballot_id: str
    seed: bytes
    public: bytes
