"""What every trustee message shares (docs/protocol.md, "Trustees", first paragraph):
its signature, its hash, and `Reader`, the checks every reader of one makes on untrusted
JSON. The key ceremony's messages (ceremony.py) and the decryptions (decryption.py) read
through it, so that a field is refused in the same words wherever it stands."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, NoReturn

from inmc_vote.domain.protocol import group, keys
from inmc_vote.domain.protocol.encoding import (
    b64url,
    canonical_json,
    from_b64url,
    labelled,
    sha256,
)

SIGNATURE_LABEL = "inmc-vote/v2/trustee"


def _body(message: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if k != "signature"}


def signed_bytes(message: Mapping[str, Any]) -> bytes:
    """labelled("inmc-vote/v2/trustee") ‖ SHA-256(canonical_json(message without signature))."""
    return labelled(SIGNATURE_LABEL) + sha256(canonical_json(_body(message)))


def sign(message: Mapping[str, Any], signing_seed: bytes) -> dict[str, Any]:
    """The message with its `signature` field (replacing any there was)."""
    signature = keys.sign(signing_seed, signed_bytes(message))
    return {**_body(message), "signature": b64url(signature)}


def signature_valid(message: Mapping[str, Any], signing_key: bytes) -> bool:
    try:
        signature = from_b64url(message.get("signature"))
        return keys.verify(signing_key, signature, signed_bytes(message))
    except (ValueError, TypeError):
        return False


def message_hash(message: Mapping[str, Any]) -> bytes:
    """SHA-256 of the whole message's canonical bytes (signature included): what the
    deals' `certificates`, the keys' `deals`, the events and the bundle refer to."""
    return sha256(canonical_json(dict(message)))


class Reader(ABC):
    """Checks of untrusted JSON values; each failure goes through `fail`, which each
    reader defines to raise its own error naming the trustee."""

    @abstractmethod
    def fail(self, check: str) -> NoReturn:
        """Refuse the message: `check` says which check failed, in words."""

    def fields(self, obj: object, form: str, fields: frozenset[str]) -> dict[str, Any]:
        """`obj` as a JSON object with exactly `fields`, its `format` being `form`."""
        if not isinstance(obj, dict):
            self.fail("it is not a JSON object")
        missing = sorted(fields - obj.keys())
        extra = sorted(obj.keys() - fields)
        if missing:
            self.fail(f"it lacks the field(s) {', '.join(missing)}")
        if extra:
            self.fail(f"it has unknown field(s) {', '.join(extra)}")
        if obj["format"] != form:
            self.fail(f'its format is not "{form}"')
        return obj

    def index(self, value: object, n: int, words: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= n:
            self.fail(f"{words} is not a trustee index from 1 to {n}")
        return value

    def raw(self, value: object, size: int, words: str) -> bytes:
        try:
            data = from_b64url(value)
        except ValueError:
            self.fail(f"{words} is not base64url")
        if len(data) != size:
            self.fail(f"{words} is not {size} bytes")
        return data

    def point(self, value: object, words: str) -> bytes:
        data = self.raw(value, group.POINT_BYTES, words)
        try:
            return group.point(data)
        except group.GroupError:
            self.fail(f"{words} is not a point of the group")

    def scalar(self, value: object, words: str) -> bytes:
        data = self.raw(value, group.SCALAR_BYTES, words)
        try:
            return group.scalar(data)
        except group.GroupError:
            self.fail(f"{words} is not a scalar below L")

    def text(self, value: object, limit: int, words: str) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            self.fail(f"{words} is not a text of 1 to {limit} characters")
        return value

    def signed_by(self, message: Mapping[str, Any], signing_key: bytes, words: str) -> None:
        """The message's `signature` is by `signing_key` (`words` says whose key it is)."""
        signature = self.raw(message["signature"], 64, "the signature")
        try:
            signed = signed_bytes(message)
        except TypeError:  # canonical JSON has no floats
            self.fail("it holds a number that is not an integer")
        if not keys.verify(signing_key, signature, signed):
            self.fail(f"the signature is not {words}")
