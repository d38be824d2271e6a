"""What a voter sends in protocol v2: one ElGamal ciphertext of the vote, a Schnorr proof
that the voter knows its randomness, and the credential's signature over it all.

    M = embed(payload)   alpha = r·G   beta = M + r·Y                  (Y: the election key)
    pok: A = w·G, c = Hs("inmc-vote/v2/ballot-pok", mh, Y, credential, alpha, beta, A), s = w + c·r
    signature = Ed25519(credential, "inmc-vote/v2/ballot" 0 SHA-256(canonical body))
    tracker   = SHA-256(canonical ballot, signature included)

This is Belenios' ballot for a non-homomorphic question (specification, "Ballots" and
"Proofs of knowledge", with the credential's public key inside the challenge as its
"S" string), with Ed25519 in place of its credential signature. Because the credential
is in the challenge, a ciphertext copied from the board cannot be cast again under
another credential without knowing r, and knowing r is knowing the vote. The tracker
covers the whole ballot, so the voter computes it before sending and a receipt that
names another tracker is someone else's (docs/protocol.md, "Board, receipts, seal").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.protocol import group, keys, payload, proofs
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url, labelled, sha256

VERSION = 2
POK_LABEL = "inmc-vote/v2/ballot-pok"
SIGNATURE_LABEL = "inmc-vote/v2/ballot"
_FIELDS = frozenset({"v", "manifest_hash", "credential", "alpha", "beta", "pok", "signature"})
_POK_FIELDS = frozenset({"commitment", "response"})


class BallotError(ValueError):
    """Why a ballot is refused, in words for the voter; `field` names the part at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Ballot:
    manifest_hash: bytes
    credential: bytes
    alpha: bytes
    beta: bytes
    commitment: bytes
    response: bytes
    signature: bytes

    @classmethod
    def parse(cls, value: Any) -> Ballot:
        """The ballot in a JSON value, checked for shape and sizes (not yet for its
        points, proof or signature: `check` does that)."""
        if not isinstance(value, dict):
            raise BallotError("A ballot is a JSON object.", "ballot")
        missing = sorted(_FIELDS - value.keys())
        extra = sorted(value.keys() - _FIELDS)
        if missing or extra:
            detail = (f"missing {', '.join(missing)}" if missing else "") + (
                f"{'; ' if missing else ''}unexpected {', '.join(extra)}" if extra else ""
            )
            raise BallotError(f"The ballot's fields are wrong: {detail}.", (missing + extra)[0])
        if value["v"] != VERSION or type(value["v"]) is not int:
            raise BallotError(f"This service takes ballots of version {VERSION}.", "v")
        pok = value["pok"]
        if not isinstance(pok, dict) or pok.keys() != _POK_FIELDS:
            raise BallotError("The proof is an object {commitment, response}.", "pok")
        sizes = {"signature": 64}
        decoded = {}
        for name, raw in (
            ("manifest_hash", value["manifest_hash"]),
            ("credential", value["credential"]),
            ("alpha", value["alpha"]),
            ("beta", value["beta"]),
            ("pok.commitment", pok["commitment"]),
            ("pok.response", pok["response"]),
            ("signature", value["signature"]),
        ):
            try:
                data = from_b64url(raw)
            except ValueError:
                raise BallotError(f"The ballot's {name} is not base64url.", name) from None
            if len(data) != sizes.get(name, 32):
                raise BallotError(
                    f"The ballot's {name} is {len(data)} bytes; it should be "
                    f"{sizes.get(name, 32)}.",
                    name,
                )
            decoded[name] = data
        return cls(
            decoded["manifest_hash"],
            decoded["credential"],
            decoded["alpha"],
            decoded["beta"],
            decoded["pok.commitment"],
            decoded["pok.response"],
            decoded["signature"],
        )

    def body(self) -> dict[str, Any]:
        """The ballot without its signature: what the credential signs."""
        return {
            "v": VERSION,
            "manifest_hash": b64url(self.manifest_hash),
            "credential": b64url(self.credential),
            "alpha": b64url(self.alpha),
            "beta": b64url(self.beta),
            "pok": {"commitment": b64url(self.commitment), "response": b64url(self.response)},
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.body(), "signature": b64url(self.signature)}

    def canonical(self) -> bytes:
        return canonical_json(self.to_json())

    @property
    def tracker(self) -> bytes:
        return sha256(self.canonical())

    @property
    def ciphertext(self) -> tuple[bytes, bytes]:
        return self.alpha, self.beta


def signed_message(body: Mapping[str, Any]) -> bytes:
    return labelled(SIGNATURE_LABEL) + sha256(canonical_json(body))


def pok_context(
    manifest_hash: bytes, election_key: bytes, credential: bytes, alpha: bytes, beta: bytes
) -> list[bytes]:
    """The statement the proof's challenge hashes (before the commitment)."""
    return [manifest_hash, election_key, credential, alpha, beta]


def build(
    manifest_hash: bytes,
    election_key: bytes,
    credential_seed: bytes,
    vote_payload: bytes,
    *,
    r: bytes | None = None,
    w: bytes | None = None,
) -> Ballot:
    """Encrypt and prove a payload (`payload.encode`); r and w are drawn unless given
    (tests give them to compare bytes with the browser)."""
    r = r if r is not None else group.random_scalar()
    m = payload.embed(vote_payload)
    alpha = group.base_mul(r)
    beta = group.add(m, group.mul(r, election_key))
    credential = keys.ed25519_public(credential_seed)
    pok = proofs.schnorr_prove(
        POK_LABEL, pok_context(manifest_hash, election_key, credential, alpha, beta), r, w
    )
    unsigned = Ballot(manifest_hash, credential, alpha, beta, pok.commitment, pok.response, b"")
    signature = keys.sign(credential_seed, signed_message(unsigned.body()))
    return Ballot(manifest_hash, credential, alpha, beta, pok.commitment, pok.response, signature)


def make_ballot(
    vote: Mapping[str, Any],
    credential_seed: bytes,
    candidate_ids: list[str],
    manifest_hash: bytes,
    election_key: bytes,
) -> Ballot:
    """A vote record to a ballot: what `inmc-vote cast` and the tests send."""
    return build(manifest_hash, election_key, credential_seed, payload.encode(vote, candidate_ids))


def check(ballot: Ballot, manifest_hash: bytes, election_key: bytes) -> None:
    """Every check a ballot must pass besides the roll and the one-per-credential rule:
    for this round, points of the group, the proof and the signature. BallotError says
    which failed."""
    if ballot.manifest_hash != manifest_hash:
        raise BallotError("The ballot was made for another round or ballot.", "manifest_hash")
    for name, value in (("alpha", ballot.alpha), ("beta", ballot.beta)):
        if not group.is_point(value):
            raise BallotError(f"The ballot's {name} is not a point of the group.", name)
    proof = proofs.Schnorr(ballot.commitment, ballot.response)
    context = pok_context(manifest_hash, election_key, ballot.credential, ballot.alpha, ballot.beta)
    if not proofs.schnorr_check(POK_LABEL, context, ballot.alpha, proof):
        raise BallotError(
            "The ballot's proof of knowledge does not check: it was not made for this "
            "ciphertext, credential and round.",
            "pok",
        )
    if not keys.verify(ballot.credential, ballot.signature, signed_message(ballot.body())):
        raise BallotError("The ballot's signature is not the credential's.", "signature")
