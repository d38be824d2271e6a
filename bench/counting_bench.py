"""Benchmark: instant-runoff counts of about 195,000 ballots against one bare pass over them.

Two counts that the unit tests used to time against fixed budgets (4 s and 2 s):
- 195,000 mostly distinct rankings of 25 cities (the worst case for grouping);
- the largest real file, San Francisco's 2011 mayor (194,530 ballots, 25 candidates,
  24 rounds), read and cut as `inmc-vote count` does.
The ceiling is measured in the same run: one pass that groups the same ballots by their
marks (a `Counter`), the least that any count must do. The ratio says how many such
passes the whole count costs.

    .venv/bin/python bench/counting_bench.py
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from inmc_vote.domain.counting import Rules, Verdict, count
from inmc_vote.domain.counting.files import preflib_verdicts, read_preflib

SEED = bytes.fromhex("5eed" * 16)
LARGEST = Path(__file__).resolve().parents[1] / "tests/data/preflib/00021-00000011.toi"


def timed(what: Callable[[], object]) -> float:
    started = time.perf_counter()
    what()
    return time.perf_counter() - started


def distinct_rankings() -> tuple[tuple[str, ...], list[Verdict]]:
    """The unit test's ballots: 7,800 random orders, each rotated 25 times and cut."""
    cities = tuple(f"city-{i:02d}" for i in range(25))
    rng = random.Random(2027)  # noqa: S311 (the same ballots on every run, not a secret)
    orders = [tuple(rng.sample(cities, 25)) for _ in range(7_800)]
    rotated = [order[i:] + order[:i] for order in orders for i in range(25)]
    rankings = [r[: 1 + (7 * j) % 25] for j, r in enumerate(rotated)]
    return cities, [Verdict("counted", None, r) for r in rankings]


def report(label: str, count_s: float, verdicts: Sequence[Verdict]) -> None:
    one_pass_s = timed(lambda: Counter(v.marks for v in verdicts))
    print(
        f"{label}: IRV {count_s:.2f} s; ceiling, one grouping pass over the "
        f"{len(verdicts):,} ballots: {one_pass_s:.3f} s; ratio = {count_s / one_pass_s:.0f}"
    )


def main() -> None:
    cities, verdicts = distinct_rankings()

    def irv() -> object:
        return count("irv", cities, Rules(), verdicts, eligible=len(verdicts), seed=SEED)

    report("195,000 mostly distinct rankings", timed(irv), verdicts)

    election = read_preflib(LARGEST.read_text(encoding="utf-8"))
    started = time.perf_counter()
    real = preflib_verdicts(election, "irv", election.candidates, Rules())
    count("irv", election.candidates, Rules(), real, eligible=len(real), seed=SEED)
    report("San Francisco 2011, cut and counted", time.perf_counter() - started, real)


if __name__ == "__main__":
    main()
