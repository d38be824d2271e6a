"""What the organiser's HTML forms send, read as text and turned into the services' forms.

Every field is read as a string so that a wrong value reaches the service's rules
(and the person gets its message with their input kept) instead of a bare 400.
Times come from `datetime-local` inputs: wall-clock times in the ballot's zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from inmc_vote.db.models import Ballot, City
from inmc_vote.domain.ballots import parse_zone
from inmc_vote.domain.cities import CityFields
from inmc_vote.domain.errors import Invalid
from inmc_vote.services import actions
from inmc_vote.services.actions.ballots import BallotForm
from inmc_vote.web.i18n import _

# The zones offered in the form; a ballot made through the API may use any other.
ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Berlin",
    "Europe/Rome",
    "Europe/Athens",
    "Europe/Istanbul",
    "Africa/Casablanca",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/Mexico_City",
    "America/New_York",
    "America/Toronto",
    "America/Bogota",
    "America/Lima",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
)
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def zone_choices(current: str) -> list[str]:
    return list(ZONES) if current in ZONES or not current else [current, *ZONES]


def parse_local(value: str, zone: str, label: str) -> datetime | None:
    """A `datetime-local` value read as a wall-clock time in `zone`, returned in UTC."""
    text = value.strip()
    if not text:
        return None
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(
            "The {label} “{value}” is not a date and time such as 2027-03-01T12:00.",
            label=label,
            value=text,
        ) from None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def local_value(moment: datetime | None, zone: str) -> str:
    """What a `datetime-local` input shows for a stored UTC time."""
    return moment.astimezone(ZoneInfo(zone)).strftime(LOCAL_FORMAT) if moment else ""


@dataclass
class BallotFields:
    """The ballot form as sent; `blank_allowed` is a checkbox (present when ticked)."""

    title: str = ""
    question: str = ""
    description: str = ""
    method: str = ""
    quorum: str = ""
    blank_allowed: str = ""
    timezone: str = ""
    candidacy_deadline: str = ""
    opens_at: str = ""
    closes_at: str = ""
    last_place_tie: str = "lot"  # exhaustive ballots: "lot" or "runoff"
    credential_authority: str = "offline"  # who makes the tokens: offline, server, server-mail
    registrar_party: str = ""
    title_fr: str = ""  # the title and question in French and in English, when given
    title_en: str = ""
    question_fr: str = ""
    question_en: str = ""

    @classmethod
    def blank(cls) -> BallotFields:
        return cls(method="plurality", blank_allowed="on", timezone="UTC", last_place_tie="lot")

    @classmethod
    def of(cls, ballot: Ballot) -> BallotFields:
        zone = ballot.timezone
        return cls(
            title=ballot.title,
            question=ballot.question,
            description=ballot.description,
            method=ballot.method,
            quorum=ballot.quorum or "",
            blank_allowed="on" if ballot.blank_allowed else "",
            timezone=zone,
            candidacy_deadline=local_value(ballot.candidacy_deadline, zone),
            opens_at=local_value(ballot.opens_at, zone),
            closes_at=local_value(ballot.closes_at, zone),
            last_place_tie=ballot.last_place_tie,
            credential_authority=ballot.credential_authority,
            registrar_party=ballot.registrar_party,
            title_fr=ballot.title_fr,
            title_en=ballot.title_en,
            question_fr=ballot.question_fr,
            question_en=ballot.question_en,
        )

    def form(self) -> BallotForm:
        """The service's form, or Invalid when a time or the zone cannot be read."""
        zone = self.timezone.strip() or "UTC"
        parse_zone(zone)
        return BallotForm(
            title=self.title,
            question=self.question,
            method=self.method,
            description=self.description,
            quorum=self.quorum or None,
            blank_allowed=bool(self.blank_allowed),
            timezone=zone,
            candidacy_deadline=parse_local(self.candidacy_deadline, zone, _("candidacy deadline")),
            opens_at=parse_local(self.opens_at, zone, _("opening time")),
            closes_at=parse_local(self.closes_at, zone, _("closing time")),
            last_place_tie=self.last_place_tie.strip() or "lot",
            credential_authority=self.credential_authority.strip() or "offline",
            registrar_party=self.registrar_party,
            title_fr=self.title_fr,
            title_en=self.title_en,
            question_fr=self.question_fr,
            question_en=self.question_en,
        )


@dataclass
class CityForm:
    name: str = ""
    country: str = ""
    region: str = ""
    contact_name: str = ""
    contact_email: str = ""

    @classmethod
    def of(cls, city: City) -> CityForm:
        return cls(city.name, city.country, city.region, city.contact_name, city.contact_email)

    def fields(self) -> CityFields:
        return actions.cities.fields_of(
            self.name, self.country, self.region, self.contact_name, self.contact_email
        )


@dataclass
class ReasonForm:
    """A lifecycle confirmation as sent: the reason (close, cancel) and the next round's
    times as `datetime-local` values in the ballot's zone."""

    reason: str = ""
    opens_at: str = ""
    closes_at: str = ""

    @classmethod
    def of(cls, form: Mapping[str, Any]) -> ReasonForm:
        """The text fields of a posted form (URL-encoded or multipart); a file is ignored."""

        def text(name: str) -> str:
            value = form.get(name, "")
            return value if isinstance(value, str) else ""

        return cls(text("reason"), text("opens_at"), text("closes_at"))


@dataclass
class LinksForm:
    valid_days: str = "60"
