"""Creating and editing ballots, and reading them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot
from inmc_vote.domain.ballots import (
    TRANSLATED_TEXTS,
    Timetable,
    check_registrar,
    check_text,
    check_translations,
    parse_last_place_tie,
    parse_method,
    parse_quorum,
    parse_zone,
)
from inmc_vote.domain.codes import Custody, EventAction
from inmc_vote.domain.errors import Conflict, Invalid
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.protocol.encoding import fraction_text, rfc3339_ms
from inmc_vote.services import security
from inmc_vote.services.actors import Actor
from inmc_vote.services.steps import event_log
from inmc_vote.services.steps.schedule import catch_up

EDITABLE_STATES = (State.DRAFT, State.CANDIDACIES)


@dataclass(frozen=True)
class BallotForm:
    title: str
    question: str
    method: str
    description: str = ""
    quorum: str | None = None
    blank_allowed: bool = True
    timezone: str = "UTC"
    candidacy_deadline: datetime | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    last_place_tie: str = "lot"
    # who makes the tokens: "offline" (a named party, `inmc-vote tokens issue`) or "server"
    credential_authority: str = Custody.OFFLINE.value
    registrar_party: str = ""
    # The title and question in French and in English, when given (docs/languages.md).
    title_fr: str = ""
    title_en: str = ""
    question_fr: str = ""
    question_en: str = ""

    def translations(self) -> dict[str, str]:
        return {field: getattr(self, field) for field in TRANSLATED_TEXTS}

    def checked(self) -> BallotForm:
        """The form with its values normalised, or Invalid naming the first problem."""
        check_text(self.title, self.question, self.description)
        parse_method(self.method)
        quorum = parse_quorum(self.quorum)
        parse_zone(self.timezone)
        timetable = Timetable(self.candidacy_deadline, self.opens_at, self.closes_at)
        timetable.check()
        parse_last_place_tie(self.last_place_tie)
        party = check_registrar(self.credential_authority, self.registrar_party)
        translations = check_translations(self.translations())
        return BallotForm(
            title=self.title.strip(),
            question=self.question.strip(),
            method=self.method,
            description=self.description.strip(),
            quorum=fraction_text(quorum) if quorum else None,
            blank_allowed=self.blank_allowed,
            timezone=self.timezone,
            candidacy_deadline=self.candidacy_deadline,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            last_place_tie=self.last_place_tie,
            credential_authority=self.credential_authority,
            registrar_party=party,
            **translations,
        )


def _settings(ballot: Ballot) -> dict[str, object]:
    """What the event log records of a ballot's settings."""

    def when(t: datetime | None) -> str | None:
        return rfc3339_ms(t) if t else None

    return {
        "title": ballot.title,
        "question": ballot.question,
        "description": ballot.description,
        "method": ballot.method,
        "rules": {
            "quorum": ballot.quorum,
            "blank_allowed": ballot.blank_allowed,
            "last_place_tie": ballot.last_place_tie,
        },
        "timezone": ballot.timezone,
        "candidacy_deadline": when(ballot.candidacy_deadline),
        "opens_at": when(ballot.opens_at),
        "closes_at": when(ballot.closes_at),
        "credential_authority": {
            "custody": ballot.credential_authority,
            "party": ballot.registrar_party,
        },
    } | _translations(ballot)


def _translations(ballot: Ballot) -> dict[str, object]:
    """The French and English texts, recorded once some are given."""
    texts = {field: getattr(ballot, field) for field in TRANSLATED_TEXTS}
    return {"translations": texts} if any(texts.values()) else {}


def _assign(ballot: Ballot, form: BallotForm) -> None:
    ballot.title = form.title
    ballot.question = form.question
    ballot.description = form.description
    ballot.method = form.method
    ballot.quorum = form.quorum
    ballot.blank_allowed = form.blank_allowed
    ballot.last_place_tie = form.last_place_tie
    ballot.timezone = form.timezone
    ballot.candidacy_deadline = form.candidacy_deadline
    ballot.opens_at = form.opens_at
    ballot.closes_at = form.closes_at
    ballot.credential_authority = form.credential_authority
    ballot.registrar_party = form.registrar_party
    for field, value in form.translations().items():
        setattr(ballot, field, value)


def _refuse_past_times(form: BallotForm, now: datetime, before: Ballot | None) -> None:
    # A candidacy deadline in the past is allowed: it closes candidacies at once.
    for label, attr in (
        ("opening time", "opens_at"),
        ("closing time", "closes_at"),
    ):
        value = getattr(form, attr)
        unchanged = before is not None and getattr(before, attr) == value
        if value is not None and value <= now and not unchanged:
            raise Invalid("The {label} is in the past.", label=label)


async def create_ballot(db: Database, actor: Actor, form: BallotForm, now: datetime) -> Ballot:
    form = form.checked()
    _refuse_past_times(form, now, None)
    async with db.write() as session:
        ballot = Ballot(
            id=security.random_id(),
            state=State.DRAFT.value,
            round=1,
            created_at=now,
            updated_at=now,
        )
        _assign(ballot, form)
        session.add(ballot)
        await session.flush()
        await event_log.record(
            session, ballot.id, actor, EventAction.CREATE, _settings(ballot), now
        )
        return ballot


async def edit_ballot(
    db: Database, actor: Actor, ballot_id: str, form: BallotForm, now: datetime
) -> Ballot:
    """Change a ballot's settings; allowed until it is frozen."""
    form = form.checked()
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)  # the clock applies first
        if State(ballot.state) not in EDITABLE_STATES:
            raise Conflict(
                "The ballot is {state}: its settings were fixed when it was frozen.",
                state=ballot.state,
            )
        _refuse_past_times(form, now, ballot)
        before = _settings(ballot)
        _assign(ballot, form)
        after = _settings(ballot)
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if changed:
            ballot.updated_at = now
            await event_log.record(session, ballot.id, actor, EventAction.EDIT, changed, now)
        return ballot
