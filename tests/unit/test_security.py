"""security.py: passwords, API keys, signed links, random ids."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from hypothesis import given, settings
from hypothesis import strategies as st

from inmc_vote.domain.protocol.encoding import from_b64url
from inmc_vote.services import security
from tests.conftest import TEST_PASSWORD_COST

KEY = b"k" * 48
ID_ALPHABET = set("abcdefghijkmnpqrstuvwxyz23456789")


@pytest.fixture(scope="module")
def stored() -> Iterator[str]:
    """A hash at the production cost (the suite lowers it for speed, tests/conftest.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "password_cost", security.PRODUCTION_COST)
        yield security.hash_password("correct horse battery staple")


def test_production_hashes_at_full_cost_and_only_the_tests_lower_it() -> None:
    """A process that is not the test suite hashes with 2**15, 8, 1 (32 MiB)."""
    code = "from inmc_vote.services import security; print(security.hash_password('pw'))"
    made = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert made.stdout.startswith("scrypt$32768$8$1$")
    assert security.PRODUCTION_COST == (2**15, 8, 1)
    assert security.password_cost == TEST_PASSWORD_COST  # what this suite uses instead
    assert security.hash_password("pw").startswith(f"scrypt${TEST_PASSWORD_COST.n}$")


def test_a_password_hash_is_scrypt_with_its_parameters_and_a_salt(stored: str) -> None:
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**15), "8", "1")
    assert len(from_b64url(salt)) == 16
    assert len(from_b64url(digest)) == 32
    assert "correct horse" not in stored


def test_the_right_password_matches(stored: str) -> None:
    assert security.check_password("correct horse battery staple", stored)


@pytest.mark.parametrize(
    "attempt", ["", "correct horse battery stapl", "Correct horse battery staple", "x" * 100]
)
def test_a_wrong_password_does_not(stored: str, attempt: str) -> None:
    assert not security.check_password(attempt, stored)


def test_the_same_password_hashes_differently_each_time(stored: str) -> None:
    again = security.hash_password("correct horse battery staple")
    assert again != stored
    assert security.check_password("correct horse battery staple", again)


def test_cheaper_parameters_stored_with_a_hash_are_honoured() -> None:
    salt = "c2FsdHNhbHRzYWx0c2FsdA"
    kdf = Scrypt(salt=from_b64url(salt), length=32, n=2**4, r=8, p=1)
    digest = security.b64url(kdf.derive(b"pw"))
    assert security.check_password("pw", f"scrypt$16$8$1${salt}${digest}")
    assert not security.check_password("pW", f"scrypt$16$8$1${salt}${digest}")


@pytest.mark.parametrize(
    "damaged",
    [
        "",
        "plain",
        "bcrypt$16$8$1$c2FsdA$ZGlnZXN0",
        "scrypt$16$8$1$c2FsdA",
        "scrypt$x$8$1$c2FsdA$ZGlnZXN0",
        "scrypt$15$8$1$c2FsdA$ZGlnZXN0",  # n not a power of two
        "scrypt$16$8$1$not base64!$ZGlnZXN0",
    ],
)
def test_a_damaged_stored_hash_never_matches_and_never_raises(damaged: str) -> None:
    assert security.check_password("pw", damaged) is False


def test_new_passwords_are_five_groups_of_four() -> None:
    passwords = {security.new_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert re.fullmatch(r"[a-km-np-z2-9]{4}(-[a-km-np-z2-9]{4}){4}", password)


def test_an_api_key_parses_back_into_its_parts() -> None:
    key = security.new_api_key()
    assert key.token.startswith("inmc_")
    assert security.parse_api_key(key.token) == key
    assert security.parse_api_key(f"  {key.token}\n") == key
    assert len(key.secret_hash) == 32
    assert key.secret_hash == security.sha256(key.secret.encode())


def test_a_secret_with_underscores_stays_whole() -> None:
    parsed = security.parse_api_key("inmc_0123abcd_se_cr_et")
    assert parsed == security.ApiKeyParts("0123abcd", "se_cr_et")


@pytest.mark.parametrize(
    "token",
    ["", "inmc", "inmc_abc", "inmc__secret", "inmc_abc_", "other_abc_secret", "INMC_abc_secret"],
)
def test_anything_else_is_not_an_api_key(token: str) -> None:
    assert security.parse_api_key(token) is None


def test_api_keys_are_unique_and_long() -> None:
    keys = [security.new_api_key() for _ in range(20)]
    assert len({k.key_id for k in keys}) == 20
    assert all(len(from_b64url(k.secret)) == 32 for k in keys)
    assert all(re.fullmatch(r"[0-9a-f]{16}", k.key_id) for k in keys)


def test_session_ids_are_random_and_stored_hashed() -> None:
    first, second = security.new_session_id(), security.new_session_id()
    assert first != second
    assert len(from_b64url(first)) == 32
    assert security.session_id_hash(first) == security.sha256(first.encode())
    assert security.same_bytes(security.session_id_hash(first), security.session_id_hash(first))
    assert not security.same_bytes(
        security.session_id_hash(first), security.session_id_hash(second)
    )


def test_a_signature_verifies_for_its_key_purpose_and_message() -> None:
    signature = security.sign(KEY, "portal", "link.ballot.3.1700000000")
    assert len(from_b64url(signature)) == 32
    assert security.signature_matches(KEY, "portal", "link.ballot.3.1700000000", signature)
    assert not security.signature_matches(
        b"j" * 48, "portal", "link.ballot.3.1700000000", signature
    )
    assert not security.signature_matches(KEY, "session", "link.ballot.3.1700000000", signature)
    assert not security.signature_matches(KEY, "portal", "link.ballot.4.1700000000", signature)


@settings(max_examples=200)
@given(st.text(max_size=60))
def test_any_forged_signature_is_refused_without_an_error(forged: str) -> None:
    signature = security.sign(KEY, "portal", "message")
    assert security.signature_matches(KEY, "portal", "message", forged) is (forged == signature)


@pytest.mark.parametrize("forged", ["é", "\udcff", "signature\x00", "Ω" * 43])
def test_non_ascii_signatures_are_refused_without_an_error(forged: str) -> None:
    assert not security.signature_matches(KEY, "portal", "message", forged)


@pytest.mark.parametrize("length", [1, 12, 16, 40])
def test_random_ids_use_the_unambiguous_alphabet(length: int) -> None:
    ids = [security.random_id(length) for _ in range(200)]
    assert all(len(i) == length for i in ids)
    assert set("".join(ids)) <= ID_ALPHABET
    assert len(ID_ALPHABET) == 32  # 5 bits a character
    if length >= 12:
        assert len(set(ids)) == len(ids)


def test_random_ids_use_every_character_of_the_alphabet() -> None:
    seen = set("".join(security.random_id(40) for _ in range(100)))
    assert seen == ID_ALPHABET
