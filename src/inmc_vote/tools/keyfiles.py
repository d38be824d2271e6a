"""Private key files on people's own machines (an offline registrar key, format in
`domain/protocol/key_files.py`; a trustee's key file, tools/trustee.py), written with
mode 600 and never over an existing file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from inmc_vote.domain.protocol import keys
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.domain.protocol.key_files import (
    REGISTRAR_KEY_FORMAT,
    KeyFileError,
    RegistrarKey,
)


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


def rewrite_private(path: Path, data: bytes) -> None:
    """Replace the owner's own file at `path` (the caller checked that it is the same key's),
    through a new mode-600 file renamed over it, so that a crash leaves one or the other."""
    temporary = path.with_name(f".{path.name}.new")
    temporary.unlink(missing_ok=True)
    write_private(temporary, data)
    os.replace(temporary, path)


def _dump(value: dict[str, Any]) -> bytes:
    return json.dumps(value, indent=2, sort_keys=True).encode() + b"\n"


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


def read_registrar_key(path: Path, ballot_id: str) -> RegistrarKey:
    """The offline registrar key `inmc-vote tokens issue` wrote, for this ballot."""
    try:
        value = json.loads(path.read_bytes())
    except OSError as error:
        raise KeyFileError(f"Cannot read {path}: {error.strerror}.") from None
    except ValueError:
        raise KeyFileError(f"{path} is not a registrar key file (not JSON).") from None
    if not isinstance(value, dict) or value.get("format") != REGISTRAR_KEY_FORMAT:
        raise KeyFileError(
            f"{path} is not a registrar key file ({REGISTRAR_KEY_FORMAT}): give the "
            "registrar.key that `inmc-vote tokens issue` wrote."
        )
    if value.get("ballot") != ballot_id:
        raise KeyFileError(f"{path} is the registrar key of ballot {value.get('ballot')}.")
    try:
        seed = from_b64url(value["private"])
        public = keys.ed25519_public(seed)
    except (KeyError, TypeError, ValueError):
        raise KeyFileError(f"{path} holds no readable private key.") from None
    if b64url(public) != value.get("public"):
        raise KeyFileError(f"{path}'s private and public keys do not match.")
    return RegistrarKey(ballot_id, seed, public)
