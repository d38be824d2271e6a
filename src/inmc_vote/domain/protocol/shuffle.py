"""The verifiable re-encryption shuffle of protocol v2 (Terelius–Wikström).

A ciphertext is `(alpha, beta)` with alpha = r·G and beta = M + r·Y (Y the election key).
A shuffle re-encrypts every ciphertext and puts them in a secret order; its proof shows
that the output holds the same plaintexts as the input, without saying in which order.

The proof is the one of R. Haenni, P. Locher, R. Koenig, E. Dubuis, "Pseudo-code
algorithms for verifiable re-encryption mix-nets" (FC 2017 workshops, Voting'17; the
same algorithms are in the CHVote specification as GenShuffle, GenPermutationCommitment,
GenCommitmentChain, GenShuffleProof and CheckShuffleProof), written additively. Their
ciphertext e_i = (a_i, b_i), a = m·pk^r, b = g^r, is our (beta_i, alpha_i); pk is Y, g
is G, and their independent generators h, h_1..h_N are `group.generator(mh, 0)` and
`group.generator(mh, i)`. Each function names the paper's algorithm it follows, by name:
the numbering differs between the paper and the CHVote specification's versions.

The permutation
---------------
A permutation ψ of 0..N−1 (0-based here, 1-based in the paper) sends the *output*
position to the *input* position, as in the paper's GenShuffle:

    output_i = (alpha_ψ(i) + r'_i·G,  beta_ψ(i) + r'_i·Y)

so output i is a re-encryption of input ψ(i). The paper indexes the re-encryption
randomness by input (their r̃_ψ(i) is our r'_i); nothing else changes.

The proof's fields (all base64url in `Proof.to_json`)
---------------------------------------------------
    permutation_commitments  c_1..c_N   c_ψ(i) = r_ψ(i)·G + h_i
    chain                    ĉ_1..ĉ_N   ĉ_i = r̂_i·G + u'_i·ĉ_(i−1), ĉ_0 = h
    t1, t2, t3, t41, t42     points
    t_hat                    t̂_1..t̂_N   points
    s1, s2, s3, s4           scalars
    s_hat, s_prime           ŝ_1..ŝ_N, s'_1..s'_N   scalars

Fiat–Shamir (strong: the statement is hashed whole, as docs/protocol.md, "Mixing" asks)
-----------------------------------------------------------------------
`labelled(x)` = x ‖ 0x00, u32/u64 big-endian, `Hs` = `group.hash_scalar` (SHA-512 of
labelled(label) ‖ for each part: u32(len(part)) ‖ part, reduced mod L). mh is the
32-byte manifest hash, Y the 32-byte election key, N ≥ 1 the number of ciphertexts.

    list_hash(cts) = SHA-256(labelled("inmc-vote/v2/ciphertexts") ‖ u64(N)
                             ‖ alpha_1 ‖ beta_1 ‖ … ‖ alpha_N ‖ beta_N)

    prefix  = labelled("inmc-vote/v2/shuffle-statement") ‖ mh ‖ Y
              ‖ list_hash(input) ‖ list_hash(output)
              ‖ u64(N) ‖ c_1 ‖ … ‖ c_N                       (permutation commitments)
    S_u     = SHA-256(prefix)
    u_i     = Hs("inmc-vote/v2/shuffle-u", S_u, u32(i))        for i = 1..N
    S       = SHA-256(prefix ‖ u64(N) ‖ ĉ_1 ‖ … ‖ ĉ_N)           (the commitment chain)
    c       = Hs("inmc-vote/v2/shuffle-c", S, t1, t2, t3, t41, t42, t̂_1, …, t̂_N)

(so c is an Hs of N + 6 parts, each of 32 bytes). Two statement digests are needed
because the chain is built from the u_i, which therefore cannot depend on it; the u_i
are drawn from everything that exists before them (the paper draws them from the two
lists and the commitments; mh and Y are added), and c from everything.

Points received are checked (docs/protocol.md, "The group") by libsodium itself: every point of the
statement and of the proof is multiplied by a scalar somewhere in `verify`, and
libsodium's `crypto_scalarmult_ed25519_noclamp` refuses a non-canonical encoding, a point
off the curve, of small order or outside the prime-order subgroup (`group.mul` raises
`GroupError`), which is exactly `crypto_core_ed25519_is_valid_point`'s test. The t values
are compared byte for byte with points that `verify` computes, so only valid points can
match. Scalars must be canonical (below L).

N = 0 is refused: the service never shuffles an empty board (the tally of a round with
no counted ballot skips mixing and decryption altogether). N = 1 works as any other N.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import secrets
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from inmc_vote.domain.protocol import group
from inmc_vote.domain.protocol.encoding import b64url, from_b64url, labelled, u64

Ciphertext = tuple[bytes, bytes]
"""(alpha, beta), each a 32-byte point encoding."""

LIST_LABEL = "inmc-vote/v2/ciphertexts"
STATEMENT_LABEL = "inmc-vote/v2/shuffle-statement"
U_LABEL = "inmc-vote/v2/shuffle-u"
C_LABEL = "inmc-vote/v2/shuffle-c"

_SIZE = group.POINT_BYTES


# --- the lists and the generators ------------------------------------------------------


def list_hash(cts: Sequence[Ciphertext]) -> bytes:
    """SHA-256(labelled("inmc-vote/v2/ciphertexts") ‖ u64(N) ‖ alpha_1 ‖ beta_1 ‖ …)
    (docs/protocol.md, "Mixing"). Refuses a component that is not 32 bytes (ValueError)."""
    digest = hashlib.sha256(labelled(LIST_LABEL) + u64(len(cts)))
    for ct in cts:
        if not _is_ciphertext(ct):
            raise ValueError("a ciphertext is two 32-byte strings")
        digest.update(ct[0])
        digest.update(ct[1])
    return digest.digest()


@lru_cache(maxsize=4)
def generators(mh: bytes, n: int) -> tuple[bytes, ...]:
    """(h, h_1, …, h_n) for manifest hash `mh`: computed once per (mh, n)."""
    return tuple(group.generator(mh, i) for i in range(n + 1))


def _is_ciphertext(ct: object) -> bool:
    return (
        isinstance(ct, tuple | list)
        and len(ct) == 2
        and all(isinstance(x, bytes) and len(x) == _SIZE for x in ct)
    )


# --- shuffling (GenShuffle, GenPermutation, GenReEncryption) ------


@dataclass(frozen=True)
class ShuffleSecret:
    """What the shuffler keeps for its proof, then forgets: ψ (output i holds input
    permutation[i]) and r'_i (the randomness of output i)."""

    permutation: tuple[int, ...] = field(repr=False)
    randomness: tuple[bytes, ...] = field(repr=False)


def random_permutation(n: int) -> tuple[int, ...]:
    """A uniform permutation of 0..n−1 (GenPermutation: Knuth's shuffle)."""
    items = list(range(n))
    for i in range(n - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        items[i], items[j] = items[j], items[i]
    return tuple(items)


def shuffle(
    cts: Sequence[Ciphertext],
    Y: bytes,
    *,
    permutation: Sequence[int] | None = None,
    randomness: Sequence[bytes] | None = None,
) -> tuple[list[Ciphertext], ShuffleSecret]:
    """GenShuffle: output_i = (alpha_ψ(i) + r'_i·G, beta_ψ(i) + r'_i·Y).

    `permutation` (ψ) and `randomness` (r'_1..r'_N, by output position) are drawn here
    unless given (tests give them). Raises ValueError for an empty list, a ψ that is not
    a permutation of 0..N−1, a bad scalar or point (`group.GroupError`)."""
    n = len(cts)
    if n == 0:
        raise ValueError("nothing to shuffle: the service never mixes an empty board")
    group.point(Y)
    psi = tuple(permutation) if permutation is not None else random_permutation(n)
    if sorted(psi) != list(range(n)):
        raise ValueError("not a permutation of the positions")
    if randomness is None:
        rs = tuple(group.random_scalar() for _ in range(n))
    else:
        rs = tuple(group.scalar(r) for r in randomness)
        if len(rs) != n:
            raise ValueError("one re-encryption scalar per ciphertext")
    output: list[Ciphertext] = []
    for i in range(n):  # GenReEncryption, applied to input ψ(i)
        alpha, beta = cts[psi[i]]
        output.append(
            (group.add(alpha, group.base_mul(rs[i])), group.add(beta, group.mul(rs[i], Y)))
        )
    return output, ShuffleSecret(psi, rs)


# --- the proof ------------------------------------------------------------------------

_POINT_LISTS = ("permutation_commitments", "chain", "t_hat")
_POINTS = ("t1", "t2", "t3", "t41", "t42")
_SCALARS = ("s1", "s2", "s3", "s4")
_SCALAR_LISTS = ("s_hat", "s_prime")
FIELDS = (
    "permutation_commitments",
    "chain",
    "t1",
    "t2",
    "t3",
    "t41",
    "t42",
    "t_hat",
    "s1",
    "s2",
    "s3",
    "s4",
    "s_hat",
    "s_prime",
)


@dataclass(frozen=True)
class Proof:
    """A shuffle proof (the module docstring names every field)."""

    permutation_commitments: tuple[bytes, ...]
    chain: tuple[bytes, ...]
    t1: bytes
    t2: bytes
    t3: bytes
    t41: bytes
    t42: bytes
    t_hat: tuple[bytes, ...]
    s1: bytes
    s2: bytes
    s3: bytes
    s4: bytes
    s_hat: tuple[bytes, ...]
    s_prime: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in FIELDS:
            value = getattr(self, name)
            out[name] = [b64url(x) for x in value] if isinstance(value, tuple) else b64url(value)
        return out

    @classmethod
    def from_json(cls, obj: object) -> Proof:
        """Parse a proof, checking its shape: exactly the fields above, unpadded
        base64url, 32 bytes each, the four lists of one length N ≥ 1, scalars below L.
        Whether the points are points of the group is `verify`'s to say (it answers
        False). Raises ValueError on anything malformed."""
        if not isinstance(obj, dict) or set(obj) != set(FIELDS):
            raise ValueError(f"a shuffle proof has exactly the fields {', '.join(FIELDS)}")
        values: dict[str, Any] = {}
        lengths = set()
        for name in FIELDS:
            raw = obj[name]
            if name in _POINT_LISTS or name in _SCALAR_LISTS:
                if not isinstance(raw, list):
                    raise ValueError(f"{name}: expected a list")
                items = tuple(_field_bytes(name, x, name in _SCALAR_LISTS) for x in raw)
                lengths.add(len(items))
                values[name] = items
            else:
                values[name] = _field_bytes(name, raw, name in _SCALARS)
        if len(lengths) != 1 or 0 in lengths:
            raise ValueError("the proof's lists are not all of one length N ≥ 1")
        return cls(**values)


def _field_bytes(name: str, text: object, is_scalar: bool) -> bytes:
    try:
        data = from_b64url(text)
    except ValueError:
        raise ValueError(f"{name}: expected unpadded base64url") from None
    if len(data) != _SIZE:
        raise ValueError(f"{name}: expected 32 bytes")
    if is_scalar:
        try:
            group.scalar(data)
        except group.GroupError:
            raise ValueError(f"{name}: not a canonical scalar") from None
    return data


def _prefix(
    mh: bytes,
    Y: bytes,
    cts_in: Sequence[Ciphertext],
    cts_out: Sequence[Ciphertext],
    commitments: Sequence[bytes],
) -> Any:  # hashlib's object (its type is private)
    digest = hashlib.sha256(labelled(STATEMENT_LABEL))
    for part in (mh, Y, list_hash(cts_in), list_hash(cts_out), u64(len(commitments))):
        digest.update(part)
    for c in commitments:
        digest.update(c)
    return digest


def _challenges_u(prefix: Any, n: int) -> list[bytes]:
    s_u = prefix.copy().digest()
    return [group.hash_scalar(U_LABEL, s_u, group.u32(i)) for i in range(1, n + 1)]


def _statement(prefix: Any, chain: Sequence[bytes]) -> bytes:
    digest = prefix.copy()
    digest.update(u64(len(chain)))
    for c in chain:
        digest.update(c)
    return bytes(digest.digest())


def _challenge_c(
    statement: bytes, t: tuple[bytes, bytes, bytes, bytes, bytes], t_hat: Sequence[bytes]
) -> bytes:
    return group.hash_scalar(C_LABEL, statement, *t, *t_hat)


def _permutation_commitment(
    psi: Sequence[int], hs: Sequence[bytes], draw: Callable[[], bytes]
) -> tuple[list[bytes], list[bytes]]:
    """GenPermutationCommitment: c_ψ(i) = r_ψ(i)·G + h_i; returns (c, r)."""
    n = len(psi)
    cs = [b""] * n
    rs = [b""] * n
    for i, j in enumerate(psi):
        rs[j] = draw()
        cs[j] = group.add(group.base_mul(rs[j]), hs[i])
    return cs, rs


def _commitment_chain(
    c0: bytes, us: Sequence[bytes], draw: Callable[[], bytes]
) -> tuple[list[bytes], list[bytes]]:
    """GenCommitmentChain: ĉ_i = r̂_i·G + u_i·ĉ_(i−1); returns (ĉ_1..ĉ_N, r̂)."""
    chain: list[bytes] = []
    rs: list[bytes] = []
    previous = c0
    for u in us:
        r = draw()
        previous = group.add(group.base_mul(r), group.mul(u, previous))
        chain.append(previous)
        rs.append(r)
    return chain, rs


def _weighted_sum(scalars: Sequence[bytes], points: Sequence[bytes]) -> bytes:
    """Σ s_i·P_i (one pass, no multi-exponentiation: libsodium has none)."""
    return group.total(group.mul(s, p) for s, p in zip(scalars, points, strict=True))


def prove(
    mh: bytes,
    Y: bytes,
    cts_in: Sequence[Ciphertext],
    cts_out: Sequence[Ciphertext],
    secret: ShuffleSecret,
    *,
    draw: Callable[[], bytes] = group.random_scalar,
) -> Proof:
    """GenProof: prove that `cts_out` is `shuffle(cts_in, Y)` with `secret`.

    `draw` gives the proof's random scalars, in this order: r (commitments, by output
    position), r̂_1..r̂_N, w1..w4, ŵ_1..ŵ_N, w'_1..w'_N; tests pass a fixed source to
    compare another implementation byte for byte (static/trustee/shuffle.js)."""
    n = len(cts_in)
    psi, r_out = secret.permutation, secret.randomness
    if n == 0 or len(cts_out) != n or len(psi) != n or len(r_out) != n or len(mh) != _SIZE:
        raise ValueError("the lists, the secret and the manifest hash do not fit together")
    gens = generators(mh, n)
    h, hs = gens[0], gens[1:]

    commitments, r = _permutation_commitment(psi, hs, draw)
    prefix = _prefix(mh, Y, cts_in, cts_out, commitments)
    u = _challenges_u(prefix, n)
    u_prime = [u[j] for j in psi]  # u'_i = u_ψ(i)
    chain, r_hat = _commitment_chain(h, u_prime, draw)

    w1, w2, w3, w4 = (draw() for _ in range(4))
    w_hat = [draw() for _ in range(n)]
    w_prime = [draw() for _ in range(n)]
    t1 = group.base_mul(w1)
    t2 = group.base_mul(w2)
    t3 = group.add(group.base_mul(w3), _weighted_sum(w_prime, hs))
    t41 = group.sub(_weighted_sum(w_prime, [ct[1] for ct in cts_out]), group.mul(w4, Y))
    t42 = group.sub(_weighted_sum(w_prime, [ct[0] for ct in cts_out]), group.base_mul(w4))
    previous = [h, *chain[:-1]]
    t_hat = [
        group.add(group.base_mul(w_hat[i]), group.mul(w_prime[i], previous[i])) for i in range(n)
    ]
    c = _challenge_c(_statement(prefix, chain), (t1, t2, t3, t41, t42), t_hat)

    # r̂ = Σ r̂_i·v_i with v_N = 1, v_(i−1) = u'_i·v_i (from the end, one pass)
    v = group.scalar_of(1)
    r_hat_sum = bytes(group.SCALAR_BYTES)
    for i in range(n - 1, -1, -1):
        r_hat_sum = group.s_add(r_hat_sum, group.s_mul(r_hat[i], v))
        v = group.s_mul(u_prime[i], v)
    r_bar = group.s_sum(r)
    r_tilde = group.s_sum(group.s_mul(r[j], u[j]) for j in range(n))
    r_prime = group.s_sum(group.s_mul(r_out[i], u_prime[i]) for i in range(n))

    def response(w: bytes, x: bytes) -> bytes:
        return group.s_add(w, group.s_mul(c, x))

    return Proof(
        permutation_commitments=tuple(commitments),
        chain=tuple(chain),
        t1=t1,
        t2=t2,
        t3=t3,
        t41=t41,
        t42=t42,
        t_hat=tuple(t_hat),
        s1=response(w1, r_bar),
        s2=response(w2, r_hat_sum),
        s3=response(w3, r_tilde),
        s4=response(w4, r_prime),
        s_hat=tuple(response(w_hat[i], r_hat[i]) for i in range(n)),
        s_prime=tuple(response(w_prime[i], u_prime[i]) for i in range(n)),
    )


# --- verification (CheckProof) -------------------------------------------------

_Sums = tuple[bytes, bytes, bytes, bytes, bytes, bytes, bytes, bytes]
"""Over a range of positions: Σ c_i, Σ h_i, Σ u_i·c_i, Σ u_i·beta_i, Σ u_i·alpha_i,
Σ s'_i·h_i, Σ s'_i·beta'_i, Σ s'_i·alpha'_i."""


@dataclass(frozen=True)
class _Range:
    """The positions start..start+len−1 of everything CheckProof runs over, with the
    chain's element just before them (h at the start)."""

    mh: bytes
    start: int
    c: bytes
    u: Sequence[bytes]
    commitments: Sequence[bytes]
    chain_before: bytes
    chain: Sequence[bytes]
    t_hat: Sequence[bytes]
    s_hat: Sequence[bytes]
    s_prime: Sequence[bytes]
    cts_in: Sequence[Ciphertext]
    cts_out: Sequence[Ciphertext]
    hs: Sequence[bytes] | None  # None: computed where the range runs


def _check_range(part: _Range) -> _Sums | None:
    """CheckProof's per-position work over one range: t̂'_i = −c·ĉ_i + ŝ_i·G + s'_i·ĉ_(i−1)
    must be t̂_i, and the weighted sums are returned (None if any check fails)."""
    try:
        hs = part.hs
        if hs is None:
            hs = [group.generator(part.mh, part.start + k + 1) for k in range(len(part.u))]
        minus_c = group.s_neg(part.c)
        previous = part.chain_before
        for k, chained in enumerate(part.chain):
            expected = group.add(
                group.add(group.base_mul(part.s_hat[k]), group.mul(part.s_prime[k], previous)),
                group.mul(minus_c, chained),
            )
            if expected != part.t_hat[k]:
                return None
            previous = chained
        betas_in = [ct[1] for ct in part.cts_in]
        alphas_in = [ct[0] for ct in part.cts_in]
        return (
            group.total(part.commitments),
            group.total(hs),
            _weighted_sum(part.u, part.commitments),
            _weighted_sum(part.u, betas_in),
            _weighted_sum(part.u, alphas_in),
            _weighted_sum(part.s_prime, hs),
            _weighted_sum(part.s_prime, [ct[1] for ct in part.cts_out]),
            _weighted_sum(part.s_prime, [ct[0] for ct in part.cts_out]),
        )
    except (group.GroupError, ValueError):
        return None


def _well_formed(mh: object, Y: object, cts_in: object, cts_out: object, proof: object) -> bool:
    if not (isinstance(mh, bytes) and len(mh) == _SIZE and isinstance(Y, bytes)):
        return False
    if not (isinstance(cts_in, Sequence) and isinstance(cts_out, Sequence)):
        return False
    if not isinstance(proof, Proof):
        return False
    n = len(cts_in)
    if n == 0 or len(cts_out) != n:
        return False
    if not all(_is_ciphertext(ct) for ct in cts_in) or not all(
        _is_ciphertext(ct) for ct in cts_out
    ):
        return False
    for name in FIELDS:
        value = getattr(proof, name)
        items = value if isinstance(value, tuple) else (value,)
        is_list = name in _POINT_LISTS or name in _SCALAR_LISTS
        if is_list and (not isinstance(value, tuple) or len(value) != n):
            return False
        if not all(isinstance(x, bytes) and len(x) == _SIZE for x in items):
            return False
        if name in _SCALARS or name in _SCALAR_LISTS:
            try:
                for x in items:
                    group.scalar(x)
            except group.GroupError:
                return False
    return True


def verify(
    mh: bytes,
    Y: bytes,
    cts_in: Sequence[Ciphertext],
    cts_out: Sequence[Ciphertext],
    proof: Proof,
    *,
    workers: int | None = None,
) -> bool:
    """CheckProof: whether `proof` shows that `cts_out` re-encrypts a permutation
    of `cts_in` under Y. False (never an exception) for anything malformed or wrong.

    `workers` > 1 splits the per-position work (the weighted sums and the t̂ checks,
    all independent) over that many processes; the result is the same."""
    if not _well_formed(mh, Y, cts_in, cts_out, proof):
        return False
    try:
        return _verify(mh, Y, cts_in, cts_out, proof, workers or 1)
    except (group.GroupError, ValueError):
        return False


def _verify(
    mh: bytes,
    Y: bytes,
    cts_in: Sequence[Ciphertext],
    cts_out: Sequence[Ciphertext],
    proof: Proof,
    workers: int,
) -> bool:
    n = len(cts_in)
    group.point(Y)
    prefix = _prefix(mh, Y, cts_in, cts_out, proof.permutation_commitments)
    u = _challenges_u(prefix, n)
    t = (proof.t1, proof.t2, proof.t3, proof.t41, proof.t42)
    c = _challenge_c(_statement(prefix, proof.chain), t, proof.t_hat)
    h = group.generator(mh, 0)

    def part(start: int, stop: int, hs: Sequence[bytes] | None) -> _Range:
        return _Range(
            mh=mh,
            start=start,
            c=c,
            u=u[start:stop],
            commitments=proof.permutation_commitments[start:stop],
            chain_before=h if start == 0 else proof.chain[start - 1],
            chain=proof.chain[start:stop],
            t_hat=proof.t_hat[start:stop],
            s_hat=proof.s_hat[start:stop],
            s_prime=proof.s_prime[start:stop],
            cts_in=cts_in[start:stop],
            cts_out=cts_out[start:stop],
            hs=hs,
        )

    if workers <= 1 or n < 2 * workers:
        results = [_check_range(part(0, n, generators(mh, n)[1:]))]
    else:
        pieces = min(workers * 4, n)  # a few pieces per worker even out their speeds
        bounds = [n * k // pieces for k in range(pieces + 1)]
        with ProcessPoolExecutor(workers, mp_context=_start_method()) as pool:
            results = list(
                pool.map(
                    _check_range,
                    [part(bounds[k], bounds[k + 1], None) for k in range(pieces)],
                )
            )
    sums: list[_Sums] = []
    for result in results:
        if result is None:
            return False
        sums.append(result)
    (
        sum_c,
        sum_h,
        c_tilde,
        a_prime,
        b_prime,
        s_h,
        s_beta,
        s_alpha,
    ) = (group.total(column) for column in zip(*sums, strict=True))

    minus_c = group.s_neg(c)
    u_product = group.scalar_of(1)
    for ui in u:
        u_product = group.s_mul(u_product, ui)
    c_bar = group.sub(sum_c, sum_h)  # Σ c_i − Σ h_i
    c_hat = group.sub(proof.chain[-1], group.mul(u_product, h))  # ĉ_N − (Π u_i)·h
    t1 = group.add(group.mul(minus_c, c_bar), group.base_mul(proof.s1))
    t2 = group.add(group.mul(minus_c, c_hat), group.base_mul(proof.s2))
    t3 = group.total((group.mul(minus_c, c_tilde), group.base_mul(proof.s3), s_h))
    t41 = group.total((group.mul(minus_c, a_prime), group.mul(group.s_neg(proof.s4), Y), s_beta))
    t42 = group.total((group.mul(minus_c, b_prime), group.base_mul(group.s_neg(proof.s4)), s_alpha))
    return (t1, t2, t3, t41, t42) == t


def _start_method() -> multiprocessing.context.BaseContext:
    """fork where it is safe (no other thread in this process), spawn elsewhere."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
