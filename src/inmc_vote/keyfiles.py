"""Private key files kept off the server: a trustee's tally key and an offline registrar key.

Small JSON files, written with mode 600 and never over an existing file:
  {"format": "inmc-vote/tally-key/v1", "private": b64url, "public": b64url}
  {"format": "inmc-vote/registrar-key/v1", "ballot": ID, "private": b64url, "public": b64url}
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inmc_vote.domain.protocol import keys
from inmc_vote.domain.protocol.encoding import b64url, from_b64url

TALLY_KEY_FORMAT = "inmc-vote/tally-key/v1"
REGISTRAR_KEY_FORMAT = "inmc-vote/registrar-key/v1"


class KeyFileError(Exception):
    """A key file that cannot be written or read; the message is for a person."""


def write_private(path: Path, data: bytes) -> None:
    """Create `path` readable by its owner only; refuse to replace anything."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"{path} already exists: it is not overwritten.") from None
    except OSError as error:
        raise KeyFileError(f"Cannot create {path}: {error.strerror}.") from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _dump(value: dict[str, Any]) -> bytes:
    return json.dumps(value, indent=2, sort_keys=True).encode() + b"\n"


def _load(path: Path, expected_format: str) -> dict[str, Any]:
    try:
        value = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise KeyFileError(f"{path} does not exist.") from None
    except (OSError, ValueError) as error:
        raise KeyFileError(f"{path} cannot be read as a key file ({error}).") from None
    if not isinstance(value, dict) or value.get("format") != expected_format:
        raise KeyFileError(f"{path} is not a {expected_format} file.")
    return value


def _key_pair(path: Path, value: dict[str, Any]) -> tuple[bytes, bytes]:
    try:
        private, public = from_b64url(value["private"]), from_b64url(value["public"])
    except (KeyError, ValueError):
        raise KeyFileError(f"{path}: «private» and «public» should be base64url keys.") from None
    if len(private) != 32 or len(public) != 32:
        raise KeyFileError(f"{path}: the keys should be 32 bytes each.")
    return private, public


@dataclass(frozen=True)
class TallyKey:
    private: bytes
    public: bytes


def new_tally_key(path: Path) -> TallyKey:
    private, public = keys.new_x25519()
    write_private(
        path,
        _dump({"format": TALLY_KEY_FORMAT, "private": b64url(private), "public": b64url(public)}),
    )
    return TallyKey(private, public)


def read_tally_key(path: Path) -> TallyKey:
    """The trustee's key pair, checked: the public half must be the private half's."""
    return tally_key_of(_load(path, TALLY_KEY_FORMAT), str(path))


def tally_key_of(value: object, name: str = "The key file") -> TallyKey:
    """A tally key file's content (as uploaded at the tally), checked like a file read."""
    if not isinstance(value, dict) or value.get("format") != TALLY_KEY_FORMAT:
        raise KeyFileError(f"{name} is not a {TALLY_KEY_FORMAT} file.")
    private, public = _key_pair(Path(name), value)
    if keys.x25519_public(private) != public:
        raise KeyFileError(f"{name}: the public key is not the private key's.")
    return TallyKey(private, public)


@dataclass(frozen=True)
class RegistrarKey:
    ballot_id: str
    seed: bytes
    public: bytes


def new_registrar_key(path: Path, ballot_id: str) -> RegistrarKey:
    seed, public = keys.new_ed25519()
    write_private(
        path,
        _dump(
            {
                "format": REGISTRAR_KEY_FORMAT,
                "ballot": ballot_id,
                "private": b64url(seed),
                "public": b64url(public),
            }
        ),
    )
    return RegistrarKey(ballot_id, seed, public)


def read_registrar_key(path: Path) -> RegistrarKey:
    value = _load(path, REGISTRAR_KEY_FORMAT)
    seed, public = _key_pair(path, value)
    if keys.ed25519_public(seed) != public:
        raise KeyFileError(f"{path}: the public key is not the private key's.")
    return RegistrarKey(str(value.get("ballot", "")), seed, public)
