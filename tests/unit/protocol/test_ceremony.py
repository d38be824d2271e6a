"""domain/protocol/ceremony.py: the trustees' key ceremony (docs/protocol.md, "Trustees")."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inmc_vote.domain.protocol import ceremony, group, keys, lot, threshold, trustee_message
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url

from .ceremony_world import BALLOT, CEREMONY, World, certify, read_certificates, run

CeremonyError = ceremony.CeremonyError


@pytest.fixture(scope="module")
def world() -> World:
    return run(3, 2)


def resign(message: dict[str, Any], seed: bytes) -> dict[str, Any]:
    return trustee_message.sign(message, seed)


# --- complete ceremonies -------------------------------------------------------------


@pytest.mark.parametrize(("n", "t"), [(1, 1), (3, 2), (5, 3)])
def test_a_full_ceremony_gives_y_and_every_key_share(n: int, t: int) -> None:
    w = run(n, t)
    assert w.election.threshold == t
    assert w.election.n == n
    assert w.y == threshold.election_key([d.commitments for d in w.deals])
    for i in range(1, n + 1):
        member = w.election.member(i)
        assert member.verification_key == group.base_mul(w.shares[i])
        assert member.lot_commitment == lot.commitment(w.secrets[i].lot)
        assert member.signing_key == keys.ed25519_public(w.secrets[i].signing_seed)
    # any t key shares rebuild log Y
    chosen = list(range(1, t + 1))
    lam = threshold.lagrange_at_zero(chosen)
    x = group.s_sum(group.s_mul(lam[i], w.shares[i]) for i in chosen)
    assert group.base_mul(x) == w.y


def test_the_manifest_field_reads_back(world: World) -> None:
    field = world.election.to_json()
    assert set(field) == {"threshold", "ceremony", "members"}
    assert set(field["members"][0]) == {
        "index",
        "name",
        "signing_key",
        "encryption_key",
        "lot_commitment",
        "commitments",
        "verification_key",
    }
    again = ceremony.read_trustees(json.loads(json.dumps(field)), election_key=world.y)
    assert again == world.election


def test_the_manifest_field_refuses_a_wrong_verification_key(world: World) -> None:
    field = world.election.to_json()
    field["members"][1]["verification_key"] = field["members"][0]["verification_key"]
    with pytest.raises(CeremonyError, match="trustee 2's manifest entry: its verification key"):
        ceremony.read_trustees(field)
    with pytest.raises(CeremonyError, match="not the sum"):
        ceremony.read_trustees(world.election.to_json(), election_key=group.BASE)


def test_signature_and_hash_bytes(world: World) -> None:
    message = world.certificate_messages[1]
    body = {k: v for k, v in message.items() if k != "signature"}
    signed = b"inmc-vote/v2/trustee\x00" + hashlib.sha256(canonical_json(body)).digest()
    assert keys.verify(world.certificates[0].signing_key, from_b64url(message["signature"]), signed)
    assert trustee_message.message_hash(message) == hashlib.sha256(canonical_json(message)).digest()
    expected = hashlib.sha256(
        (3).to_bytes(4, "big")
        + b"".join(
            hashlib.sha256(canonical_json(world.certificate_messages[i])).digest()
            for i in (1, 2, 3)
        )
    ).digest()
    assert ceremony.certificates_hash(world.certificates) == expected
    assert world.deal_messages[2]["certificates"] == b64url(expected)
    deals = hashlib.sha256(
        (3).to_bytes(4, "big")
        + b"".join(
            hashlib.sha256(canonical_json(world.deal_messages[i])).digest() for i in (1, 2, 3)
        )
    ).digest()
    assert world.key_messages[1]["deals"] == b64url(deals)


def test_share_info_and_pok_bytes(world: World) -> None:
    assert ceremony.share_info("b", 7, 2, 3) == (
        b"inmc-vote/v2/share\x00b\x00" + bytes([0, 0, 0, 7, 0, 0, 0, 2, 0, 0, 0, 3])
    )
    message = world.key_messages[2]
    x = from_b64url(message["verification_key"])
    a = from_b64url(message["pok"]["commitment"])
    s = from_b64url(message["pok"]["response"])
    c = group.hash_scalar(
        "inmc-vote/v2/key-pok", BALLOT.encode(), group.u32(CEREMONY), group.u32(2), x, a
    )
    assert group.base_mul(s) == group.add(a, group.mul(c, x))


def test_each_share_opens_to_its_recipient_only(world: World) -> None:
    deal = world.deals[0]
    share = ceremony.open_share(
        deal,
        ballot=BALLOT,
        ceremony=CEREMONY,
        recipient=2,
        encryption_key=world.secrets[2].encryption_key,
    )
    assert threshold.share_matches(share, 2, deal.commitments)
    with pytest.raises(CeremonyError, match="trustee 1's deal: the share for trustee 2 does not"):
        ceremony.open_share(
            deal,
            ballot=BALLOT,
            ceremony=CEREMONY,
            recipient=2,
            encryption_key=world.secrets[3].encryption_key,
        )
    with pytest.raises(CeremonyError, match="does not decrypt"):  # bound to the ceremony
        ceremony.open_share(
            deal,
            ballot=BALLOT,
            ceremony=CEREMONY + 1,
            recipient=2,
            encryption_key=world.secrets[2].encryption_key,
        )


def test_conclude_needs_every_key(world: World) -> None:
    with pytest.raises(ValueError, match="every deal and key"):
        ceremony.conclude(world.certificates, world.deals, world.keys[:2], 2)
    with pytest.raises(ValueError, match="threshold"):
        ceremony.conclude(world.certificates, world.deals, world.keys, 3)


# --- certificates --------------------------------------------------------------------


def read_cert(message: object, trustee: int = 1, **kw: Any) -> ceremony.Certificate:
    return ceremony.read_certificate(
        message, ballot=BALLOT, ceremony=CEREMONY, trustee=trustee, **kw
    )


def test_a_certificate_reads(world: World) -> None:
    c = read_cert(world.certificate_messages[1], name="Trustee 1")
    assert c.encryption_key == keys.x25519_public(world.secrets[1].encryption_key)


CERTIFICATE_TAMPERS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("format", lambda m: m.update(format="inmc-vote/v2/deal"), "format"),
    ("ballot", lambda m: m.update(ballot="other"), "another ballot"),
    ("ceremony", lambda m: m.update(ceremony=2), "another ceremony"),
    ("ceremony type", lambda m: m.update(ceremony=True), "another ceremony"),
    ("trustee", lambda m: m.update(trustee=2), "expected from trustee 1"),
    ("trustee zero", lambda m: m.update(trustee=0), "no index"),
    ("name", lambda m: m.update(name=" "), "its name"),
    ("signing key", lambda m: m.update(signing_key=b64url(bytes(31))), "signing key is not 32"),
    ("encryption key", lambda m: m.update(encryption_key="!!"), "not base64url"),
    ("small order", lambda m: m.update(encryption_key=b64url(bytes(32))), "small order"),
    ("lot", lambda m: m.update(lot_commitment=b64url(bytes(33))), "lot commitment"),
    ("missing", lambda m: m.pop("name"), "lacks the field"),
    ("extra", lambda m: m.update(extra=1), "unknown field"),
]


@pytest.mark.parametrize(
    ("tamper", "words"),
    [(t[1], t[2]) for t in CERTIFICATE_TAMPERS],
    ids=[t[0] for t in CERTIFICATE_TAMPERS],
)
def test_read_certificate_refuses(
    world: World, tamper: Callable[[dict[str, Any]], None], words: str
) -> None:
    message = copy.deepcopy(world.certificate_messages[1])
    tamper(message)
    message = resign(message, world.secrets[1].signing_seed)  # each check, not the signature
    with pytest.raises(CeremonyError, match=words):
        read_cert(message)


def test_read_certificate_refuses_a_wrong_signature(world: World) -> None:
    message = copy.deepcopy(world.certificate_messages[1])
    message["name"] = "Someone else"
    with pytest.raises(CeremonyError, match="trustee 1's certificate: the signature is not"):
        read_cert(message)
    other = resign(message, world.secrets[2].signing_seed)
    with pytest.raises(CeremonyError, match="signature"):
        read_cert(other)


def test_read_certificate_checks_the_given_name(world: World) -> None:
    with pytest.raises(CeremonyError, match='its name is not "Alice"'):
        read_cert(world.certificate_messages[1], name="Alice")


def test_read_certificate_refuses_non_objects() -> None:
    with pytest.raises(CeremonyError, match="a certificate: it is not a JSON object"):
        read_cert([1, 2])


# --- deals ---------------------------------------------------------------------------


def read_deal(world: World, message: object, trustee: int | None = None) -> ceremony.Deal:
    return ceremony.read_deal(
        message,
        ballot=BALLOT,
        ceremony=CEREMONY,
        certificates=world.certificates,
        threshold=world.t,
        trustee=trustee,
    )


def _commitments_of_another(m: dict[str, Any]) -> None:
    m["commitments"][1] = b64url(group.base_mul(group.random_scalar()))


DEAL_TAMPERS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("ballot", lambda m: m.update(ballot="other"), "another ballot"),
    ("trustee", lambda m: m.update(trustee=4), "not one of 1 to 3"),
    ("certificates", lambda m: m.update(certificates=b64url(bytes(32))), "other certificates"),
    ("too few commitments", lambda m: m["commitments"].pop(), "2 commitments"),
    (
        "commitment not a point",
        lambda m: m["commitments"].__setitem__(0, b64url(bytes(32))),
        "not a point",
    ),
    ("share count", lambda m: m["shares"].pop(), "3 shares"),
    ("share order", lambda m: m["shares"].reverse(), "addressed to trustee 3"),
    ("share size", lambda m: m["shares"][0].update(ciphertext=b64url(bytes(79))), "not 80 bytes"),
    ("share fields", lambda m: m["shares"][0].update(note="x"), "share 1 is not"),
]


@pytest.mark.parametrize(
    ("tamper", "words"), [(t[1], t[2]) for t in DEAL_TAMPERS], ids=[t[0] for t in DEAL_TAMPERS]
)
def test_read_deal_refuses(
    world: World, tamper: Callable[[dict[str, Any]], None], words: str
) -> None:
    message = copy.deepcopy(world.deal_messages[2])
    tamper(message)
    message = resign(message, world.secrets[2].signing_seed)
    with pytest.raises(CeremonyError, match=words):
        read_deal(world, message)


def test_read_deal_refuses_floats(world: World) -> None:
    message = copy.deepcopy(world.deal_messages[2])
    message["ceremony"] = 1.0
    with pytest.raises(CeremonyError, match="another ceremony"):
        read_deal(world, message)
    message = copy.deepcopy(world.deal_messages[2])
    message["shares"][0]["to"] = 1.0
    with pytest.raises(CeremonyError, match="share 1's recipient is not a trustee index"):
        read_deal(world, message)


def test_read_deal_refuses_a_wrong_signature(world: World) -> None:
    message = resign(copy.deepcopy(world.deal_messages[2]), world.secrets[1].signing_seed)
    with pytest.raises(CeremonyError, match="trustee 2's deal: the signature is not"):
        read_deal(world, message)


def test_read_deal_refuses_another_trustees_deal(world: World) -> None:
    with pytest.raises(CeremonyError, match="expected from trustee 1"):
        read_deal(world, world.deal_messages[2], trustee=1)


def test_read_deal_refuses_a_wrong_commitment_through_the_recipients(world: World) -> None:
    """A commitment changed (and signed) reads as a deal, but no share matches it any
    more: every recipient complains."""
    message = copy.deepcopy(world.deal_messages[2])
    _commitments_of_another(message)
    deal = read_deal(world, resign(message, world.secrets[2].signing_seed))
    for recipient in (1, 2, 3):
        with pytest.raises(
            CeremonyError,
            match=f"trustee 2's deal: the share for trustee {recipient} does not match",
        ):
            ceremony.share_checked(
                deal,
                ballot=BALLOT,
                ceremony=CEREMONY,
                recipient=recipient,
                encryption_key=world.secrets[recipient].encryption_key,
            )


def test_certificates_must_be_distinct(world: World) -> None:
    twin = copy.deepcopy(world.certificate_messages[1])
    twin["trustee"] = 2
    twin = resign(twin, world.secrets[1].signing_seed)
    certificates = [world.certificates[0], read_cert(twin, trustee=2), world.certificates[2]]
    with pytest.raises(
        CeremonyError, match="trustee 2's certificate: its signing key is trustee 1"
    ):
        ceremony.read_deal(
            world.deal_messages[1],
            ballot=BALLOT,
            ceremony=CEREMONY,
            certificates=certificates,
            threshold=2,
        )


# --- the complaint path --------------------------------------------------------------


def _bad_deal(world: World, dealer: int, victim: int, sealed: bytes | None = None) -> ceremony.Deal:
    """Trustee `dealer`'s deal with the share for `victim` replaced (and signed)."""
    message = copy.deepcopy(world.deal_messages[dealer])
    if sealed is None:
        coefficients = threshold.random_polynomial(world.t)  # not the committed polynomial
        sealed = ceremony.SUITE.encrypt(
            threshold.evaluate(coefficients, victim),
            keys.x25519_public_key(world.certificates[victim - 1].encryption_key),
            info=ceremony.share_info(BALLOT, CEREMONY, dealer, victim),
        )
    message["shares"][victim - 1]["ciphertext"] = b64url(sealed)
    return read_deal(world, resign(message, world.secrets[dealer].signing_seed))


def test_a_share_that_does_not_match_brings_a_complaint(world: World) -> None:
    deals = list(world.deals)
    deals[1] = _bad_deal(world, 2, 3)
    complaint = ceremony.make_key(
        ballot=BALLOT,
        ceremony=CEREMONY,
        trustee=3,
        deals=deals,
        encryption_key=world.secrets[3].encryption_key,
        signing_seed=world.secrets[3].signing_seed,
    )
    assert complaint["format"] == "inmc-vote/v2/complaint"
    read = ceremony.read_complaint(
        complaint, ballot=BALLOT, ceremony=CEREMONY, certificates=world.certificates
    )
    assert (read.trustee, read.about) == (3, 2)
    assert read.reason == "the share for trustee 3 does not match its commitments"
    with pytest.raises(
        CeremonyError,
        match=r"^trustee 2's deal: the share for trustee 3 does not match its commitments$",
    ):
        ceremony.secret_share(
            ballot=BALLOT,
            ceremony=CEREMONY,
            trustee=3,
            deals=deals,
            encryption_key=world.secrets[3].encryption_key,
        )
    # the other trustees are not affected
    key = ceremony.make_key(
        ballot=BALLOT,
        ceremony=CEREMONY,
        trustee=1,
        deals=deals,
        encryption_key=world.secrets[1].encryption_key,
        signing_seed=world.secrets[1].signing_seed,
    )
    assert key["format"] == "inmc-vote/v2/trustee-key"


def test_a_share_that_does_not_decrypt_brings_a_complaint(world: World) -> None:
    deals = list(world.deals)
    deals[0] = _bad_deal(world, 1, 2, sealed=bytes(80))
    complaint = ceremony.make_key(
        ballot=BALLOT,
        ceremony=CEREMONY,
        trustee=2,
        deals=deals,
        encryption_key=world.secrets[2].encryption_key,
        signing_seed=world.secrets[2].signing_seed,
    )
    assert complaint["about"] == 1
    assert complaint["reason"] == "the share for trustee 2 does not decrypt"


COMPLAINT_TAMPERS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("about self", lambda m: m.update(about=3), "its own deal"),
    ("about nobody", lambda m: m.update(about=9), "not a trustee index"),
    ("about bool", lambda m: m.update(about=True), "not a trustee index"),
    ("reason", lambda m: m.update(reason=""), "its reason"),
    ("ceremony", lambda m: m.update(ceremony=0), "another ceremony"),
]


@pytest.mark.parametrize(
    ("tamper", "words"),
    [(t[1], t[2]) for t in COMPLAINT_TAMPERS],
    ids=[t[0] for t in COMPLAINT_TAMPERS],
)
def test_read_complaint_refuses(
    world: World, tamper: Callable[[dict[str, Any]], None], words: str
) -> None:
    message = ceremony.make_complaint(
        ballot=BALLOT,
        ceremony=CEREMONY,
        trustee=3,
        about=1,
        reason="the share for trustee 3 does not decrypt",
        signing_seed=world.secrets[3].signing_seed,
    )
    ceremony.read_complaint(
        message, ballot=BALLOT, ceremony=CEREMONY, certificates=world.certificates
    )
    tamper(message)
    message = resign(message, world.secrets[3].signing_seed)
    with pytest.raises(CeremonyError, match=words):
        ceremony.read_complaint(
            message, ballot=BALLOT, ceremony=CEREMONY, certificates=world.certificates
        )


def test_read_complaint_refuses_a_wrong_signature(world: World) -> None:
    message = ceremony.make_complaint(
        ballot=BALLOT,
        ceremony=CEREMONY,
        trustee=3,
        about=1,
        reason="x",
        signing_seed=world.secrets[1].signing_seed,
    )
    with pytest.raises(CeremonyError, match="trustee 3's complaint: the signature"):
        ceremony.read_complaint(
            message, ballot=BALLOT, ceremony=CEREMONY, certificates=world.certificates
        )


# --- keys ----------------------------------------------------------------------------


def read_key(world: World, message: object) -> ceremony.TrusteeKey:
    return ceremony.read_key(
        message,
        ballot=BALLOT,
        ceremony=CEREMONY,
        certificates=world.certificates,
        deals=world.deals,
    )


def _key_with(
    world: World, trustee: int, x: bytes, *, pok_for: int | None = None
) -> dict[str, Any]:
    """A key message for `trustee` claiming X = x·G, with a valid proof for x (made for
    trustee `pok_for` when given)."""
    from inmc_vote.domain.protocol import proofs

    big_x = group.base_mul(x)
    proof = proofs.schnorr_prove(
        ceremony.KEY_POK_LABEL,
        [BALLOT.encode(), group.u32(CEREMONY), group.u32(pok_for or trustee), big_x],
        x,
    )
    message = copy.deepcopy(world.key_messages[trustee])
    message["verification_key"] = b64url(big_x)
    message["pok"] = {"commitment": b64url(proof.commitment), "response": b64url(proof.response)}
    return resign(message, world.secrets[trustee].signing_seed)


def test_read_key_refuses_a_wrong_verification_key(world: World) -> None:
    """X_l must be Σ_j Σ_k l^k·C_{j,k}, even when its proof of knowledge is fine."""
    message = _key_with(world, 2, group.random_scalar())
    with pytest.raises(
        CeremonyError,
        match="trustee 2's key: its verification key does not match the deals' commitments",
    ):
        read_key(world, message)


def test_read_key_refuses_a_wrong_proof(world: World) -> None:
    message = copy.deepcopy(world.key_messages[2])
    s = from_b64url(message["pok"]["response"])
    message["pok"]["response"] = b64url(group.s_add(s, group.scalar_of(1)))
    with pytest.raises(CeremonyError, match="trustee 2's key: its proof of knowledge"):
        read_key(world, resign(message, world.secrets[2].signing_seed))


def test_read_key_refuses_a_proof_made_for_another_trustee(world: World) -> None:
    message = _key_with(world, 2, world.shares[2], pok_for=1)
    with pytest.raises(CeremonyError, match="its proof of knowledge"):
        read_key(world, message)
    assert read_key(world, _key_with(world, 2, world.shares[2])).trustee == 2


KEY_TAMPERS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("deals", lambda m: m.update(deals=b64url(bytes(32))), "other deals"),
    ("key not a point", lambda m: m.update(verification_key=b64url(bytes(32))), "not a point"),
    (
        "pok shape",
        lambda m: m.update(pok={"commitment": m["pok"]["commitment"]}),
        "its proof is not",
    ),
    (
        "response above L",
        lambda m: m["pok"].update(response=b64url(b"\xff" * 32)),
        "not a scalar below L",
    ),
    ("format", lambda m: m.update(format="inmc-vote/v2/certificate"), "format"),
]


@pytest.mark.parametrize(
    ("tamper", "words"), [(t[1], t[2]) for t in KEY_TAMPERS], ids=[t[0] for t in KEY_TAMPERS]
)
def test_read_key_refuses(
    world: World, tamper: Callable[[dict[str, Any]], None], words: str
) -> None:
    message = copy.deepcopy(world.key_messages[2])
    tamper(message)
    with pytest.raises(CeremonyError, match=words):
        read_key(world, resign(message, world.secrets[2].signing_seed))


def test_read_key_refuses_a_wrong_signature(world: World) -> None:
    message = resign(copy.deepcopy(world.key_messages[2]), world.secrets[3].signing_seed)
    with pytest.raises(CeremonyError, match="trustee 2's key: the signature"):
        read_key(world, message)


def test_a_restarted_ceremony_refuses_the_old_messages() -> None:
    secrets, messages = certify(2)
    with pytest.raises(CeremonyError, match="another ceremony"):
        ceremony.read_certificate(messages[1], ballot=BALLOT, ceremony=CEREMONY + 1, trustee=1)
    assert len(read_certificates(messages)) == 2
    assert set(secrets) == {1, 2}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_no_single_byte_change_in_a_key_message_is_accepted(
    world: World, data: st.DataObject
) -> None:
    raw = canonical_json(world.key_messages[2])
    position = data.draw(st.integers(0, len(raw) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda b: b != raw[position]))
    changed = raw[:position] + bytes([value]) + raw[position + 1 :]
    try:
        message = json.loads(changed)
    except ValueError:
        return  # not even JSON
    with pytest.raises(CeremonyError):
        read_key(world, message)
