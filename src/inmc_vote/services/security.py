"""Passwords, API keys, session ids and signed links, with `cryptography`'s primitives only.

Passwords: scrypt (memory-hard), parameters stored with each hash so they can grow.
API keys and session ids are 256-bit random secrets, so a plain SHA-256 of them is
what the database keeps. Links are signed with HMAC-SHA256 under the secret key.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import NamedTuple

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from inmc_vote.domain.protocol.encoding import b64url, from_b64url, sha256

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1  # 32 MiB of memory per hash
API_KEY_PREFIX = "inmc"


class ScryptCost(NamedTuple):
    n: int
    r: int
    p: int


PRODUCTION_COST = ScryptCost(SCRYPT_N, SCRYPT_R, SCRYPT_P)
# What a new hash costs. Only the test suite lowers it (tests/conftest.py); checking
# always uses the parameters stored with the hash.
password_cost = PRODUCTION_COST


def hash_password(password: str) -> str:
    n, r, p = password_cost
    salt = secrets.token_bytes(16)
    kdf = Scrypt(salt=salt, length=32, n=n, r=r, p=p)
    digest = kdf.derive(password.encode())
    return f"scrypt${n}${r}${p}${b64url(salt)}${b64url(digest)}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    try:
        kdf = Scrypt(salt=from_b64url(salt), length=32, n=int(n), r=int(r), p=int(p))
        kdf.verify(password.encode(), from_b64url(digest))
    except (InvalidKey, ValueError):  # a wrong password, or a damaged stored hash
        return False
    return True


def new_password() -> str:
    """A password a person can type: 5 groups of 4 letters and digits (about 100 bits)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(5))


@dataclass(frozen=True)
class ApiKeyParts:
    key_id: str
    secret: str

    @property
    def token(self) -> str:
        return f"{API_KEY_PREFIX}_{self.key_id}_{self.secret}"

    @property
    def secret_hash(self) -> bytes:
        return sha256(self.secret.encode())


def new_api_key() -> ApiKeyParts:
    return ApiKeyParts(key_id=secrets.token_hex(8), secret=secrets.token_urlsafe(32))


def parse_api_key(token: str) -> ApiKeyParts | None:
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return ApiKeyParts(key_id=parts[1], secret=parts[2])


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def session_id_hash(session_id: str) -> bytes:
    return sha256(session_id.encode())


def same_bytes(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)


def sign(secret_key: bytes, label: str, message: str) -> str:
    """HMAC-SHA256 under the secret key itself of `label` 0 `message`, as base64url.

    No key is derived: `label` (e.g. "inmc-vote/portal-link/v1") only separates domains,
    so that a signature made for one use is never valid for another."""
    mac = crypto_hmac.HMAC(secret_key, hashes.SHA256())
    mac.update(label.encode() + b"\x00" + message.encode())
    return b64url(mac.finalize())


def signature_matches(secret_key: bytes, label: str, message: str, signature: str) -> bool:
    # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError).
    expected = sign(secret_key, label, message).encode()
    return hmac.compare_digest(expected, signature.encode("utf-8", "surrogatepass"))


def random_id(length: int = 12) -> str:
    """A lowercase id for URLs (ballots, links), about 5 bits per character."""
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _at_rest_key(secret_key: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"inmc-vote/at-rest/v1\x00" + purpose.encode(),
    ).derive(secret_key)


def seal_at_rest(secret_key: bytes, purpose: str, plaintext: bytes) -> bytes:
    """Encrypt a private key for storage: AES-256-GCM under a key derived (HKDF-SHA256)
    from the secret key and `purpose` (e.g. "<ballot>/authority"), which is also the
    associated data, so sealed values cannot be swapped."""
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(_at_rest_key(secret_key, purpose)).encrypt(
        nonce, plaintext, purpose.encode()
    )


def open_at_rest(secret_key: bytes, purpose: str, sealed: bytes) -> bytes:
    return AESGCM(_at_rest_key(secret_key, purpose)).decrypt(
        sealed[:12], sealed[12:], purpose.encode()
    )
