"""Threshold decryption of the mixed ciphertexts (docs/protocol.md, "Decryption").

For the last shuffle's output (alpha_i, beta_i), trustee l publishes D_{l,i} = x_l·alpha_i
with a Chaum–Pedersen proof that log_G X_l = log_alpha_i D_{l,i}, and the link of its lot
chain for the round (lot.py). Any t trustees' factors combine by Lagrange interpolation
at zero into D_i = x·alpha_i, and M_i = beta_i − D_i.

Belenios' specification (doc/specification.tex) is the model: "Tally" for the partial
decryption and its proof (A = g^w, B = alpha^w, response w + x·challenge; here in
commitment form with a strong Fiat–Shamir challenge over the whole statement), and
"Election result" for the combination with the Lagrange coefficients λ_z^I.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol

from inmc_vote.domain.protocol import group, lot, proofs
from inmc_vote.domain.protocol import threshold as vss
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.protocol.shuffle import Ciphertext, list_hash
from inmc_vote.domain.protocol.trustee_message import Reader, message_hash, sign

FORMAT = "inmc-vote/v2/decryption"
PROOF_LABEL = "inmc-vote/v2/decryption"
FIELDS = frozenset(
    {"format", "ballot", "round", "trustee", "input", "factors", "lot_reveal", "signature"}
)


class DecryptionError(ValueError):
    """A decryption message that fails a check; the message names the trustee and the check."""

    def __init__(self, trustee: int, check: str) -> None:
        self.trustee = trustee
        self.check = check
        super().__init__(f"trustee {trustee}'s decryption: {check}")


class TrusteePublic(Protocol):
    """What checking a trustee's decryption needs (`ceremony.Member` has it)."""

    @property
    def index(self) -> int: ...
    @property
    def signing_key(self) -> bytes: ...
    @property
    def verification_key(self) -> bytes: ...
    @property
    def lot_commitment(self) -> bytes: ...


@dataclass(frozen=True)
class Decryption:
    """A checked decryption: trustee l's factor for each ciphertext, in order."""

    ballot: str
    round: int
    trustee: int
    input: bytes
    factors: tuple[bytes, ...]
    lot_reveal: bytes
    hash: bytes
    message: Mapping[str, Any] = field(repr=False, compare=False, hash=False)


def _statement(
    manifest_hash: bytes, trustee: int, verification_key: bytes, alpha: bytes, factor: bytes
) -> list[bytes]:
    """mh, u32(l), X_l, alpha_i, D_i: the challenge then takes A1, A2 (docs/protocol.md,
    "Decryption")."""
    return [manifest_hash, group.u32(trustee), verification_key, alpha, factor]


def make_decryption(
    *,
    ballot: str,
    round: int,
    trustee: int,
    manifest_hash: bytes,
    share: bytes,
    verification_key: bytes,
    ciphertexts: Sequence[Ciphertext],
    lot_reveal: bytes,
    signing_seed: bytes,
    nonces: Sequence[bytes] | None = None,
) -> dict[str, Any]:
    """Trustee l's decryption message (Belenios, "Tally": the partial decryption): for
    each ciphertext D = x_l·alpha and its proof. `share` is x_l (ceremony.secret_share),
    `lot_reveal` is lot.reveal(ρ, round); `nonces` (one per ciphertext) only for tests."""
    if group.base_mul(group.scalar(share)) != verification_key:
        raise ValueError("the key share does not match the verification key")
    if nonces is not None and len(nonces) != len(ciphertexts):
        raise ValueError("one nonce per ciphertext")
    factors = []
    for i, (alpha, _beta) in enumerate(ciphertexts):
        d = group.mul(share, group.point(alpha))
        proof = proofs.chaum_pedersen_prove(
            PROOF_LABEL,
            _statement(manifest_hash, trustee, verification_key, alpha, d),
            share,
            alpha,
            nonce=None if nonces is None else nonces[i],
        )
        factors.append(
            {
                "factor": b64url(d),
                "proof": {
                    "commitment": [b64url(proof.commitments[0]), b64url(proof.commitments[1])],
                    "response": b64url(proof.response),
                },
            }
        )
    return sign(
        {
            "format": FORMAT,
            "ballot": ballot,
            "round": round,
            "trustee": trustee,
            "input": b64url(list_hash(ciphertexts)),
            "factors": factors,
            "lot_reveal": b64url(lot_reveal),
        },
        signing_seed,
    )


class _Reader(Reader):
    def __init__(self, trustee: int) -> None:
        self.trustee = trustee

    def fail(self, check: str) -> NoReturn:
        raise DecryptionError(self.trustee, check)


def read_decryption(
    obj: object,
    *,
    ballot: str,
    round: int,
    manifest_hash: bytes,
    trustee_public: TrusteePublic,
    ciphertexts: Sequence[Ciphertext],
) -> Decryption:
    """Checks an untrusted decryption message from the trustee `trustee_public` describes:
    its fields, ballot, round and index; its signature; that its input is the hash of
    `ciphertexts` (the last shuffle's output); one factor per ciphertext, each a point
    with a Chaum–Pedersen proof that verifies (Belenios, "Tally", the proof's check);
    and its lot reveal against the lot commitment. DecryptionError otherwise."""
    l = trustee_public.index  # noqa: E741
    r = _Reader(l)
    obj = r.fields(obj, FORMAT, FIELDS)
    if type(obj["ballot"]) is not str or obj["ballot"] != ballot:
        r.fail(f"it is for another ballot than {ballot}")
    if type(obj["round"]) is not int or obj["round"] != round:
        r.fail(f"it is for another round than round {round}")
    if type(obj["trustee"]) is not int or obj["trustee"] != l:
        r.fail(f"it names trustee {obj['trustee']!r}, not trustee {l}")
    r.signed_by(obj, trustee_public.signing_key, "by its certificate's signing key")
    input_hash = r.raw(obj["input"], 32, "its input hash")
    if input_hash != list_hash(ciphertexts):
        r.fail("its input is not the last shuffle's output")
    factors = obj["factors"]
    if not isinstance(factors, list) or len(factors) != len(ciphertexts):
        r.fail(f"it does not have {len(ciphertexts)} factors (one per ciphertext)")
    verification_key = trustee_public.verification_key
    read: list[bytes] = []
    for i, (item, (alpha, _beta)) in enumerate(zip(factors, ciphertexts, strict=True), start=1):
        if not isinstance(item, dict) or item.keys() != {"factor", "proof"}:
            r.fail(f"factor {i} is not {{factor, proof}}")
        proof = item["proof"]
        if not isinstance(proof, dict) or proof.keys() != {"commitment", "response"}:
            r.fail(f"the proof for ciphertext {i} is not {{commitment, response}}")
        commitment = proof["commitment"]
        if not isinstance(commitment, list) or len(commitment) != 2:
            r.fail(f"the proof for ciphertext {i} does not have two commitments")
        factor = r.point(item["factor"], f"the factor for ciphertext {i}")
        checked = proofs.ChaumPedersen(
            (
                r.point(commitment[0], f"the proof for ciphertext {i}'s first commitment"),
                r.point(commitment[1], f"the proof for ciphertext {i}'s second commitment"),
            ),
            r.scalar(proof["response"], f"the proof for ciphertext {i}'s response"),
        )
        if not proofs.chaum_pedersen_check(
            PROOF_LABEL,
            _statement(manifest_hash, l, verification_key, alpha, factor),
            verification_key,
            alpha,
            factor,
            checked,
        ):
            r.fail(f"the proof for ciphertext {i} fails")
        read.append(factor)
    reveal = r.raw(obj["lot_reveal"], lot.LINK_BYTES, "its lot reveal")
    if not lot.reveal_matches(reveal, round, trustee_public.lot_commitment):
        r.fail(f"its lot reveal does not match its lot commitment for round {round}")
    return Decryption(ballot, round, l, input_hash, tuple(read), reveal, message_hash(obj), obj)


def combine(
    ciphertexts: Sequence[Ciphertext],
    factors_by_trustee: Mapping[int, Sequence[bytes]],
    threshold: int,
) -> list[bytes | None]:
    """The plaintext points M_i = beta_i − Σ_{l∈S} λ_l·D_{l,i}, S the t lowest indices
    among the trustees given (Belenios, "Election result"); None where beta_i equals the
    combined factor (M_i would be the identity: a malformed vote). The factors must come
    from `read_decryption`."""
    if threshold < 1 or len(factors_by_trustee) < threshold:
        raise ValueError(f"decryption needs {threshold} trustees' factors")
    chosen = sorted(factors_by_trustee)[:threshold]
    for l in chosen:  # noqa: E741
        if len(factors_by_trustee[l]) != len(ciphertexts):
            raise ValueError(f"trustee {l}'s factors are not one per ciphertext")
    lagrange = vss.lagrange_at_zero(chosen)
    plaintexts: list[bytes | None] = []
    for i, (_alpha, beta) in enumerate(ciphertexts):
        combined = vss.sum_or_identity(
            group.mul(lagrange[k], factors_by_trustee[k][i]) for k in chosen
        )
        if combined is None:
            plaintexts.append(beta)
        elif combined == beta:
            plaintexts.append(None)
        else:
            plaintexts.append(group.sub(beta, combined))
    return plaintexts
