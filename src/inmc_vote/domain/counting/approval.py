"""Approval: each ballot approves any number of candidates; the most approvals wins, a tie
for first goes to the lot."""

from __future__ import annotations

from collections import Counter

from inmc_vote.domain.counting.plurality import most_votes
from inmc_vote.domain.counting.result import Tally


def count(
    candidates: tuple[str, ...], ballots: Counter[tuple[str, ...]], seed: bytes | None
) -> Tally:
    tallies = dict.fromkeys(candidates, 0)
    for approved, n in ballots.items():
        for candidate in approved:
            tallies[candidate] += n
    return most_votes(tallies, sum(ballots.values()), seed)
