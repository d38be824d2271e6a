"""The trustees' key ceremony: certificates, deals, keys and complaints
(docs/protocol.md, "Trustees"), over Pedersen's VSS (`threshold.py`).

1. Each trustee T_j publishes a signed **certificate**: its Ed25519 signing key, its X25519
   encryption key and its lot commitment.
2. Once every certificate is in, each T_j publishes a **deal**: the commitments
   C_{j,0} … C_{j,t−1} to a random polynomial f_j, and f_j(l) for each trustee l, sealed
   with HPKE to T_l's encryption key.
3. Once every deal is in, each T_l opens its n shares, checks each against its dealer's
   commitments and publishes its **trustee key** X_l = x_l·G (x_l = Σ_j f_j(l)) with a proof
   that it knows x_l; or, when a share fails, a **complaint** naming the dealer, and the
   ceremony is restarted.
4. Once every key is in, `conclude` gives the election key Y = Σ_j C_{j,0} and what the
   manifest's `trustees` field carries.

The flow is Belenios' threshold key establishment (doc/specification.tex, "Threshold
decryption support", "Public key infrastructure", "Certificates", "Channels",
"Polynomials", "Vinputs", "Voutputs", "Threshold parameters"); here the signatures are
Ed25519, the private channel is HPKE (RFC 9180), and the server only relays.

Every `read_*` takes untrusted JSON (as `json.loads` gives it) and checks everything; a
failure raises `CeremonyError`, whose message names the trustee and the check in words.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, NoReturn

from cryptography.hazmat.primitives import hpke

from inmc_vote.domain.protocol import group, keys, lot, proofs
from inmc_vote.domain.protocol import threshold as vss
from inmc_vote.domain.protocol.encoding import b64url, labelled, sha256
from inmc_vote.domain.protocol.trustee_message import Reader, message_hash, sign

CERTIFICATE = "inmc-vote/v2/certificate"
DEAL = "inmc-vote/v2/deal"
KEY = "inmc-vote/v2/trustee-key"
COMPLAINT = "inmc-vote/v2/complaint"

KEY_POK_LABEL = "inmc-vote/v2/key-pok"
SHARE_LABEL = "inmc-vote/v2/share"

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)
"""The sealed shares' HPKE suite: base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
AES-128-GCM (as v1's votes)."""
SHARE_CIPHERTEXT_BYTES = 32 + group.SCALAR_BYTES + 16  # enc, the sealed scalar, the tag

MAX_NAME = 200
MAX_REASON = 500

_COMMON = frozenset({"format", "ballot", "ceremony", "trustee", "signature"})
CERTIFICATE_FIELDS = _COMMON | {"name", "signing_key", "encryption_key", "lot_commitment"}
DEAL_FIELDS = _COMMON | {"certificates", "commitments", "shares"}
KEY_FIELDS = _COMMON | {"deals", "verification_key", "pok"}
COMPLAINT_FIELDS = _COMMON | {"about", "reason"}
MEMBER_FIELDS = frozenset(
    {
        "index",
        "name",
        "signing_key",
        "encryption_key",
        "lot_commitment",
        "commitments",
        "verification_key",
    }
)

_FORMAT_WORDS = {
    CERTIFICATE: "certificate",
    DEAL: "deal",
    KEY: "key",
    COMPLAINT: "complaint",
}


class CeremonyError(ValueError):
    """A ceremony message that fails a check. `trustee` is the trustee at fault (None when
    the message does not even say whose it is), `check` the failed check in words."""

    def __init__(self, trustee: int | None, what: str, check: str) -> None:
        self.trustee = trustee
        self.what = what
        self.check = check
        who = f"trustee {trustee}'s {what}" if trustee is not None else f"a {what}"
        super().__init__(f"{who}: {check}")


# --- a trustee's secrets ----------------------------------------------------------------


class TrusteeSecrets(NamedTuple):
    """What a trustee keeps from one ceremony to the tally: nothing else is secret (its key
    share x_l is recomputed from the public deals with `secret_share`)."""

    signing_seed: bytes
    """The Ed25519 private seed of its certificate's signing key."""
    encryption_key: bytes
    """The X25519 private key its shares are sealed to."""
    lot: bytes
    """ρ, the lot chain's secret end (lot.py)."""


def new_trustee_secrets() -> TrusteeSecrets:
    """Fresh secrets for one trustee and one ceremony."""
    signing_seed, _ = keys.new_ed25519()
    encryption_key, _ = keys.new_x25519()
    return TrusteeSecrets(signing_seed, encryption_key, os.urandom(lot.LINK_BYTES))


# --- what the readers give ---------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    ballot: str
    ceremony: int
    trustee: int
    name: str
    signing_key: bytes
    encryption_key: bytes
    lot_commitment: bytes
    hash: bytes
    message: Mapping[str, Any] = field(repr=False, compare=False, hash=False)


@dataclass(frozen=True)
class Deal:
    ballot: str
    ceremony: int
    trustee: int
    commitments: tuple[bytes, ...]
    shares: tuple[bytes, ...]
    """The sealed share for trustee l at position l − 1."""
    hash: bytes
    message: Mapping[str, Any] = field(repr=False, compare=False, hash=False)


@dataclass(frozen=True)
class TrusteeKey:
    ballot: str
    ceremony: int
    trustee: int
    verification_key: bytes
    hash: bytes
    message: Mapping[str, Any] = field(repr=False, compare=False, hash=False)


@dataclass(frozen=True)
class Complaint:
    ballot: str
    ceremony: int
    trustee: int
    about: int
    reason: str
    hash: bytes
    message: Mapping[str, Any] = field(repr=False, compare=False, hash=False)


@dataclass(frozen=True)
class Member:
    """One trustee's public data, as the manifest's `trustees.members` lists it."""

    index: int
    name: str
    signing_key: bytes
    encryption_key: bytes
    lot_commitment: bytes
    commitments: tuple[bytes, ...]
    verification_key: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "name": self.name,
            "signing_key": b64url(self.signing_key),
            "encryption_key": b64url(self.encryption_key),
            "lot_commitment": b64url(self.lot_commitment),
            "commitments": [b64url(c) for c in self.commitments],
            "verification_key": b64url(self.verification_key),
        }


@dataclass(frozen=True)
class ElectionKey:
    """A completed ceremony: Y, t, n and every member's public data."""

    election_key: bytes
    threshold: int
    ceremony: int
    members: tuple[Member, ...]

    @property
    def n(self) -> int:
        return len(self.members)

    def member(self, index: int) -> Member:
        if not 1 <= index <= len(self.members):
            raise KeyError(index)
        return self.members[index - 1]

    def to_json(self) -> dict[str, Any]:
        """The manifest's `trustees` field (its `keys.election` is b64url(election_key))."""
        return {
            "threshold": self.threshold,
            "ceremony": self.ceremony,
            "members": [m.to_json() for m in self.members],
        }


# --- hashes over a whole phase -------------------------------------------------------------


def _phase_hash(hashes_by_index: Mapping[int, bytes]) -> bytes:
    n = len(hashes_by_index)
    if sorted(hashes_by_index) != list(range(1, n + 1)):
        raise ValueError("expected one message for each trustee 1 … n")
    return sha256(group.u32(n), *(hashes_by_index[i] for i in range(1, n + 1)))


def certificates_hash(certificates: Sequence[Certificate]) -> bytes:
    """SHA-256(u32(n) ‖ for each certificate in index order: SHA-256 of its canonical bytes)."""
    return _phase_hash({c.trustee: c.hash for c in certificates})


def deals_hash(deals: Sequence[Deal]) -> bytes:
    """SHA-256(u32(n) ‖ for each deal in index order: SHA-256 of its canonical bytes)."""
    return _phase_hash({d.trustee: d.hash for d in deals})


def _in_order(items: Sequence[Any], what: str) -> list[Any]:
    ordered = sorted(items, key=lambda item: item.trustee)
    if [item.trustee for item in ordered] != list(range(1, len(ordered) + 1)):
        raise ValueError(f"expected the {what} of trustees 1 … n, one each")
    return ordered


def share_info(ballot: str, ceremony: int, dealer: int, recipient: int) -> bytes:
    """HPKE info: labelled("inmc-vote/v2/share") ‖ ballot ‖ 0 ‖ u32(ceremony) ‖ u32(j) ‖ u32(l)."""
    return (
        labelled(SHARE_LABEL)
        + ballot.encode()
        + b"\x00"
        + group.u32(ceremony)
        + group.u32(dealer)
        + group.u32(recipient)
    )


def _pok_statement(ballot: str, ceremony: int, trustee: int, key: bytes) -> list[bytes]:
    """The key's proof statement: ballot, u32(ceremony), u32(l), X_l (docs/protocol.md,
    "Trustees")."""
    return [ballot.encode(), group.u32(ceremony), group.u32(trustee), key]


# --- a trustee's side ----------------------------------------------------------------------


def make_certificate(
    *, ballot: str, ceremony: int, trustee: int, name: str, secrets: TrusteeSecrets
) -> dict[str, Any]:
    """Step 1 (Belenios, "Certificates"): the trustee's public keys, self-signed."""
    return sign(
        {
            "format": CERTIFICATE,
            "ballot": ballot,
            "ceremony": ceremony,
            "trustee": trustee,
            "name": name,
            "signing_key": b64url(keys.ed25519_public(secrets.signing_seed)),
            "encryption_key": b64url(keys.x25519_public(secrets.encryption_key)),
            "lot_commitment": b64url(lot.commitment(secrets.lot)),
        },
        secrets.signing_seed,
    )


def make_deal(
    *,
    ballot: str,
    ceremony: int,
    trustee: int,
    certificates: Sequence[Certificate],
    threshold: int,
    signing_seed: bytes,
    coefficients: Sequence[bytes] | None = None,
) -> dict[str, Any]:
    """Step 2 (Belenios, "Polynomials"): commitments to a fresh polynomial of t
    coefficients and its value at each l, sealed to T_l. `certificates` are the read
    certificates of every trustee; `coefficients` only for tests."""
    ordered = _in_order(certificates, "certificates")
    if not 1 <= threshold <= len(ordered):
        raise ValueError("the threshold is between 1 and the number of trustees")
    f = list(coefficients) if coefficients is not None else vss.random_polynomial(threshold)
    if len(f) != threshold:
        raise ValueError("a deal's polynomial has t coefficients")
    shares = []
    for certificate in ordered:
        l = certificate.trustee  # noqa: E741
        sealed = SUITE.encrypt(
            vss.evaluate(f, l),
            keys.x25519_public_key(certificate.encryption_key),
            info=share_info(ballot, ceremony, trustee, l),
        )
        shares.append({"to": l, "ciphertext": b64url(sealed)})
    return sign(
        {
            "format": DEAL,
            "ballot": ballot,
            "ceremony": ceremony,
            "trustee": trustee,
            "certificates": b64url(certificates_hash(ordered)),
            "commitments": [b64url(c) for c in vss.commitments(f)],
            "shares": shares,
        },
        signing_seed,
    )


def open_share(
    deal: Deal, *, ballot: str, ceremony: int, recipient: int, encryption_key: bytes
) -> bytes:
    """The scalar f_j(l) sealed in `deal` for trustee l = `recipient` (not yet checked
    against the commitments: `share_checked` does both)."""
    if not 1 <= recipient <= len(deal.shares):
        raise ValueError("no share for this trustee")
    what = f"the share for trustee {recipient}"
    try:
        share = SUITE.decrypt(
            deal.shares[recipient - 1],
            keys.x25519_private_key(encryption_key),
            info=share_info(ballot, ceremony, deal.trustee, recipient),
        )
    except Exception:  # any failure to open is the same failed check
        raise CeremonyError(deal.trustee, "deal", f"{what} does not decrypt") from None
    try:
        return group.scalar(share)
    except group.GroupError:
        raise CeremonyError(deal.trustee, "deal", f"{what} is not a scalar") from None


def share_checked(
    deal: Deal, *, ballot: str, ceremony: int, recipient: int, encryption_key: bytes
) -> bytes:
    """`open_share`, then s·G = Σ_k l^k·C_k (Belenios, "Vinputs"), else CeremonyError."""
    share = open_share(
        deal, ballot=ballot, ceremony=ceremony, recipient=recipient, encryption_key=encryption_key
    )
    if not vss.share_matches(share, recipient, deal.commitments):
        raise CeremonyError(
            deal.trustee,
            "deal",
            f"the share for trustee {recipient} does not match its commitments",
        )
    return share


def secret_share(
    *, ballot: str, ceremony: int, trustee: int, deals: Sequence[Deal], encryption_key: bytes
) -> bytes:
    """x_l = Σ_j f_j(l), every share checked (Belenios, "Voutputs": S_j = Σ_i s_ij). A
    trustee recomputes it from the public deals whenever it decrypts."""
    ordered = _in_order(deals, "deals")
    return group.s_sum(
        share_checked(
            d, ballot=ballot, ceremony=ceremony, recipient=trustee, encryption_key=encryption_key
        )
        for d in ordered
    )


def make_key(
    *,
    ballot: str,
    ceremony: int,
    trustee: int,
    deals: Sequence[Deal],
    encryption_key: bytes,
    signing_seed: bytes,
    nonce: bytes | None = None,
) -> dict[str, Any]:
    """Step 3: the trustee key message (X_l and a proof of knowledge of x_l, Belenios
    "Trustee keys" and "Voutputs"), or a complaint about the first dealer whose share
    fails."""
    try:
        x = secret_share(
            ballot=ballot,
            ceremony=ceremony,
            trustee=trustee,
            deals=deals,
            encryption_key=encryption_key,
        )
    except CeremonyError as failure:
        if failure.trustee is None:  # never: a share's failure names its dealer
            raise
        return make_complaint(
            ballot=ballot,
            ceremony=ceremony,
            trustee=trustee,
            about=failure.trustee,
            reason=failure.check,
            signing_seed=signing_seed,
        )
    verification_key = group.base_mul(x)
    proof = proofs.schnorr_prove(
        KEY_POK_LABEL,
        _pok_statement(ballot, ceremony, trustee, verification_key),
        x,
        nonce=nonce,
    )
    return sign(
        {
            "format": KEY,
            "ballot": ballot,
            "ceremony": ceremony,
            "trustee": trustee,
            "deals": b64url(deals_hash(_in_order(deals, "deals"))),
            "verification_key": b64url(verification_key),
            "pok": {"commitment": b64url(proof.commitment), "response": b64url(proof.response)},
        },
        signing_seed,
    )


def make_complaint(
    *, ballot: str, ceremony: int, trustee: int, about: int, reason: str, signing_seed: bytes
) -> dict[str, Any]:
    """Trustee `trustee` says the deal of trustee `about` failed it, and why."""
    return sign(
        {
            "format": COMPLAINT,
            "ballot": ballot,
            "ceremony": ceremony,
            "trustee": trustee,
            "about": about,
            "reason": reason[:MAX_REASON],
        },
        signing_seed,
    )


# --- readers of untrusted JSON ---------------------------------------------------------------


class _Reader(Reader):
    """Checks one ceremony message's fields, naming its trustee in every failure."""

    def __init__(self, obj: object, form: str, fields: frozenset[str]) -> None:
        self.what = _FORMAT_WORDS[form]
        self.trustee: int | None = None
        if isinstance(obj, dict):
            trustee = obj.get("trustee")
            if isinstance(trustee, int) and not isinstance(trustee, bool) and trustee >= 1:
                self.trustee = trustee
        self.obj = self.fields(obj, form, fields)

    def fail(self, check: str) -> NoReturn:
        raise CeremonyError(self.trustee, self.what, check)

    def expect(self, name: str, value: object, words: str) -> None:
        got = self.obj[name]
        if type(got) is not type(value) or got != value:
            self.fail(f"it is for {words}")

    def header(self, ballot: str, ceremony: int, n: int | None, trustee: int | None) -> int:
        """Checks ballot, ceremony and the trustee index (in 1 … n when n is known, equal
        to `trustee` when given); returns the index."""
        self.expect("ballot", ballot, f"another ballot than {ballot}")
        self.expect("ceremony", ceremony, f"another ceremony than number {ceremony}")
        index = self.trustee
        if index is None or (n is not None and index > n):
            self.trustee = None
            self.fail(f"its trustee index is not one of 1 to {n}" if n else "it has no index")
        if trustee is not None and index != trustee:
            self.fail(f"it was expected from trustee {trustee}")
        return index


class _MemberReader(Reader):
    """Checks one member of the manifest's `trustees` field (None: the field itself)."""

    def __init__(self, trustee: int | None) -> None:
        self.trustee = trustee

    def fail(self, check: str) -> NoReturn:
        raise CeremonyError(self.trustee, "manifest entry", check)


def _encryption_key_usable(raw: bytes) -> bool:
    """An X25519 key others can seal to: not of small order (the shared secret with any
    key would be zero, which `cryptography` refuses)."""
    try:
        keys.x25519_private_key(bytes(31) + b"\x40").exchange(keys.x25519_public_key(raw))
    except ValueError:
        return False
    return True


def read_certificate(
    obj: object, *, ballot: str, ceremony: int, trustee: int, name: str | None = None
) -> Certificate:
    """Step 1's check: fields, ballot, ceremony, index (and the name the organiser gave,
    when `name` is given), the three keys, and the signature by its own signing key."""
    r = _Reader(obj, CERTIFICATE, CERTIFICATE_FIELDS)
    r.header(ballot, ceremony, None, trustee)
    given_name = r.text(r.obj["name"], MAX_NAME, "its name")
    if name is not None and given_name != name:
        r.fail(f'its name is not "{name}"')
    signing_key = r.raw(r.obj["signing_key"], 32, "its signing key")
    encryption_key = r.raw(r.obj["encryption_key"], 32, "its encryption key")
    if not _encryption_key_usable(encryption_key):
        r.fail("its encryption key is of small order")
    lot_commitment = r.raw(r.obj["lot_commitment"], lot.LINK_BYTES, "its lot commitment")
    r.signed_by(r.obj, signing_key, "by its signing key")
    return Certificate(
        ballot,
        ceremony,
        trustee,
        given_name,
        signing_key,
        encryption_key,
        lot_commitment,
        message_hash(r.obj),
        r.obj,
    )


def _check_certificates(certificates: Sequence[Certificate]) -> list[Certificate]:
    ordered = _in_order(certificates, "certificates")
    for attribute, words in (("signing_key", "signing"), ("encryption_key", "encryption")):
        seen: dict[bytes, int] = {}
        for c in ordered:
            value = getattr(c, attribute)
            if value in seen:
                raise CeremonyError(
                    c.trustee,
                    "certificate",
                    f"its {words} key is trustee {seen[value]}'s",
                )
            seen[value] = c.trustee
    return ordered


def read_deal(
    obj: object,
    *,
    ballot: str,
    ceremony: int,
    certificates: Sequence[Certificate],
    threshold: int,
    trustee: int | None = None,
) -> Deal:
    """Step 2's check (Belenios, "Polynomials"): fields, ballot, ceremony, index, the hash
    of every certificate, t commitments that are points, one sealed share of the right
    size for each trustee in order, and the signature by the dealer's certificate key.
    (Whether each share matches the commitments only its recipient can tell.)"""
    ordered = _check_certificates(certificates)
    n = len(ordered)
    if not 1 <= threshold <= n:
        raise ValueError("the threshold is between 1 and the number of trustees")
    r = _Reader(obj, DEAL, DEAL_FIELDS)
    j = r.header(ballot, ceremony, n, trustee)
    if r.raw(r.obj["certificates"], 32, "its certificates hash") != certificates_hash(ordered):
        r.fail("it was made for other certificates than the ones in")
    commitments = r.obj["commitments"]
    if not isinstance(commitments, list) or len(commitments) != threshold:
        r.fail(f"it does not have {threshold} commitments (one per coefficient)")
    points = tuple(r.point(c, f"commitment {k}") for k, c in enumerate(commitments))
    shares = r.obj["shares"]
    if not isinstance(shares, list) or len(shares) != n:
        r.fail(f"it does not have {n} shares (one per trustee)")
    sealed = []
    for l, share in enumerate(shares, start=1):  # noqa: E741
        if not isinstance(share, dict) or share.keys() != {"to", "ciphertext"}:
            r.fail(f"share {l} is not {{to, ciphertext}}")
        if r.index(share["to"], n, f"share {l}'s recipient") != l:
            r.fail(f"share {l} is addressed to trustee {share['to']}")
        sealed.append(
            r.raw(share["ciphertext"], SHARE_CIPHERTEXT_BYTES, f"the share for trustee {l}")
        )
    r.signed_by(r.obj, ordered[j - 1].signing_key, "by its certificate's signing key")
    return Deal(ballot, ceremony, j, points, tuple(sealed), message_hash(r.obj), r.obj)


def read_key(
    obj: object,
    *,
    ballot: str,
    ceremony: int,
    certificates: Sequence[Certificate],
    deals: Sequence[Deal],
    trustee: int | None = None,
) -> TrusteeKey:
    """Step 3's check (Belenios, "Voutputs", the administrator's check): fields, ballot,
    ceremony, index, the hash of every deal, X_l = Σ_j Σ_k l^k·C_{j,k}, the proof of
    knowledge of x_l, and the signature."""
    ordered = _check_certificates(certificates)
    n = len(ordered)
    ordered_deals = _in_order(deals, "deals")
    if len(ordered_deals) != n:
        raise ValueError("expected one deal per trustee")
    r = _Reader(obj, KEY, KEY_FIELDS)
    l = r.header(ballot, ceremony, n, trustee)  # noqa: E741
    if r.raw(r.obj["deals"], 32, "its deals hash") != deals_hash(ordered_deals):
        r.fail("it was made for other deals than the ones in")
    verification_key = r.point(r.obj["verification_key"], "its verification key")
    try:
        expected: bytes | None = vss.verification_key([d.commitments for d in ordered_deals], l)
    except group.GroupError:
        expected = None
    if verification_key != expected:
        r.fail("its verification key does not match the deals' commitments")
    pok = r.obj["pok"]
    if not isinstance(pok, dict) or pok.keys() != {"commitment", "response"}:
        r.fail("its proof is not {commitment, response}")
    proof = proofs.Schnorr(
        r.point(pok["commitment"], "its proof's commitment"),
        r.scalar(pok["response"], "its proof's response"),
    )
    statement = _pok_statement(ballot, ceremony, l, verification_key)
    if not proofs.schnorr_check(KEY_POK_LABEL, statement, verification_key, proof):
        r.fail("its proof of knowledge of the key share fails")
    r.signed_by(r.obj, ordered[l - 1].signing_key, "by its certificate's signing key")
    return TrusteeKey(ballot, ceremony, l, verification_key, message_hash(r.obj), r.obj)


def read_complaint(
    obj: object,
    *,
    ballot: str,
    ceremony: int,
    certificates: Sequence[Certificate],
    trustee: int | None = None,
) -> Complaint:
    """A complaint's check: fields, ballot, ceremony, index, `about` another trustee, a
    reason in words, and the signature. (A signed complaint fails the ceremony: who is at
    fault, the complainer or the dealer, is not decided here.)"""
    ordered = _check_certificates(certificates)
    n = len(ordered)
    r = _Reader(obj, COMPLAINT, COMPLAINT_FIELDS)
    l = r.header(ballot, ceremony, n, trustee)  # noqa: E741
    about = r.index(r.obj["about"], n, "the trustee it is about")
    if about == l:
        r.fail("it is about its own deal")
    reason = r.text(r.obj["reason"], MAX_REASON, "its reason")
    r.signed_by(r.obj, ordered[l - 1].signing_key, "by its certificate's signing key")
    return Complaint(ballot, ceremony, l, about, reason, message_hash(r.obj), r.obj)


# --- step 4 ----------------------------------------------------------------------------------


def conclude(
    certificates: Sequence[Certificate],
    deals: Sequence[Deal],
    keys: Sequence[TrusteeKey],
    threshold: int,
) -> ElectionKey:
    """Step 4 (Belenios, "Threshold parameters"): every certificate, deal and key in (each
    already read), Y = Σ_j C_{j,0}; ValueError when the ceremony is not complete."""
    ordered = _check_certificates(certificates)
    n = len(ordered)
    ordered_deals = _in_order(deals, "deals")
    ordered_keys = _in_order(keys, "keys")
    if len(ordered_deals) != n or len(ordered_keys) != n:
        raise ValueError("the ceremony is complete only when every deal and key is in")
    if not 1 <= threshold <= n:
        raise ValueError("the threshold is between 1 and the number of trustees")
    runs = {(m.ballot, m.ceremony) for m in (*ordered, *ordered_deals, *ordered_keys)}
    if len(runs) != 1:
        raise ValueError("the messages come from different ballots or ceremonies")
    if any(len(d.commitments) != threshold for d in ordered_deals):
        raise ValueError("a deal was read for another threshold")
    all_commitments = [d.commitments for d in ordered_deals]
    election_key = vss.election_key(all_commitments)
    members = tuple(
        Member(
            index=c.trustee,
            name=c.name,
            signing_key=c.signing_key,
            encryption_key=c.encryption_key,
            lot_commitment=c.lot_commitment,
            commitments=d.commitments,
            verification_key=k.verification_key,
        )
        for c, d, k in zip(ordered, ordered_deals, ordered_keys, strict=True)
    )
    ((_, ceremony),) = runs
    return ElectionKey(election_key, threshold, ceremony, members)


def read_trustees(obj: object, *, election_key: bytes | None = None) -> ElectionKey:
    """The manifest's `trustees` field, checked: its shape, every key, each verification
    key recomputed from the commitments and, when given, Y = Σ_j C_{j,0}. Raises
    CeremonyError (its `what` is "manifest entry")."""
    whole = _MemberReader(None)
    if not isinstance(obj, dict) or obj.keys() != {"threshold", "ceremony", "members"}:
        whole.fail("the trustees field is not {threshold, ceremony, members}")
    t, ceremony, members = obj["threshold"], obj["ceremony"], obj["members"]
    if not isinstance(members, list) or not members:
        whole.fail("the members are not a non-empty list")
    n = len(members)
    if isinstance(t, bool) or not isinstance(t, int) or not 1 <= t <= n:
        whole.fail(f"the threshold is not from 1 to {n}")
    if isinstance(ceremony, bool) or not isinstance(ceremony, int) or ceremony < 0:
        whole.fail("the ceremony is not a counter")
    read: list[Member] = []
    for i, m in enumerate(members, start=1):
        r = _MemberReader(i)
        if not isinstance(m, dict) or m.keys() != MEMBER_FIELDS:
            r.fail("its fields are not those of a member")
        if type(m["index"]) is not int or m["index"] != i:
            r.fail("the members are not listed by index from 1")
        name = r.text(m["name"], MAX_NAME, "its name")
        commitments = m["commitments"]
        if not isinstance(commitments, list) or len(commitments) != t:
            r.fail(f"it does not have {t} commitments")
        read.append(
            Member(
                i,
                name,
                r.raw(m["signing_key"], 32, "its signing key"),
                r.raw(m["encryption_key"], 32, "its encryption key"),
                r.raw(m["lot_commitment"], lot.LINK_BYTES, "its lot commitment"),
                tuple(r.point(c, f"commitment {k}") for k, c in enumerate(commitments)),
                r.point(m["verification_key"], "its verification key"),
            )
        )
    all_commitments = [m.commitments for m in read]
    for m in read:
        try:
            expected: bytes | None = vss.verification_key(all_commitments, m.index)
        except group.GroupError:
            expected = None
        if m.verification_key != expected:
            _MemberReader(m.index).fail("its verification key does not match the commitments")
    try:
        y = vss.election_key(all_commitments)
    except group.GroupError:
        whole.fail("the election key is the identity")
    if election_key is not None and y != election_key:
        whole.fail("the election key is not the sum of the members' first commitments")
    return ElectionKey(y, t, ceremony, tuple(read))
