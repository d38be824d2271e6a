"""Private key files on people's own machines: a trustee's tally key and an offline
registrar key (formats in `domain/protocol/key_files.py`), written with mode 600 and
never over an existing file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from inmc_vote.domain.protocol import keys
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.protocol.key_files import (
    REGISTRAR_KEY_FORMAT,
    TALLY_KEY_FORMAT,
    KeyFileError,
    RegistrarKey,
    TallyKey,
    tally_key_of,
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
