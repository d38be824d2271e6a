"""Byte encodings shared by every message: canonical JSON, base64url, u64, times."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any


def canonical_json(value: Any) -> bytes:
    """UTF-8, keys sorted, no insignificant whitespace, no floats."""
    _reject_floats(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("canonical JSON has no floats: write fractions as strings")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("canonical JSON keys are strings")
            _reject_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_floats(item)


def sha256(*parts: bytes) -> bytes:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.digest()


def labelled(label: str) -> bytes:
    """A message's domain label: its name and a zero byte."""
    return label.encode() + b"\x00"


def u64(n: int) -> bytes:
    return n.to_bytes(8, "big")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def from_b64url(text: object) -> bytes:
    """Decode unpadded base64url, refusing any other spelling of the same bytes (and
    anything that is not text: readers pass it untrusted JSON values)."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("expected unpadded base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url(data) != text:  # unused trailing bits set: not the canonical encoding
        raise ValueError("expected unpadded base64url")
    return data


def rfc3339_ms(moment: datetime) -> str:
    """A UTC time to the millisecond, e.g. 2026-05-01T09:00:00.000Z."""
    if moment.utcoffset() is None:  # naive, or a tzinfo that knows no offset
        raise ValueError("times must carry their zone")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"
