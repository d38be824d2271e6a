"""What the organiser's dashboard shows of each ballot still under way: its checklist
(done, next, later, with deadlines) and, while voting is open, its live turnout."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot
from inmc_vote.domain import checklist
from inmc_vote.domain.lifecycle import State
from inmc_vote.services import queries
from inmc_vote.web.pages.voting import VotingFacts, voting_facts


@dataclass(frozen=True)
class Progress:
    ballot: Ballot
    items: list[checklist.Item]
    facts: VotingFacts | None  # the turnout, once the tokens are issued

    @property
    def next_step(self) -> checklist.Step | None:
        return checklist.next_step(self.items)


def under_way(ballot: Ballot) -> bool:
    """Neither cancelled nor finished (published, with no further round to run)."""
    if ballot.state == State.CANCELLED:
        return False
    return not (
        ballot.state == State.TALLIED and ballot.published and not ballot.needs_another_round
    )


async def progress_of(db: Database, ballots: Sequence[Ballot], now: datetime) -> list[Progress]:
    """The ballots under way, each with its checklist and turnout."""
    return [
        Progress(b, await queries.checklist.checklist_of(db, b, now), await voting_facts(db, b))
        for b in ballots
        if under_way(b)
    ]
