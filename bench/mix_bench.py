"""How fast a verifiable shuffle is against the bare re-encryptions it performs.

Encrypts N random points under a fresh election key (not timed), then times, for each N:
- shuffle + prove (one core: what a trustee's machine does);
- verify on one core, and on every core (`workers`);
and the ceiling measured in the same run: the bare 2N multiplications of N
re-encryptions (r·G and r·Y for each ciphertext, `group.base_mul` and `group.mul`).
The ratios say what the shuffle, its proof and its check cost on top of the least any
re-encryption mix-net must do.

    python bench/mix_bench.py           # N = 1,000
    python bench/mix_bench.py --big     # N = 1,000 and 10,000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

from inmc_vote.domain.protocol import group, shuffle  # noqa: E402


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def timed(label: str, fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    took = time.perf_counter() - started
    print(f"  {label:<52} {took:8.2f} s")
    return took, result


def bare_reencryption_multiplications(rs: list[bytes], y: bytes) -> None:
    for r in rs:
        group.base_mul(r)
        group.mul(r, y)


def run(n: int, jobs: int) -> None:
    x = group.random_scalar()
    y = group.base_mul(x)
    mh = os.urandom(32)
    cts = []
    for _ in range(n):
        r = group.random_scalar()
        cts.append(
            (group.base_mul(r), group.add(group.base_mul(group.random_scalar()), group.mul(r, y)))
        )
    shuffle.generators.cache_clear()

    print(f"\nN = {n:,} ciphertexts, {jobs} cores")
    rs = [group.random_scalar() for _ in range(n)]
    ceiling, _ = timed(
        "ceiling: bare 2N re-encryption multiplications", bare_reencryption_multiplications, rs, y
    )
    took_shuffle, (out, secret) = timed("shuffle", shuffle.shuffle, cts, y)
    took_prove, proof = timed("prove", shuffle.prove, mh, y, cts, out, secret)
    shuffle.generators.cache_clear()  # a verifier has not proved: it derives h_i itself
    took_verify, ok = timed("verify, 1 core", shuffle.verify, mh, y, cts, out, proof)
    assert ok
    took_pool, ok = timed(
        f"verify, {jobs} cores", lambda: shuffle.verify(mh, y, cts, out, proof, workers=jobs)
    )
    assert ok
    both = took_shuffle + took_prove
    for label, took in (
        ("shuffle + prove", both),
        ("verify, 1 core", took_verify),
        (f"verify, {jobs} cores", took_pool),
    ):
        print(f"  ratio {label + ' / ceiling:':<46} {took / ceiling:6.2f}")
    per = 100_000 / n
    print(
        f"  at 100,000 ciphertexts (linear): shuffle + prove {both * per / 60:.1f} min, "
        f"verify {took_verify * per / 60:.1f} min on 1 core, {took_pool * per / 60:.1f} on {jobs}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", action="store_true", help="also N = 10,000")
    parser.add_argument("--jobs", type=int, default=cores(), help="cores (default: all)")
    args = parser.parse_args()
    for n in (1_000, 10_000) if args.big else (1_000,):
        run(n, args.jobs)


if __name__ == "__main__":
    main()
