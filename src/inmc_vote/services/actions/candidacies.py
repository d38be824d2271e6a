"""Candidacies: submitted, updated or withdrawn through a city's portal (or recorded by
the organiser for a candidacy that came by post), then accepted or rejected."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot, Candidacy, City, Dossier
from inmc_vote.domain.candidacies import (
    CandidacyStatus,
    check_candidacy_text,
    check_dossier,
    check_summary_translations,
)
from inmc_vote.domain.codes import EventAction
from inmc_vote.domain.errors import Conflict, Invalid, NotFound
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.timefmt import Zoned
from inmc_vote.services.actors import Actor
from inmc_vote.services.steps import event_log
from inmc_vote.services.steps.rows import candidacy_of
from inmc_vote.services.steps.schedule import catch_up


@dataclass(frozen=True)
class CandidacyForm:
    summary: str
    proposed_dates: str
    venue: str
    summary_fr: str = ""  # the summary in French and in English, when given
    summary_en: str = ""


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def _safe_filename(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name.strip() or "dossier.pdf"
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>')[:150]
    return base if base.lower().endswith(".pdf") else base + ".pdf"


async def _open_for_candidacies(
    session: AsyncSession, ballot_id: str, now: datetime, at_rest_key: bytes
) -> Ballot:
    ballot = await event_log.lock_ballot(session, ballot_id)
    await catch_up(session, ballot, now, at_rest_key)
    if ballot.state != State.CANDIDACIES.value:
        raise Conflict("The ballot is {state}: it is not taking candidacies.", state=ballot.state)
    if ballot.candidacy_deadline is not None and now >= ballot.candidacy_deadline:
        raise Conflict(
            "The candidacy deadline passed on {time}; nothing more can be submitted.",
            time=Zoned(ballot.candidacy_deadline, ballot.timezone),
        )
    return ballot


async def submit(
    db: Database,
    actor: Actor,
    ballot_id: str,
    city_id: int,
    form: CandidacyForm,
    dossier: Upload | None,
    now: datetime,
    by_organiser: bool = False,
) -> Candidacy:
    """Submit or update a city's candidacy; it then waits for the organiser's decision."""
    check_candidacy_text(form.summary, form.proposed_dates, form.venue)
    summary_fr, summary_en = check_summary_translations(form.summary_fr, form.summary_en)
    if dossier is not None:
        check_dossier(dossier.content, LIMITS.dossier_bytes)
    async with db.write() as session:
        await _open_for_candidacies(session, ballot_id, now, db.at_rest_key)
        city = await session.get(City, city_id)
        if city is None:
            raise NotFound("There is no member city with id {city_id}.", city_id=city_id)
        if not city.active:
            raise Conflict(
                "{name} is suspended: only active member cities may apply.", name=city.name
            )
        candidacy = await candidacy_of(session, ballot_id, city_id)
        if candidacy is None and dossier is None:
            raise Invalid(
                "A candidacy needs its dossier (a PDF of at most {dossier_bytes} MB).",
                dossier_bytes=LIMITS.dossier_bytes // (1024 * 1024),
            )
        first = candidacy is None
        if candidacy is None:
            # `city` set too: the caller reads it after the session has closed.
            candidacy = Candidacy(ballot_id=ballot_id, city=city, submitted_at=now)
            session.add(candidacy)
        candidacy.summary = form.summary.strip()
        candidacy.summary_fr, candidacy.summary_en = summary_fr, summary_en
        candidacy.proposed_dates = form.proposed_dates.strip()
        candidacy.venue = form.venue.strip()
        candidacy.status = CandidacyStatus.SUBMITTED.value
        candidacy.by_organiser = by_organiser
        candidacy.decision_reason = ""
        candidacy.decided_at = None
        candidacy.updated_at = now
        details: dict[str, object] = {"city": city.slug, "by_organiser": by_organiser}
        if dossier is not None:
            digest = hashlib.sha256(dossier.content).hexdigest()
            if candidacy.dossier is not None:
                await session.delete(candidacy.dossier)
                await session.flush()
            candidacy.dossier = Dossier(
                filename=_safe_filename(dossier.filename),
                size=len(dossier.content),
                sha256=digest,
                content=dossier.content,
                uploaded_at=now,
            )
            details |= {"dossier_sha256": digest, "dossier_bytes": len(dossier.content)}
        await session.flush()
        action = EventAction.CANDIDACY_SUBMITTED if first else EventAction.CANDIDACY_UPDATED
        await event_log.record(session, ballot_id, actor, action, details, now)
        return candidacy


async def withdraw(db: Database, actor: Actor, ballot_id: str, city_id: int, now: datetime) -> None:
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)
        if ballot.state != State.CANDIDACIES.value:
            raise Conflict(
                "The ballot is {state}: candidacies can no longer change.", state=ballot.state
            )
        candidacy = await candidacy_of(session, ballot_id, city_id)
        if candidacy is None or candidacy.status == CandidacyStatus.WITHDRAWN.value:
            raise Conflict("There is no candidacy to withdraw.")
        candidacy.status = CandidacyStatus.WITHDRAWN.value
        candidacy.updated_at = now
        await event_log.record(
            session,
            ballot_id,
            actor,
            EventAction.CANDIDACY_WITHDRAWN,
            {"city": candidacy.city.slug},
            now,
        )


async def decide(
    db: Database,
    actor: Actor,
    ballot_id: str,
    candidacy_id: int,
    accept: bool,
    reason: str,
    now: datetime,
) -> Candidacy:
    """Accept or reject a candidacy (a rejection needs its reason); possible until freeze."""
    reason = reason.strip()
    if not accept and not reason:
        raise Invalid("Say why the candidacy is rejected: the city and the auditors read it.")
    if len(reason) > LIMITS.reason_chars:
        raise Invalid(
            "The reason is longer than {reason_chars:,} characters.",
            reason_chars=LIMITS.reason_chars,
        )
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)
        if ballot.state != State.CANDIDACIES.value:
            raise Conflict(
                "The ballot is {state}: candidacies are decided before it is frozen.",
                state=ballot.state,
            )
        candidacy = await session.get(Candidacy, candidacy_id)
        if candidacy is None or candidacy.ballot_id != ballot_id:
            raise NotFound(
                "This ballot has no candidacy {candidacy_id}.", candidacy_id=candidacy_id
            )
        if candidacy.status == CandidacyStatus.WITHDRAWN.value:
            raise Conflict("{name} withdrew its candidacy.", name=candidacy.city.name)
        status = CandidacyStatus.ACCEPTED if accept else CandidacyStatus.REJECTED
        decided = EventAction.CANDIDACY_ACCEPTED if accept else EventAction.CANDIDACY_REJECTED
        candidacy.status = status.value
        candidacy.decision_reason = reason
        candidacy.decided_at = now
        candidacy.updated_at = now
        await event_log.record(
            session,
            ballot_id,
            actor,
            decided,
            {"city": candidacy.city.slug, "reason": reason},
            now,
        )
        return candidacy
