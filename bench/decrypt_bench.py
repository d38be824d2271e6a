"""How fast threshold decryption is against the bare multiplications it performs.

Runs a key ceremony of 3 trustees, threshold 2 (tests/unit/protocol/ceremony_world.py,
through the domain's ceremony functions), encrypts N random points under the election
key (not timed), then times, for each N:
- trustee 1's decryption message, `decryption.make_decryption` (N factors x·alpha_i,
  each with its Chaum–Pedersen proof, the message signed), against the bare N
  multiplications x·alpha_i of the factors alone;
- its check, `decryption.read_decryption`, against the bare 4N multiplications of the
  proofs' checks (s·G, c·X, s·alpha_i, c·D_i for each ciphertext);
- the combination of trustees 1 and 2's factors (t = 2), `decryption.combine`, against
  its bare 2N multiplications λ_l·D_{l,i}.
Each ceiling (`group.base_mul`, `group.mul`) is measured in the same run, just before and
just after what it is the ceiling of, over 3 rounds; the least time of each is kept (the
run the shared, noisy machine disturbed least).

Beyond its factor x·alpha_i, each ciphertext's proof costs w·G and w·alpha_i: the least a
message can cost is about 2.3 times its factors' multiplications (w·G costs about a
quarter of a variable-base multiplication).

    python bench/decrypt_bench.py           # N = 1,000
    python bench/decrypt_bench.py --big     # N = 1,000 and 10,000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.unit.protocol import ceremony_world  # noqa: E402

from inmc_vote.domain.protocol import decryption, group, lot  # noqa: E402

ROUND = 1


def load() -> str:
    path = Path("/proc/loadavg")
    return path.read_text().split(" ")[0] if path.exists() else "?"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def against(
    label: str, ceiling_words: str, ceiling: Callable[[], Any], fn: Callable[[], Any], rounds: int
) -> Any:
    """Times `ceiling`, `fn`, `ceiling` again, `rounds` times; prints the least of each
    (the run the machine's other work disturbed least) and their ratio."""
    bare, took = [], []
    for _ in range(rounds):
        bare.append(timed(ceiling)[0])
        spent, result = timed(fn)
        took.append(spent)
        bare.append(timed(ceiling)[0])
    print(f"  ceiling: {ceiling_words:<50} {min(bare):8.3f} s")
    print(f"  {label:<59} {min(took):8.3f} s")
    print(f"  ratio {label + ' / ceiling:':<53} {min(took) / min(bare):8.2f}")
    return result


def run(world: ceremony_world.World, n: int, rounds: int) -> None:
    mh = os.urandom(32)
    plaintexts = [ceremony_world.random_point() for _ in range(n)]
    cts = [ceremony_world.encrypt(world.y, m) for m in plaintexts]
    alphas = [alpha for alpha, _ in cts]
    print(
        f"\nN = {n:,} ciphertexts, trustees {world.n}, threshold {world.t}; "
        f"the least of {rounds} rounds"
    )

    def make(l: int) -> dict[str, Any]:  # noqa: E741
        return decryption.make_decryption(
            ballot=ceremony_world.BALLOT,
            round=ROUND,
            trustee=l,
            manifest_hash=mh,
            share=world.shares[l],
            verification_key=world.election.member(l).verification_key,
            ciphertexts=cts,
            lot_reveal=lot.reveal(world.secrets[l].lot, ROUND),
            signing_seed=world.secrets[l].signing_seed,
        )

    def read(l: int, message: dict[str, Any]) -> decryption.Decryption:  # noqa: E741
        return decryption.read_decryption(
            message,
            ballot=ceremony_world.BALLOT,
            round=ROUND,
            manifest_hash=mh,
            trustee_public=world.election.member(l),
            ciphertexts=cts,
        )

    x1 = world.shares[1]
    x_key = world.election.member(1).verification_key

    def factors() -> None:
        for alpha in alphas:
            group.mul(x1, alpha)

    message = against(
        "make_decryption (trustee 1)", "N factors x·alpha_i", factors, lambda: make(1), rounds
    )

    ss = [group.random_scalar() for _ in range(n)]
    cs = [group.random_scalar() for _ in range(n)]
    ds = [group.mul(x1, alpha) for alpha in alphas]

    def checks() -> None:
        for s, c, alpha, d in zip(ss, cs, alphas, ds, strict=True):
            group.base_mul(s)
            group.mul(c, x_key)
            group.mul(s, alpha)
            group.mul(c, d)

    first = against(
        "read_decryption (trustee 1)",
        "4N: s·G, c·X, s·alpha_i, c·D_i",
        checks,
        lambda: read(1, message),
        rounds,
    )
    second = read(2, make(2))  # not timed: trustee 2's message, for the combination
    by_trustee = {1: first.factors, 2: second.factors}
    lambdas = [group.random_scalar(), group.random_scalar()]

    def lagrange() -> None:
        for i in range(n):
            group.mul(lambdas[0], first.factors[i])
            group.mul(lambdas[1], second.factors[i])

    combined = against(
        "combine (t = 2)",
        "2N: λ_1·D_1,i, λ_2·D_2,i",
        lagrange,
        lambda: decryption.combine(cts, by_trustee, world.t),
        rounds,
    )
    assert combined == plaintexts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", action="store_true", help="also N = 10,000")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each (default 3)")
    args = parser.parse_args()
    print(f"decrypt_bench: load {load()} (1-minute average, /proc/loadavg), one core")
    world = ceremony_world.run(3, 2)
    for n in (1_000, 10_000) if args.big else (1_000,):
        run(world, n, args.rounds)
    print(f"\nload at the end: {load()}")


if __name__ == "__main__":
    main()
