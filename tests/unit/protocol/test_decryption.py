"""domain/protocol/decryption.py: threshold decryption (docs/protocol.md, "Decryption")."""

from __future__ import annotations

import copy
import itertools
import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inmc_vote.domain.protocol import decryption, group, lot, trustee_message
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url
from inmc_vote.domain.protocol.shuffle import list_hash

from .ceremony_world import BALLOT, World, encrypt, random_point, run

MH = bytes(range(32))
ROUND = 1
DecryptionError = decryption.DecryptionError


def decrypt_by(
    w: World, k: int, cts: list[tuple[bytes, bytes]], round: int = ROUND
) -> dict[str, Any]:
    return decryption.make_decryption(
        ballot=BALLOT,
        round=round,
        trustee=k,
        manifest_hash=MH,
        share=w.shares[k],
        verification_key=w.election.member(k).verification_key,
        ciphertexts=cts,
        lot_reveal=lot.reveal(w.secrets[k].lot, round),
        signing_seed=w.secrets[k].signing_seed,
    )


def read(
    w: World, k: int, message: object, cts: list[tuple[bytes, bytes]]
) -> decryption.Decryption:
    return decryption.read_decryption(
        message,
        ballot=BALLOT,
        round=ROUND,
        manifest_hash=MH,
        trustee_public=w.election.member(k),
        ciphertexts=cts,
    )


@pytest.fixture(scope="module")
def world() -> World:
    return run(3, 2)


@pytest.fixture(scope="module")
def cts(world: World) -> list[tuple[bytes, bytes]]:
    return [encrypt(world.y, random_point()) for _ in range(4)]


@pytest.fixture(scope="module")
def message(world: World, cts: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return decrypt_by(world, 2, cts)


# --- the whole path ------------------------------------------------------------------


@pytest.mark.parametrize(("n", "t"), [(1, 1), (3, 2), (5, 3)])
def test_any_t_trustees_decrypt_and_t_minus_1_do_not(n: int, t: int) -> None:
    w = run(n, t)
    plaintexts = [random_point() for _ in range(3)]
    cts = [encrypt(w.y, m) for m in plaintexts]
    factors = {}
    for k in range(1, n + 1):
        d = read(w, k, json.loads(json.dumps(decrypt_by(w, k, cts))), cts)
        assert d.trustee == k
        assert d.input == list_hash(cts)
        factors[k] = d.factors
    for subset in itertools.combinations(range(1, n + 1), t):
        assert decryption.combine(cts, {k: factors[k] for k in subset}, t) == plaintexts
    if t > 1:
        for subset in itertools.combinations(range(1, n + 1), t - 1):
            chosen = {k: factors[k] for k in subset}
            with pytest.raises(ValueError, match=f"needs {t} trustees"):
                decryption.combine(cts, chosen, t)
            # even interpolating with too few shares does not give the votes
            wrong = decryption.combine(cts, chosen, t - 1)
            assert all(m != p for m, p in zip(wrong, plaintexts, strict=True))


def test_combine_takes_the_t_lowest_indices(world: World, cts: list[tuple[bytes, bytes]]) -> None:
    plaintexts = decryption.combine(
        cts,
        {k: read(world, k, decrypt_by(world, k, cts), cts).factors for k in (1, 2)},
        2,
    )
    garbage = tuple(random_point() for _ in cts)
    factors = {k: read(world, k, decrypt_by(world, k, cts), cts).factors for k in (1, 2)}
    assert decryption.combine(cts, {**factors, 3: garbage}, 2) == plaintexts


def test_the_identity_plaintext_is_none(world: World) -> None:
    r = group.random_scalar()
    identity_vote = (group.base_mul(r), group.mul(r, world.y))  # M = identity
    cts = [identity_vote, encrypt(world.y, random_point())]
    factors = {k: read(world, k, decrypt_by(world, k, cts), cts).factors for k in (1, 3)}
    result = decryption.combine(cts, factors, 2)
    assert result[0] is None
    assert result[1] is not None


def test_the_proof_bytes(
    world: World, message: dict[str, Any], cts: list[tuple[bytes, bytes]]
) -> None:
    item = message["factors"][1]
    d = from_b64url(item["factor"])
    a1, a2 = (from_b64url(a) for a in item["proof"]["commitment"])
    s = from_b64url(item["proof"]["response"])
    x = world.election.member(2).verification_key
    alpha = cts[1][0]
    assert d == group.mul(world.shares[2], alpha)
    c = group.hash_scalar("inmc-vote/v2/decryption", MH, group.u32(2), x, alpha, d, a1, a2)
    assert group.base_mul(s) == group.add(a1, group.mul(c, x))
    assert group.mul(s, alpha) == group.add(a2, group.mul(c, d))
    assert set(message) == {
        "format",
        "ballot",
        "round",
        "trustee",
        "input",
        "factors",
        "lot_reveal",
        "signature",
    }
    assert message["input"] == b64url(list_hash(cts))


def test_make_decryption_refuses_a_share_not_of_its_key(
    world: World, cts: list[tuple[bytes, bytes]]
) -> None:
    with pytest.raises(ValueError, match="does not match"):
        decryption.make_decryption(
            ballot=BALLOT,
            round=ROUND,
            trustee=1,
            manifest_hash=MH,
            share=world.shares[2],
            verification_key=world.election.member(1).verification_key,
            ciphertexts=cts,
            lot_reveal=lot.reveal(world.secrets[1].lot, ROUND),
            signing_seed=world.secrets[1].signing_seed,
        )


# --- each check of the reader ----------------------------------------------------------


def resign(world: World, message: dict[str, Any], k: int = 2) -> dict[str, Any]:
    return trustee_message.sign(message, world.secrets[k].signing_seed)


def test_it_refuses_a_wrong_signature(
    world: World, message: dict[str, Any], cts: list[tuple[bytes, bytes]]
) -> None:
    with pytest.raises(DecryptionError, match=r"^trustee 2's decryption: the signature"):
        read(world, 2, resign(world, copy.deepcopy(message), 1), cts)
    changed = copy.deepcopy(message)
    changed["round"] = 2
    with pytest.raises(DecryptionError, match="another round"):  # the round, then the signature
        read(world, 2, changed, cts)
    changed["round"] = ROUND
    changed["lot_reveal"] = b64url(os.urandom(32))
    with pytest.raises(DecryptionError, match="the signature"):
        read(world, 2, changed, cts)


def test_it_refuses_a_wrong_input_hash(
    world: World, message: dict[str, Any], cts: list[tuple[bytes, bytes]]
) -> None:
    other = [*cts[:3], encrypt(world.y, random_point())]
    with pytest.raises(DecryptionError, match="its input is not the last shuffle's output"):
        read(world, 2, message, other)
    changed = copy.deepcopy(message)
    changed["input"] = b64url(list_hash(other))
    with pytest.raises(DecryptionError, match="its input is not"):
        read(world, 2, resign(world, changed), cts)


def test_it_refuses_a_wrong_proof(
    world: World, message: dict[str, Any], cts: list[tuple[bytes, bytes]]
) -> None:
    changed = copy.deepcopy(message)
    s = from_b64url(changed["factors"][2]["proof"]["response"])
    changed["factors"][2]["proof"]["response"] = b64url(group.s_add(s, group.scalar_of(1)))
    with pytest.raises(
        DecryptionError, match=r"^trustee 2's decryption: the proof for ciphertext 3 fails$"
    ):
        read(world, 2, resign(world, changed), cts)


def test_it_refuses_a_wrong_factor(
    world: World, message: dict[str, Any], cts: list[tuple[bytes, bytes]]
) -> None:
    changed = copy.deepcopy(message)
    changed["factors"][0]["factor"] = b64url(random_point())
    with pytest.raises(DecryptionError, match="the proof for ciphertext 1 fails"):
        read(world, 2, resign(world, changed), cts)


def test_it_refuses_a_factor_of_another_ciphertext(
    world: World, message: dict[str, Any], cts: list[tuple[bytes, bytes]]
) -> None:
    changed = copy.deepcopy(message)
    f = changed["factors"]
    f[0], f[1] = f[1], f[0]
    with pytest.raises(DecryptionError, match="the proof for ciphertext 1 fails"):
        read(world, 2, resign(world, changed), cts)


def test_it_refuses_another_trustees_factors(
    world: World, message: dict[str, Any], cts: list[tuple[bytes, bytes]]
) -> None:
    changed = copy.deepcopy(decrypt_by(world, 3, cts))
    changed["trustee"] = 2
    changed["lot_reveal"] = message["lot_reveal"]
    with pytest.raises(DecryptionError, match="the proof for ciphertext 1 fails"):
        read(world, 2, resign(world, changed), cts)


def test_it_refuses_a_proof_for_another_manifest(
    world: World, message: dict[str, Any], cts: list[tuple[bytes, bytes]]
) -> None:
    with pytest.raises(DecryptionError, match="the proof for ciphertext 1 fails"):
        decryption.read_decryption(
            message,
            ballot=BALLOT,
            round=ROUND,
            manifest_hash=bytes(32),
            trustee_public=world.election.member(2),
            ciphertexts=cts,
        )


def test_it_refuses_a_wrong_lot_reveal(
    world: World, message: dict[str, Any], cts: list[tuple[bytes, bytes]]
) -> None:
    for wrong in (
        lot.reveal(world.secrets[2].lot, ROUND + 1),
        lot.reveal(world.secrets[3].lot, ROUND),
        os.urandom(32),
    ):
        changed = copy.deepcopy(message)
        changed["lot_reveal"] = b64url(wrong)
        with pytest.raises(
            DecryptionError, match="its lot reveal does not match its lot commitment for round 1"
        ):
            read(world, 2, resign(world, changed), cts)


def _set_point(where: str) -> Callable[[dict[str, Any]], None]:
    def tamper(m: dict[str, Any]) -> None:
        item = m["factors"][0]
        if where == "factor":
            item["factor"] = b64url(bytes(32))
        else:
            item["proof"]["commitment"][int(where)] = b64url(bytes(32))

    return tamper


TAMPERS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("format", lambda m: m.update(format="inmc-vote/v2/shuffle"), "its format"),
    ("ballot", lambda m: m.update(ballot="other"), "another ballot"),
    ("round", lambda m: m.update(round=2), "another round"),
    ("round type", lambda m: m.update(round="1"), "another round"),
    ("trustee", lambda m: m.update(trustee=3), "names trustee 3, not trustee 2"),
    ("missing", lambda m: m.pop("lot_reveal"), "lacks the field"),
    ("extra", lambda m: m.update(note=""), "unknown field"),
    ("factor count", lambda m: m["factors"].pop(), "4 factors"),
    ("factor fields", lambda m: m["factors"][0].pop("proof"), "factor 1 is not"),
    (
        "proof fields",
        lambda m: m["factors"][0]["proof"].pop("response"),
        "proof for ciphertext 1 is not",
    ),
    ("commitment count", lambda m: m["factors"][0]["proof"]["commitment"].pop(), "two commitments"),
    ("factor not a point", _set_point("factor"), "factor for ciphertext 1 is not a point"),
    ("A1 not a point", _set_point("0"), "first commitment is not a point"),
    ("A2 not a point", _set_point("1"), "second commitment is not a point"),
    (
        "response above L",
        lambda m: m["factors"][0]["proof"].update(response=b64url(b"\xff" * 32)),
        "not a scalar",
    ),
    ("input size", lambda m: m.update(input=b64url(bytes(31))), "input hash is not 32 bytes"),
    ("reveal size", lambda m: m.update(lot_reveal="AA"), "lot reveal is not 32 bytes"),
]


@pytest.mark.parametrize(
    ("tamper", "words"), [(t[1], t[2]) for t in TAMPERS], ids=[t[0] for t in TAMPERS]
)
def test_it_refuses(
    world: World,
    message: dict[str, Any],
    cts: list[tuple[bytes, bytes]],
    tamper: Callable[[dict[str, Any]], None],
    words: str,
) -> None:
    changed = copy.deepcopy(message)
    tamper(changed)
    with pytest.raises(DecryptionError, match=words):
        read(world, 2, resign(world, changed), cts)


def test_it_refuses_a_float(
    world: World, message: dict[str, Any], cts: list[tuple[bytes, bytes]]
) -> None:
    changed = copy.deepcopy(message)
    changed["factors"][0]["factor"] = 1.5
    with pytest.raises(DecryptionError, match="not an integer"):
        read(world, 2, changed, cts)


def test_it_refuses_non_objects(world: World, cts: list[tuple[bytes, bytes]]) -> None:
    with pytest.raises(DecryptionError, match="not a JSON object"):
        read(world, 2, "decryption", cts)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_no_single_byte_change_is_accepted(
    world: World, message: dict[str, Any], cts: list[tuple[bytes, bytes]], data: st.DataObject
) -> None:
    raw = canonical_json(message)
    read(world, 2, json.loads(raw), cts)
    position = data.draw(st.integers(0, len(raw) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda b: b != raw[position]))
    changed = raw[:position] + bytes([value]) + raw[position + 1 :]
    try:
        obj = json.loads(changed)
    except ValueError:
        return  # not even JSON
    with pytest.raises(DecryptionError):
        read(world, 2, obj, cts)
