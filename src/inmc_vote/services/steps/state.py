"""Between a ballot row and the domain's `Lifecycle`: the one place a state is stored."""

from __future__ import annotations

from datetime import datetime

from inmc_vote.db.models import Ballot
from inmc_vote.domain.ballots import Method
from inmc_vote.domain.lifecycle import Lifecycle, State


def lifecycle_of(ballot: Ballot) -> Lifecycle:
    return Lifecycle(
        state=State(ballot.state),
        round=ballot.round,
        published=ballot.published,
        successive_rounds=ballot.method == Method.EXHAUSTIVE.value,
        needs_another_round=ballot.needs_another_round,
    )


def store(ballot: Ballot, lifecycle: Lifecycle, now: datetime) -> None:
    ballot.state = lifecycle.state.value
    ballot.round = lifecycle.round
    ballot.published = lifecycle.published
    ballot.needs_another_round = lifecycle.needs_another_round
    ballot.updated_at = now
