"""Raw 32-byte keys and Ed25519 signatures, with `cryptography` (never hand-made crypto)."""

from __future__ import annotations

from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

RAW = Encoding.Raw


def ed25519_public(seed: bytes) -> bytes:
    """The public key of an Ed25519 private seed."""
    key = Ed25519PrivateKey.from_private_bytes(seed)
    return key.public_key().public_bytes(RAW, PublicFormat.Raw)


def new_ed25519() -> tuple[bytes, bytes]:
    """A fresh (seed, public key) pair."""
    key = Ed25519PrivateKey.generate()
    return (
        key.private_bytes(RAW, PrivateFormat.Raw, NoEncryption()),
        key.public_key().public_bytes(RAW, PublicFormat.Raw),
    )


def new_x25519() -> tuple[bytes, bytes]:
    key = X25519PrivateKey.generate()
    return (
        key.private_bytes(RAW, PrivateFormat.Raw, NoEncryption()),
        key.public_key().public_bytes(RAW, PublicFormat.Raw),
    )


def x25519_public(private: bytes) -> bytes:
    return (
        X25519PrivateKey.from_private_bytes(private)
        .public_key()
        .public_bytes(RAW, PublicFormat.Raw)
    )


def sign(seed: bytes, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).sign(message)


def verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """True when `signature` is a valid Ed25519 signature of `message` by `public_key`."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def x25519_public_key(raw: bytes) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(raw)


@lru_cache(maxsize=4)
def x25519_private_key(raw: bytes) -> X25519PrivateKey:
    # cached: a tally (and a verifier) decrypts every ballot of a round with one key
    return X25519PrivateKey.from_private_bytes(raw)
