"""services/actions/lifecycle.py and the clock (services/steps/schedule.py) on a real
database, driven by hypothesis.

Random sequences of organiser actions, candidacies and clock moves go through the real
write path; afterwards the ballot's event log must tell a story that the domain's state
machine allows, replay to the stored state, and verify as a hash chain, and every
refused request must have left the database as it was.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, currently_in_test_context, given, settings
from hypothesis import event as label
from hypothesis import strategies as st

from inmc_vote.db.engine import Database
from inmc_vote.demo.sample_pdf import sample_pdf
from inmc_vote.domain.errors import RuleError
from inmc_vote.domain.lifecycle import Action, Lifecycle, State, WrongState
from inmc_vote.domain.protocol.events import verify_chain
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.ballots import BallotForm
from inmc_vote.services.actions.candidacies import CandidacyForm, Upload
from inmc_vote.services.actions.lifecycle import ActionRequest
from inmc_vote.services.actors import city, organiser
from inmc_vote.services.steps import event_log, schedule
from tests import factories as f
from tests.conftest import START
from tests.databases import PostgresFactory, ReusedPostgres, SqliteFactory

# storage-specific: the lifecycle service's state machine; the random runs name their backend
pytestmark = pytest.mark.both_databases

ORGANISER = organiser("organiser@example.org")
ACTIONS = [Action.OPEN_CANDIDACIES, Action.FREEZE, Action.OPEN, Action.CLOSE, Action.CANCEL]
LIFECYCLE_ACTIONS = {a.value for a in Action}
DOSSIER = sample_pdf("Dossier", ["A candidacy for the property test."])
N_CITIES = 4
SECRET_KEY = b"property-test-secret-key-0123456789abcdef"  # seals the ballot keys made at freeze

# ("act", action, with a reason) | ("next", with a reason) | ("advance", hours) | ("tick",)
# | ("candidacy", accept). "next" is the main path's action for the state the ballot is
# in, so that random runs get past freeze as well as refusing at every turn.
steps = st.lists(
    st.one_of(
        st.tuples(st.just("act"), st.sampled_from(ACTIONS), st.booleans()),
        st.tuples(st.just("next"), st.booleans()),
        st.tuples(st.just("next"), st.just(True)),  # listed twice: weighted
        st.tuples(st.just("advance"), st.sampled_from([1, 6, 30, 50, 100])),
        st.tuples(st.just("advance"), st.sampled_from([30, 50])),
        st.tuples(st.just("tick")),
        st.tuples(st.just("candidacy"), st.booleans()),
    ),
    min_size=2,
    max_size=16,
)
NEXT = {
    State.DRAFT.value: Action.OPEN_CANDIDACIES,
    State.CANDIDACIES.value: Action.FREEZE,
    State.FROZEN.value: Action.OPEN,
    State.OPEN.value: Action.CLOSE,
}


@dataclass(frozen=True)
class Scenario:
    method: str
    opens_by_itself: bool  # an opening time is set, or the organiser opens by hand
    prepared: bool  # candidacies opened and two accepted before the random steps
    steps: list[tuple[Any, ...]]
    # The tokens are issued right after freeze (voting needs them); without them the
    # ballot cannot open, by hand or by the clock.
    issues_tokens: bool = True


scenarios = st.builds(
    Scenario,
    method=st.sampled_from(["plurality", "exhaustive"]),
    opens_by_itself=st.booleans(),
    prepared=st.booleans(),
    steps=steps,
    issues_tokens=st.sampled_from([True, True, True, False]),
)


async def what_is_stored(db: Database, ballot_id: str) -> tuple[Any, ...]:
    """Everything a lifecycle action or a candidacy could change."""
    ballot = await queries.ballots.get_ballot(db, ballot_id)
    rows = await queries.ballots.events(db, ballot_id)
    return (
        ballot.state,
        ballot.round,
        ballot.published,
        ballot.cancel_reason,
        ballot.updated_at,
        [(r.seq, r.hash) for r in rows],
        [c.candidate_id for c in await queries.ballots.candidates(db, ballot_id)],
        await queries.ballots.electorate_size(db, ballot_id),
        [(c.id, c.status) for c in await queries.candidacies.list_for_ballot(db, ballot_id)],
    )


class Run:
    def __init__(self, db: Database, scenario: Scenario) -> None:
        self.db = db
        self.scenario = scenario
        self.now = START
        self.ballot_id = ""
        self.city_ids: list[int] = []
        self.outcomes: list[str] = []

    async def setup(self) -> None:
        for i in range(N_CITIES):
            fields = actions.cities.fields_of(
                f"Town {i}", ["FR", "JP", "BR", "ZA"][i], "", f"Contact {i}", f"c{i}@example.org"
            )
            self.city_ids.append((await actions.cities.add_city(self.db, fields, self.now)).id)
        form = BallotForm(
            title="Host city 2029",
            question="Which city should host?",
            method=self.scenario.method,
            candidacy_deadline=START + timedelta(days=1),
            opens_at=START + timedelta(days=4) if self.scenario.opens_by_itself else None,
            closes_at=START + timedelta(days=10),
            credential_authority="server",
        )
        ballot = await actions.ballots.create_ballot(self.db, ORGANISER, form, self.now)
        self.ballot_id = ballot.id
        # The key ceremony comes first: freeze needs its election key.
        await f.complete_ceremony_async(self.db, ballot.id, self.now, n=1, t=1)
        if self.scenario.prepared:
            await self.act(Action.OPEN_CANDIDACIES, "")
            await self.candidacy(True)
            await self.candidacy(True)

    async def act(self, action: Action, reason: str) -> None:
        async def call() -> None:
            await actions.lifecycle.perform(
                self.db, ORGANISER, self.ballot_id, action, ActionRequest(self.now, reason)
            )

        before = await queries.ballots.events(self.db, self.ballot_id)
        if await self.attempt(f"{action.value}", call):
            rows = await queries.ballots.events(self.db, self.ballot_id)
            new = rows[len(before) :]
            assert new, "a successful action records its event"
            last = event_log.as_event(new[-1])
            assert (last.action, last.actor) == (action.value, str(ORGANISER))
            assert all(r.actor == "schedule:clock" for r in new[:-1])  # what the clock did first
            if action is Action.CANCEL:
                assert last.data["reason"] == reason
            if action is Action.CLOSE:
                assert last.data["early"] is True
                assert last.data["reason"] == reason
            if action is Action.FREEZE and self.scenario.issues_tokens:
                await self.issue_tokens()

    async def issue_tokens(self) -> None:
        issued = await actions.tokens.issue_tokens(self.db, ORGANISER, self.ballot_id, self.now)
        assert len(issued.letters) == await queries.ballots.electorate_size(self.db, self.ballot_id)
        self.outcomes.append("tokens: done")

    async def candidacy(self, accept: bool) -> None:
        used = {
            c.city_id for c in await queries.candidacies.list_for_ballot(self.db, self.ballot_id)
        }
        free = [i for i in self.city_ids if i not in used]
        if not free:
            return
        city_id = free[0]
        made: list[int] = []

        async def submit() -> None:
            town = await queries.cities.get_city(self.db, city_id)
            form = CandidacyForm("Our summary", "1-3 May 2029", "Congress centre")
            candidacy = await actions.candidacies.submit(
                self.db,
                city(town.slug),
                self.ballot_id,
                city_id,
                form,
                Upload("dossier.pdf", DOSSIER),
                self.now,
            )
            made.append(candidacy.id)

        async def decide() -> None:
            reason = "" if accept else "Incomplete dossier"
            await actions.candidacies.decide(
                self.db, ORGANISER, self.ballot_id, made[0], accept, reason, self.now
            )

        if await self.attempt("submit", submit):
            await self.attempt("decide", decide)

    async def attempt(self, what: str, call: Any) -> bool:
        """Run a request; if the rules refuse it, check that it stored nothing."""
        before = await what_is_stored(self.db, self.ballot_id)
        refused: RuleError | None = None
        try:
            await call()
        except RuleError as error:
            refused = error
        self.outcomes.append(f"{what}: {'refused' if refused else 'done'}")
        if refused is None:
            return True
        after = await what_is_stored(self.db, self.ballot_id)
        assert after == before, f"refused {what} ({refused.message}) changed the data"
        if isinstance(refused, WrongState):
            assert refused.status == 409
            assert f"The ballot is {refused.current.value}: it cannot be" in refused.message
        elif what == Action.OPEN.value and not self.scenario.issues_tokens:
            assert refused.message.startswith("Issue the tokens first"), refused.message
        return False

    async def tick(self) -> None:
        await actions.schedule.catch_up_all(self.db, self.now)
        ballot = await queries.ballots.get_ballot(self.db, self.ballot_id)
        assert schedule.is_due(ballot, self.now) is None, "the clock left a due transition"

    async def play(self) -> None:
        await self.setup()
        for step in self.scenario.steps:
            if step[0] == "act":
                await self.act(step[1], "Change of plans" if step[2] else "")
            elif step[0] == "next":
                state = (await queries.ballots.get_ballot(self.db, self.ballot_id)).state
                await self.act(NEXT.get(state, Action.CANCEL), "Early" if step[1] else "")
            elif step[0] == "advance":
                self.now += timedelta(hours=step[1])
            elif step[0] == "tick":
                await self.tick()
            else:
                await self.candidacy(step[1])
        await self.check_the_log()

    async def check_the_log(self) -> None:
        ballot = await queries.ballots.get_ballot(self.db, self.ballot_id)
        rows = await queries.ballots.events(self.db, self.ballot_id)
        chain = [(event_log.as_event(r), r.prev, r.hash) for r in rows]
        assert verify_chain(self.ballot_id, chain) is None
        assert rows[0].action == "create"
        times = [r.at for r in rows]
        assert times == sorted(times), "the log runs forward in time"
        replayed = Lifecycle(successive_rounds=self.scenario.method == "exhaustive")
        for row in rows:
            if row.action not in LIFECYCLE_ACTIONS:
                continue
            event = event_log.as_event(row)
            assert event.data["from"] == replayed.state.value, (event, self.outcomes)
            replayed = replayed.apply(Action(event.action))  # raises if it was not legal
            assert event.data["to"] == replayed.state.value
            assert event.data["round"] == replayed.round
            if event.actor == "schedule:clock":
                assert event.action in (Action.OPEN.value, Action.CLOSE.value)
        assert replayed.state is State(ballot.state)
        assert replayed.round == ballot.round
        if ballot.tokens_issued_at is None:  # nothing opens a ballot without its tokens
            assert all(r.action != Action.OPEN.value for r in rows)
        if currently_in_test_context():  # shown by --hypothesis-show-statistics
            label(f"ends {ballot.state}")
            for outcome in set(self.outcomes):
                label(outcome)


async def play(url: str, scenario: Scenario) -> None:
    db = Database(url, at_rest_key=SECRET_KEY)
    try:
        await Run(db, scenario).play()
    finally:
        await db.dispose()


def test_a_tampered_log_would_be_caught(tmp_path: Path, sqlite_factory: SqliteFactory) -> None:
    """The checks above can fail: a forged transition does not replay."""
    url = sqlite_factory.fresh(tmp_path)

    async def forge() -> None:
        db = Database(url, at_rest_key=SECRET_KEY)
        try:
            run = Run(db, Scenario("plurality", False, True, []))
            await run.setup()
            async with db.write() as session:
                await event_log.record(
                    session,
                    run.ballot_id,
                    ORGANISER,
                    "open",
                    {"from": "draft", "to": "open", "round": 1},
                    run.now,
                )
            with pytest.raises(AssertionError):
                await run.check_the_log()
        finally:
            await db.dispose()

    asyncio.run(forge())


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=scenarios)
def test_random_lifecycles_on_sqlite(sqlite_factory: SqliteFactory, scenario: Scenario) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(play(sqlite_factory.fresh(Path(folder)), scenario))


@pytest.fixture(scope="module")
def postgres_lifecycles(postgres_factory: PostgresFactory) -> Iterator[ReusedPostgres]:
    """One database for the random runs, emptied for each (a new one took 0.4 s)."""
    reused = postgres_factory.reused()
    yield reused
    reused.close()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=scenarios)
def test_random_lifecycles_on_postgresql(
    postgres_lifecycles: ReusedPostgres, scenario: Scenario
) -> None:
    postgres_lifecycles.empty()  # each example starts from an empty database
    asyncio.run(play(postgres_lifecycles.url, scenario))


FROZEN_AT_30H: list[tuple[Any, ...]] = [("advance", 30), ("next", False)]


@pytest.mark.parametrize(
    ("walk", "ends"),
    [
        ([*FROZEN_AT_30H, ("advance", 100), ("tick",)], State.OPEN),
        ([*FROZEN_AT_30H, ("advance", 100), ("tick",), ("next", True)], State.CLOSED),
        # never caught up during its voting window: it opens and closes at once
        ([*FROZEN_AT_30H, ("advance", 300), ("tick",)], State.CLOSED),
        ([*FROZEN_AT_30H, ("advance", 100), ("tick",), ("advance", 200), ("tick",)], State.CLOSED),
        ([("act", Action.CANCEL, True)], State.CANCELLED),
    ],
)
def test_the_harness_reaches_the_states_the_random_runs_explore(
    sqlite_factory: SqliteFactory, walk: list[tuple[Any, ...]], ends: State
) -> None:
    """Fixed walks through the same harness, so that its checks are known to run."""

    async def run(url: str) -> str:
        db = Database(url, at_rest_key=SECRET_KEY)
        try:
            run = Run(db, Scenario("plurality", True, True, walk))
            await run.play()
            assert "freeze: done" in run.outcomes or ends is State.CANCELLED
            assert not any(o.endswith("refused") for o in run.outcomes), run.outcomes
            return (await queries.ballots.get_ballot(db, run.ballot_id)).state
        finally:
            await db.dispose()

    with tempfile.TemporaryDirectory() as folder:
        assert asyncio.run(run(sqlite_factory.fresh(Path(folder)))) == ends.value


def test_without_its_tokens_a_frozen_ballot_does_not_open(sqlite_factory: SqliteFactory) -> None:
    """The clock passes the opening time, and the organiser presses open: still frozen."""
    walk = [*FROZEN_AT_30H, ("advance", 100), ("tick",), ("next", False), ("tick",)]

    async def run(url: str) -> tuple[str, list[str]]:
        db = Database(url, at_rest_key=SECRET_KEY)
        try:
            run = Run(db, Scenario("plurality", True, True, walk, issues_tokens=False))
            await run.play()
            return (await queries.ballots.get_ballot(db, run.ballot_id)).state, run.outcomes
        finally:
            await db.dispose()

    with tempfile.TemporaryDirectory() as folder:
        state, outcomes = asyncio.run(run(sqlite_factory.fresh(Path(folder))))
    assert state == State.FROZEN.value
    assert "freeze: done" in outcomes
    assert "open: refused" in outcomes
