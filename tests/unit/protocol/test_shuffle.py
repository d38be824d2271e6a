"""domain/protocol/shuffle.py: the Terelius–Wikström shuffle and its proof.

Honest shuffles verify and decrypt to the same multiset; any single change to the
proof, the outputs, the inputs, the manifest hash or the key makes `verify` False.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections import Counter
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inmc_vote.domain.protocol import group
from inmc_vote.domain.protocol.shuffle import (
    FIELDS,
    Ciphertext,
    Proof,
    ShuffleSecret,
    list_hash,
    prove,
    shuffle,
    verify,
)


@dataclasses.dataclass(frozen=True)
class World:
    x: bytes
    Y: bytes
    mh: bytes
    messages: tuple[bytes, ...]
    cts_in: tuple[Ciphertext, ...]
    cts_out: tuple[Ciphertext, ...]
    secret: ShuffleSecret
    proof: Proof


def encrypt(m: bytes, y: bytes) -> Ciphertext:
    r = group.random_scalar()
    return group.base_mul(r), group.add(m, group.mul(r, y))


def reencrypt(ct: Ciphertext, y: bytes) -> Ciphertext:
    r = group.random_scalar()
    return group.add(ct[0], group.base_mul(r)), group.add(ct[1], group.mul(r, y))


def decrypt(ct: Ciphertext, x: bytes) -> bytes:
    return group.sub(ct[1], group.mul(x, ct[0]))


def random_point() -> bytes:
    return group.base_mul(group.random_scalar())


def build(n: int) -> World:
    x = group.random_scalar()
    y = group.base_mul(x)
    mh = os.urandom(32)
    messages = tuple(random_point() for _ in range(n))
    cts_in = tuple(encrypt(m, y) for m in messages)
    cts_out, secret = shuffle(cts_in, y)
    proof = prove(mh, y, cts_in, cts_out, secret)
    return World(x, y, mh, messages, cts_in, tuple(cts_out), secret, proof)


@cache
def world(n: int) -> World:
    """One honest shuffle per size, shared by the tests that only read it."""
    return build(n)


# --- honest shuffles ---------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 7])
def test_an_honest_shuffle_verifies_and_keeps_the_plaintexts(n: int) -> None:
    w = world(n)
    assert verify(w.mh, w.Y, w.cts_in, w.cts_out, w.proof)
    assert Counter(decrypt(ct, w.x) for ct in w.cts_out) == Counter(w.messages)
    assert Counter(decrypt(ct, w.x) for ct in w.cts_in) == Counter(w.messages)
    assert not set(w.cts_out) & set(w.cts_in)  # every ciphertext is re-encrypted


def test_the_permutation_and_randomness_given_are_used_as_documented() -> None:
    w = world(7)
    psi = (3, 0, 6, 1, 5, 2, 4)
    rs = [group.random_scalar() for _ in psi]
    out, secret = shuffle(w.cts_in, w.Y, permutation=psi, randomness=rs)
    assert secret.permutation == psi
    for i, ct in enumerate(out):  # output i re-encrypts input ψ(i) with r'_i
        alpha, beta = w.cts_in[psi[i]]
        assert ct == (
            group.add(alpha, group.base_mul(rs[i])),
            group.add(beta, group.mul(rs[i], w.Y)),
        )
    assert verify(w.mh, w.Y, w.cts_in, out, prove(w.mh, w.Y, w.cts_in, out, secret))


def test_the_identity_permutation_verifies_too() -> None:
    w = world(2)
    out, secret = shuffle(w.cts_in, w.Y, permutation=[0, 1])
    assert verify(w.mh, w.Y, w.cts_in, out, prove(w.mh, w.Y, w.cts_in, out, secret))


def test_a_shuffle_of_a_shuffle_verifies_in_turn() -> None:
    w = world(7)
    out2, secret2 = shuffle(w.cts_out, w.Y)
    proof2 = prove(w.mh, w.Y, w.cts_out, out2, secret2)
    assert verify(w.mh, w.Y, w.cts_out, out2, proof2)
    assert not verify(w.mh, w.Y, w.cts_in, out2, proof2)
    assert Counter(decrypt(ct, w.x) for ct in out2) == Counter(w.messages)


def test_the_pool_of_workers_gives_the_same_answers() -> None:
    w = world(7)
    assert verify(w.mh, w.Y, w.cts_in, w.cts_out, w.proof, workers=2)
    bad = dataclasses.replace(w.proof, s_prime=(*w.proof.s_prime[:-1], w.proof.s_prime[0]))
    assert not verify(w.mh, w.Y, w.cts_in, w.cts_out, bad, workers=2)
    swapped = (w.cts_out[1], w.cts_out[0], *w.cts_out[2:])
    assert not verify(w.mh, w.Y, w.cts_in, swapped, w.proof, workers=2)


def test_an_empty_list_is_refused() -> None:
    y = world(1).Y
    with pytest.raises(ValueError, match="empty"):
        shuffle([], y)
    assert not verify(world(1).mh, y, [], [], world(1).proof)


def test_a_bad_permutation_or_randomness_is_refused() -> None:
    w = world(2)
    with pytest.raises(ValueError, match="permutation"):
        shuffle(w.cts_in, w.Y, permutation=[0, 0])
    with pytest.raises(ValueError, match="permutation"):
        shuffle(w.cts_in, w.Y, permutation=[0, 1, 2])
    with pytest.raises(ValueError, match="scalar"):
        shuffle(w.cts_in, w.Y, randomness=[group.random_scalar()])
    with pytest.raises(ValueError, match="scalar"):
        shuffle(w.cts_in, w.Y, randomness=[b"\xff" * 32, group.random_scalar()])


def test_a_proof_under_another_manifest_hash_fails() -> None:
    w = world(7)
    other = os.urandom(32)
    assert not verify(other, w.Y, w.cts_in, w.cts_out, w.proof)
    # and a proof made under the other manifest hash fails under the first
    proof = prove(other, w.Y, w.cts_in, w.cts_out, w.secret)
    assert verify(other, w.Y, w.cts_in, w.cts_out, proof)
    assert not verify(w.mh, w.Y, w.cts_in, w.cts_out, proof)


# --- the documented bytes -----------------------------------------------------------


def test_list_hash_is_the_documented_bytes() -> None:
    w = world(2)
    expected = hashlib.sha256(
        b"inmc-vote/v2/ciphertexts\x00"
        + (2).to_bytes(8, "big")
        + w.cts_in[0][0]
        + w.cts_in[0][1]
        + w.cts_in[1][0]
        + w.cts_in[1][1]
    ).digest()
    assert list_hash(w.cts_in) == expected
    with pytest.raises(ValueError, match="32-byte"):
        list_hash([(b"\x00" * 31, w.cts_in[0][1])])


def test_the_challenges_are_the_documented_bytes() -> None:
    """Redo u_i and c from the module docstring's definitions with hashlib, and check
    two of CheckProof's equations with them: t1 and t̂_1."""
    w = world(2)
    p = w.proof
    n = 2
    prefix = (
        b"inmc-vote/v2/shuffle-statement\x00"
        + w.mh
        + w.Y
        + list_hash(w.cts_in)
        + list_hash(w.cts_out)
        + n.to_bytes(8, "big")
        + b"".join(p.permutation_commitments)
    )
    s_u = hashlib.sha256(prefix).digest()
    u = [group.hash_scalar("inmc-vote/v2/shuffle-u", s_u, i.to_bytes(4, "big")) for i in (1, 2)]
    s = hashlib.sha256(prefix + n.to_bytes(8, "big") + b"".join(p.chain)).digest()
    c = group.hash_scalar("inmc-vote/v2/shuffle-c", s, p.t1, p.t2, p.t3, p.t41, p.t42, *p.t_hat)
    h = group.generator(w.mh, 0)
    hs = [group.generator(w.mh, i) for i in (1, 2)]
    c_bar = group.sub(group.total(p.permutation_commitments), group.total(hs))
    assert p.t1 == group.sub(group.base_mul(p.s1), group.mul(c, c_bar))
    assert p.t_hat[0] == group.sub(
        group.add(group.base_mul(p.s_hat[0]), group.mul(p.s_prime[0], h)),
        group.mul(c, p.chain[0]),
    )
    # ĉ_N = r̂·G + (Π u_i)·h: ĉ_N − (Π u_i)·h is what s2 answers for
    c_hat = group.sub(p.chain[-1], group.mul(group.s_mul(u[0], u[1]), h))
    assert p.t2 == group.sub(group.base_mul(p.s2), group.mul(c, c_hat))


# --- JSON ---------------------------------------------------------------------------


def test_the_proof_goes_through_json_unchanged() -> None:
    p = world(7).proof
    obj = p.to_json()
    assert list(obj) == list(FIELDS)
    assert all(isinstance(obj[f], str | list) for f in FIELDS)
    assert Proof.from_json(obj) == p


def _bad_json() -> list[tuple[str, Any]]:
    good = world(2).proof.to_json()
    cases: list[tuple[str, Any]] = [("not a dict", [good])]
    cases.append(("missing field", {k: v for k, v in good.items() if k != "s4"}))
    cases.append(("extra field", {**good, "c": good["s1"]}))
    cases.append(("padded base64", {**good, "t1": good["t1"] + "="}))
    cases.append(("not text", {**good, "t2": 5}))
    cases.append(("short point", {**good, "t3": good["t3"][:-2]}))
    cases.append(("scalar ≥ L", {**good, "s1": "_" * 42 + "8"}))
    cases.append(("scalar list ≥ L", {**good, "s_hat": [good["s_hat"][0], "_" * 42 + "8"]}))
    cases.append(("list not a list", {**good, "chain": good["chain"][0]}))
    cases.append(("lists of two lengths", {**good, "t_hat": good["t_hat"][:1]}))
    empty = {k: ([] if isinstance(v, list) else v) for k, v in good.items()}
    cases.append(("empty lists", empty))
    return cases


@pytest.mark.parametrize(("why", "obj"), _bad_json(), ids=[c[0] for c in _bad_json()])
def test_a_malformed_proof_is_refused_by_from_json(why: str, obj: Any) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (each case has its own message)
        Proof.from_json(obj)


# --- every single change is caught --------------------------------------------------

N = 4
TORSION = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
"""A point of order 8 (not in the prime-order subgroup)."""


def _off_subgroup(p: bytes) -> bytes:
    """P plus a point of order 8: on the curve, not in the group (libsodium's own add,
    since `group.add` refuses it)."""
    from nacl import bindings

    result: bytes = bindings.crypto_core_ed25519_add(p, TORSION)
    return result


def _mutate_point(p: bytes, how: int, k: int) -> bytes | None:
    """A different value in place of point p (None: drop the entry)."""
    if how == 0:
        return group.add(p, group.base_mul(group.scalar_of(k + 1)))  # another valid point
    if how == 1:
        return _off_subgroup(p)
    if how == 2:
        return bytes([p[0] ^ 1]) + p[1:]  # another encoding, a point or not
    if how == 3:
        return p[:31]  # wrong length
    if how == 4:
        return b"\xff" * 32  # not canonical
    return None


def _mutate_scalar(s: bytes, how: int, k: int) -> bytes | None:
    if how in (0, 1):
        return group.s_add(s, group.scalar_of(k + 1))
    if how == 2:
        return b"\xff" * 32  # not below L
    if how == 3:
        return s[:31]
    if how == 4:
        return group.s_neg(s)
    return None


def _flip(proof: Proof, name: str, index: int, how: int, k: int) -> Proof:
    value = getattr(proof, name)
    scalar = name.startswith("s")
    mutate = _mutate_scalar if scalar else _mutate_point
    if isinstance(value, tuple):
        items = list(value)
        replacement = mutate(items[index], how, k)
        if replacement is None:
            del items[index]
        else:
            items[index] = replacement
        return dataclasses.replace(proof, **{name: tuple(items)})
    replacement = mutate(value, how, k)
    if replacement is None:
        replacement = value + b"\x00"
    return dataclasses.replace(proof, **{name: replacement})


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(FIELDS),
    index=st.integers(0, N - 1),
    how=st.integers(0, 5),
    k=st.integers(0, 2**64),
)
def test_any_single_change_to_the_proof_fails(name: str, index: int, how: int, k: int) -> None:
    w = world(N)
    bad = _flip(w.proof, name, index, how, k)
    assert bad != w.proof
    assert not verify(w.mh, w.Y, w.cts_in, w.cts_out, bad)


@pytest.mark.parametrize("name", FIELDS)
def test_each_field_changed_fails(name: str) -> None:
    """The same, deterministically: every field, the first and last entry of lists."""
    w = world(N)
    for index in (0, N - 1):
        for how in range(6):
            bad = _flip(w.proof, name, index, how, 7)
            assert not verify(w.mh, w.Y, w.cts_in, w.cts_out, bad), (name, index, how)


def _other_than(i: int, j: int) -> int:
    return j if j != i else (j + 1) % N


@settings(max_examples=25, deadline=None)
@given(
    change=st.sampled_from(
        ["swap outputs", "re-encrypt another input", "change an input", "mh", "Y", "wrong lists"]
    ),
    i=st.integers(0, N - 1),
    j=st.integers(0, N - 1),
)
def test_any_change_to_the_statement_fails(change: str, i: int, j: int) -> None:
    w = world(N)
    cts_in, cts_out, mh, y = list(w.cts_in), list(w.cts_out), w.mh, w.Y
    if change == "swap outputs":
        j = _other_than(i, j)
        cts_out[i], cts_out[j] = cts_out[j], cts_out[i]
    elif change == "re-encrypt another input":
        # output i re-encrypts input ψ(i): put a re-encryption of another input there
        cts_out[i] = reencrypt(cts_in[_other_than(w.secret.permutation[i], j)], y)
    elif change == "change an input":
        cts_in[i] = reencrypt(cts_in[i], y) if j % 2 else encrypt(random_point(), y)
    elif change == "mh":
        mh = bytes([mh[0] ^ (1 << (j % 8))]) + mh[1:]
    elif change == "Y":
        y = group.add(y, group.base_mul(group.scalar_of(j + 1)))
    else:
        cts_in, cts_out = cts_out, cts_in
    assert not verify(mh, y, cts_in, cts_out, w.proof)


def test_malformed_statements_give_false_not_an_exception() -> None:
    w = world(2)
    ok = (w.mh, w.Y, w.cts_in, w.cts_out, w.proof)
    assert verify(*ok)
    assert verify(w.mh, w.Y, [[*ct] for ct in w.cts_in], w.cts_out, w.proof)  # lists do too
    bads: list[tuple[Any, ...]] = [
        (w.mh[:31], *ok[1:]),
        (w.mh, w.Y[:31], *ok[2:]),
        (w.mh, _off_subgroup(w.Y), *ok[2:]),
        (w.mh, b"\xff" * 32, *ok[2:]),
        (w.mh, w.Y, w.cts_in[:1], w.cts_out, w.proof),
        (w.mh, w.Y, w.cts_in, [*w.cts_out, w.cts_out[0]], w.proof),
        (w.mh, w.Y, [(w.cts_in[0][0], w.cts_in[0][1][:31]), w.cts_in[1]], w.cts_out, w.proof),
        (w.mh, w.Y, [(_off_subgroup(w.cts_in[0][0]), w.cts_in[0][1]), w.cts_in[1]], *ok[3:]),
        (
            w.mh,
            w.Y,
            w.cts_in,
            [(w.cts_out[0][0], _off_subgroup(w.cts_out[0][1])), w.cts_out[1]],
            w.proof,
        ),
        (w.mh, w.Y, w.cts_in, w.cts_out, w.proof.to_json()),
        (w.mh, w.Y, None, w.cts_out, w.proof),
    ]
    for args in bads:
        assert not verify(*args)
