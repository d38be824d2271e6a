"""Schulze (beat path) with winning votes, on ranked ballots, partial rankings allowed.

d[x][y] is the number of ballots ranking x above y, an unranked candidate counting below
every ranked one (two unranked: no preference). The link x→y is worth d[x][y] when
d[x][y] > d[y][x], else 0; p[x][y] is the strongest path's weakest link (Floyd–Warshall).
The winners are those x with p[x][y] >= p[y][x] for every y; more than one: the lot.
"""

from __future__ import annotations

from collections import Counter

from inmc_vote.domain.codes import LotPurpose, RoundReason
from inmc_vote.domain.counting.lot import settle
from inmc_vote.domain.counting.result import Lot, Matrix, Round, Tally


def count(
    candidates: tuple[str, ...], ballots: Counter[tuple[str, ...]], seed: bytes | None
) -> Tally:
    d = pairwise(candidates, ballots)
    p = strongest_paths(candidates, d)
    winners = tuple(x for x in candidates if all(p[x][y] >= p[y][x] for y in candidates if y != x))
    lots: tuple[Lot, ...] = ()
    if len(winners) == 1:
        winner, reason = winners[0], RoundReason.STRONGEST_PATHS
    else:
        lot = settle(seed, 1, LotPurpose.WINNER, winners)
        lots, winner, reason = (lot,), lot.chosen, RoundReason.LOT
    firsts = dict.fromkeys(candidates, 0)
    for ranking, n in ballots.items():
        firsts[ranking[0]] += n
    round_ = Round(1, firsts, 0, sum(ballots.values()), None, winner, (), reason)
    return Tally((round_,), lots, winners, winner, None, d, p)


def pairwise(candidates: tuple[str, ...], ballots: Counter[tuple[str, ...]]) -> Matrix:
    """d[x][y] = ranked[x] - above[y][x]: the ballots ranking x, less those ranking y above
    x (which cost one pass over the pairs inside each distinct ranking)."""
    index = {c: i for i, c in enumerate(candidates)}
    size = len(candidates)
    ranked = [0] * size
    above = [[0] * size for _ in range(size)]
    for ranking, n in ballots.items():
        positions = [index[c] for c in ranking]
        for i, x in enumerate(positions):
            ranked[x] += n
            for y in positions[:i]:
                above[y][x] += n
    return {
        x: {y: ranked[index[x]] - above[index[y]][index[x]] for y in candidates if y != x}
        for x in candidates
    }


def strongest_paths(candidates: tuple[str, ...], d: Matrix) -> Matrix:
    """The widest paths over the links of winning votes (Floyd–Warshall)."""
    p = {x: {y: d[x][y] if d[x][y] > d[y][x] else 0 for y in d[x]} for x in candidates}
    for k in candidates:
        for i in candidates:
            if i == k:
                continue
            via = p[i][k]
            if not via:
                continue
            row = p[i]
            for j, kj in p[k].items():
                if j != i and min(via, kj) > row[j]:
                    row[j] = min(via, kj)
    return p
