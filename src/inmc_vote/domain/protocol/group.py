"""The group of protocol v2: Ed25519's prime-order subgroup, through libsodium.

Points are their 32-byte RFC 8032 encodings, scalars 32 bytes little-endian below L.
Every operation is libsodium's (PyNaCl's `nacl.bindings`): no field, curve or scalar
arithmetic is written here, only the checks and the naming. libsodium refuses a result
that is the identity point; honest data reaches it with negligible probability, so it is
reported as a failed check (`GroupError`), as docs/protocol.md says.

Belenios' specification (doc/specification.tex, "Ed25519" group) uses the same group;
its hash-to-scalar is replaced here by `hash_scalar`, which length-prefixes each part so
that no two statements hash alike.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterable

from nacl import bindings as sodium
from nacl.exceptions import RuntimeError as SodiumError

L = 2**252 + 27742317777372353535851937790883648493
"""The order of the group (RFC 8032's L)."""

POINT_BYTES = 32
SCALAR_BYTES = 32

BASE = bytes.fromhex("5866666666666666666666666666666666666666666666666666666666666666")
"""RFC 8032's base point G."""

_L_BYTES = L.to_bytes(SCALAR_BYTES, "little")
IDENTITY = bytes([1]) + bytes(POINT_BYTES - 1)
"""The neutral element's one canonical encoding (x = 0, y = 1)."""


class GroupError(ValueError):
    """A point or scalar that fails its check, or an operation whose result is the identity."""


def is_point(value: bytes) -> bool:
    """Whether `value` encodes a point of the prime-order subgroup (see `point`)."""
    return (
        isinstance(value, bytes)
        and len(value) == POINT_BYTES
        and bool(sodium.crypto_core_ed25519_is_valid_point(value))
    )


def point(value: bytes) -> bytes:
    """`value` if it encodes a point of the prime-order subgroup: canonical, on the curve,
    not of small order and torsion-free (libsodium's `is_valid_point` checks all four)."""
    if not is_point(value):
        raise GroupError("not a point of the group")
    return value


def scalar(value: bytes) -> bytes:
    """`value` if it is a canonical scalar: 32 bytes little-endian, below L."""
    if not isinstance(value, bytes) or len(value) != SCALAR_BYTES:
        raise GroupError("a scalar is 32 bytes")
    if value[::-1] >= _L_BYTES[::-1]:  # big-endian byte strings compare as numbers
        raise GroupError("a scalar is below the group order")
    return value


def scalar_of(n: int) -> bytes:
    """A small non-negative integer (an index, a power) as a scalar."""
    if not 0 <= n < L:
        raise GroupError("out of range for a scalar")
    return n.to_bytes(SCALAR_BYTES, "little")


def reduce(wide: bytes) -> bytes:
    """64 bytes, read little-endian, reduced mod L (libsodium's `scalar_reduce`)."""
    if len(wide) != 2 * SCALAR_BYTES:
        raise GroupError("a value to reduce is 64 bytes")
    return sodium.crypto_core_ed25519_scalar_reduce(wide)


def random_scalar() -> bytes:
    """A uniform scalar: 64 random bytes reduced mod L (bias below 2^-250)."""
    return reduce(os.urandom(64))


def hash_scalar(label: str, *parts: bytes) -> bytes:
    """Hs(label, parts) = SHA-512(label 0 ‖ for each part: u32(len) ‖ part) mod L.

    Every Fiat–Shamir challenge is one of these over its whole statement."""
    digest = hashlib.sha512(label.encode() + b"\x00")
    for part in parts:
        digest.update(struct.pack(">I", len(part)))
        digest.update(part)
    return sodium.crypto_core_ed25519_scalar_reduce(digest.digest())


def u32(n: int) -> bytes:
    return struct.pack(">I", n)


def _checked(operation: str, call: object, *args: bytes) -> bytes:
    try:
        return call(*args)  # type: ignore[operator, no-any-return]
    except SodiumError:
        raise GroupError(f"{operation} gave the identity or a bad point") from None


def base_mul(s: bytes) -> bytes:
    """s·G (no clamping: a proof's scalars are used as they are)."""
    return _checked("s·G", sodium.crypto_scalarmult_ed25519_base_noclamp, s)


def mul(s: bytes, p: bytes) -> bytes:
    """s·P (no clamping)."""
    return _checked("s·P", sodium.crypto_scalarmult_ed25519_noclamp, s, p)


def add(p: bytes, q: bytes) -> bytes:
    """P + Q, for points that passed `point` (or came out of an operation here); the
    identity is refused. The sum of two points of the subgroup is in the subgroup, so only
    the identity needs a check, and its encoding is unique: comparing bytes costs a
    fraction of re-running `is_valid_point`."""
    result = _checked("P + Q", sodium.crypto_core_ed25519_add, p, q)
    if result == IDENTITY:
        raise GroupError("P + Q is the identity")
    return result


def sub(p: bytes, q: bytes) -> bytes:
    """P − Q, for checked points; the identity is refused."""
    result = _checked("P − Q", sodium.crypto_core_ed25519_sub, p, q)
    if result == IDENTITY:
        raise GroupError("P − Q is the identity")
    return result


def total(points: Iterable[bytes]) -> bytes:
    """The sum of one or more points."""
    iterator = iter(points)
    try:
        result = next(iterator)
    except StopIteration:
        raise GroupError("the sum of no points is the identity") from None
    for p in iterator:
        result = add(result, p)
    return result


def s_add(a: bytes, b: bytes) -> bytes:
    return sodium.crypto_core_ed25519_scalar_add(a, b)


def s_sub(a: bytes, b: bytes) -> bytes:
    return sodium.crypto_core_ed25519_scalar_sub(a, b)


def s_mul(a: bytes, b: bytes) -> bytes:
    return sodium.crypto_core_ed25519_scalar_mul(a, b)


def s_neg(a: bytes) -> bytes:
    return sodium.crypto_core_ed25519_scalar_negate(a)


def s_inv(a: bytes) -> bytes:
    """a⁻¹ mod L; zero has no inverse."""
    if a == bytes(SCALAR_BYTES):
        raise GroupError("zero has no inverse")
    return sodium.crypto_core_ed25519_scalar_invert(a)


def s_sum(scalars: Iterable[bytes]) -> bytes:
    result = bytes(SCALAR_BYTES)
    for s in scalars:
        result = s_add(result, s)
    return result


def generator(manifest_hash: bytes, index: int) -> bytes:
    """An independent generator for the shuffle's commitments (h = index 0, h_i = index i):
    Elligator 2 then cofactor clearing (libsodium's `from_uniform`) of a hash, so nobody
    knows its discrete logarithm to G or to any other generator."""
    seed = hashlib.sha512(b"inmc-vote/v2/generator\x00" + manifest_hash + u32(index)).digest()[
        :POINT_BYTES
    ]
    return point(sodium.crypto_core_ed25519_from_uniform(seed))
