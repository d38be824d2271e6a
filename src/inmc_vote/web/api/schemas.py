"""What the API reads and writes; these classes are also its OpenAPI description."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from inmc_vote.db.models import Ballot, BallotEvent, Candidacy, City
from inmc_vote.domain.errors import Invalid
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.services.actions.ballots import BallotForm
from inmc_vote.services.actions.lifecycle import STEPS
from inmc_vote.services.steps.state import lifecycle_of


@dataclass
class CityIn:
    """A member city. `country` is an ISO 3166 alpha-2 code such as FR."""

    name: str
    country: str
    region: str = ""
    contact_name: str = ""
    contact_email: str = ""


@dataclass
class CityOut:
    id: int
    slug: str
    name: str
    country: str
    region: str
    contact_name: str
    contact_email: str
    active: bool

    @classmethod
    def of(cls, city: City) -> CityOut:
        return cls(
            city.id,
            city.slug,
            city.name,
            city.country,
            city.region,
            city.contact_name,
            city.contact_email,
            city.active,
        )


@dataclass
class ImportOut:
    added: int
    updated: int
    unchanged: int


def aware(value: datetime | None, label: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise Invalid(
            "The {label} needs its time zone, as in 2027-03-01T12:00:00+01:00.", label=label
        )
    return value


_TRANSLATED = (
    "the text in French (`_fr`) or in English (`_en`), shown to readers of that language "
    "instead of the text as written; empty when not given"
)


@dataclass
class BallotIn:
    """A ballot's settings. Times are RFC 3339 with their zone; `quorum` is a fraction of
    the eligible cities such as "1/2" (none when empty); `timezone` is how times are shown."""

    title: str
    question: str
    method: str = field(metadata={"description": "plurality, exhaustive, irv, schulze or approval"})
    description: str = ""
    quorum: str | None = None
    blank_allowed: bool = True
    timezone: str = "UTC"
    candidacy_deadline: datetime | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    last_place_tie: str = field(
        default="lot",
        metadata={
            "description": "exhaustive ballots: a tie for last place is settled by `lot` "
            "or by a `runoff` round between the tied cities"
        },
    )
    credential_authority: str = field(
        default="offline",
        metadata={
            "description": "who makes the tokens: `offline` (the default: `registrar_party` "
            "makes them with `inmc-vote tokens issue` and uploads the roll), `server` "
            "(POST .../tokens; for a demonstration, as the server could then mint credentials) "
            "or `server-mail` (as server, and the organiser's page e-mails each city its letter: "
            "the server and the mail relays see each token once while it is sent)"
        },
    )
    registrar_party: str = field(
        default="",
        metadata={"description": "who holds the registrar key (required to freeze offline)"},
    )
    title_fr: str = field(default="", metadata={"description": _TRANSLATED})
    title_en: str = field(default="", metadata={"description": _TRANSLATED})
    question_fr: str = field(default="", metadata={"description": _TRANSLATED})
    question_en: str = field(default="", metadata={"description": _TRANSLATED})

    def form(self) -> BallotForm:
        return BallotForm(
            title=self.title,
            question=self.question,
            method=self.method,
            description=self.description,
            quorum=self.quorum,
            blank_allowed=self.blank_allowed,
            timezone=self.timezone,
            candidacy_deadline=aware(self.candidacy_deadline, "candidacy deadline"),
            opens_at=aware(self.opens_at, "opening time"),
            closes_at=aware(self.closes_at, "closing time"),
            last_place_tie=self.last_place_tie,
            credential_authority=self.credential_authority,
            registrar_party=self.registrar_party,
            title_fr=self.title_fr,
            title_en=self.title_en,
            question_fr=self.question_fr,
            question_en=self.question_en,
        )


@dataclass
class Registrar:
    """Who makes the tokens: `custody` offline, server or server-mail, and the party."""

    custody: str
    party: str


@dataclass
class Rules:
    quorum: str | None
    blank_allowed: bool
    last_place_tie: str


@dataclass
class Turnout:
    """Ballots on the current round's board against the eligible cities."""

    ballots: int
    eligible: int


@dataclass
class CandidateOut:
    id: str
    city: str
    country: str


@dataclass
class BallotOut:
    id: str
    title: str
    question: str
    description: str
    method: str
    rules: Rules
    timezone: str
    candidacy_deadline: datetime | None
    opens_at: datetime | None
    closes_at: datetime | None
    state: str
    round: int
    published: bool
    cancel_reason: str
    allowed_actions: list[str]
    candidates: list[CandidateOut]
    electorate_size: int
    registrar: Registrar
    manifest_hash: str | None = None
    fingerprint: str | None = None
    turnout: Turnout | None = None
    title_fr: str = ""
    title_en: str = ""
    question_fr: str = ""
    question_en: str = ""

    @classmethod
    def of(
        cls, ballot: Ballot, candidates: list[CandidateOut] | None = None, electorate_size: int = 0
    ) -> BallotOut:
        return cls(
            id=ballot.id,
            title=ballot.title,
            question=ballot.question,
            description=ballot.description,
            method=ballot.method,
            rules=Rules(ballot.quorum, ballot.blank_allowed, ballot.last_place_tie),
            timezone=ballot.timezone,
            candidacy_deadline=ballot.candidacy_deadline,
            opens_at=ballot.opens_at,
            closes_at=ballot.closes_at,
            state=ballot.state,
            round=ballot.round,
            published=ballot.published,
            cancel_reason=ballot.cancel_reason,
            allowed_actions=[a.value for a in lifecycle_of(ballot).allowed() if a in STEPS],
            candidates=candidates or [],
            electorate_size=electorate_size,
            registrar=Registrar(ballot.credential_authority, ballot.registrar_party),
            title_fr=ballot.title_fr,
            title_en=ballot.title_en,
            question_fr=ballot.question_fr,
            question_en=ballot.question_en,
        )


@dataclass
class ActionIn:
    """Why: required to cancel or to close before the scheduled time. For next-round,
    the new round's `closes_at` (and optional `opens_at`), RFC 3339."""

    reason: str = ""
    opens_at: datetime | None = None
    closes_at: datetime | None = None


@dataclass
class DecisionIn:
    """Why the candidacy is rejected (required to reject, optional to accept)."""

    reason: str = ""


@dataclass
class EventOut:
    seq: int
    at: str
    actor: str
    action: str
    data: dict[str, object]
    prev: str
    hash: str

    @classmethod
    def of(cls, row: BallotEvent) -> EventOut:
        return cls(
            row.seq,
            row.at,
            row.actor,
            row.action,
            json.loads(row.data),
            b64url(row.prev),
            b64url(row.hash),
        )


@dataclass
class DossierOut:
    filename: str
    size: int
    sha256: str
    url: str


@dataclass
class CandidacyOut:
    id: int
    city_id: int
    city: str
    country: str
    status: str
    summary: str
    proposed_dates: str
    venue: str
    by_organiser: bool
    decision_reason: str
    submitted_at: datetime
    updated_at: datetime
    dossier: DossierOut | None
    summary_fr: str = ""  # the summary in French and in English, when given
    summary_en: str = ""

    @classmethod
    def of(cls, c: Candidacy) -> CandidacyOut:
        dossier = None
        if c.dossier is not None:
            dossier = DossierOut(
                c.dossier.filename,
                c.dossier.size,
                c.dossier.sha256,
                f"/api/v1/ballots/{c.ballot_id}/candidacies/{c.id}/dossier",
            )
        return cls(
            c.id,
            c.city_id,
            c.city.name,
            c.city.country,
            c.status,
            c.summary,
            c.proposed_dates,
            c.venue,
            c.by_organiser,
            c.decision_reason,
            c.submitted_at,
            c.updated_at,
            dossier,
            c.summary_fr,
            c.summary_en,
        )


@dataclass
class PortalLinksIn:
    valid_days: int = 60


@dataclass
class PortalLinkOut:
    city_id: int
    city: str
    country: str
    contact_email: str
    url: str
    expires_at: datetime


@dataclass
class PortalBallotOut:
    id: str
    title: str
    question: str
    state: str
    timezone: str
    candidacy_deadline: datetime | None


@dataclass
class PortalCityOut:
    id: int
    name: str
    country: str


@dataclass
class PortalOut:
    """What a portal link opens: its ballot, its city and the city's candidacy (if any)."""

    ballot: PortalBallotOut
    city: PortalCityOut
    candidacy: CandidacyOut | None

    @classmethod
    def of(cls, ballot: Ballot, city: City, candidacy: Candidacy | None) -> PortalOut:
        return cls(
            PortalBallotOut(
                ballot.id,
                ballot.title,
                ballot.question,
                ballot.state,
                ballot.timezone,
                ballot.candidacy_deadline,
            ),
            PortalCityOut(city.id, city.name, city.country),
            CandidacyOut.of(candidacy) if candidacy else None,
        )
