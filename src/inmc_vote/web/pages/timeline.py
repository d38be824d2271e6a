"""The event log told in plain words: who did what, and when.

The log stores machine details (action names, city slugs, JSON); people read
"City 1 withdrew its candidacy". The entries keep the hash so the organiser's page
can show the chain the auditors check.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from inmc_vote.db.models import BallotEvent, City
from inmc_vote.domain.codes import ActorKind, EventAction
from inmc_vote.domain.lifecycle import Action
from inmc_vote.web.i18n import _, ngettext
from inmc_vote.web.pages.words import N_, SETTING_WORDS


@dataclass(frozen=True)
class Entry:
    seq: int
    at: datetime
    who: str
    what: str
    hash_hex: str


@dataclass(frozen=True)
class Names:
    """City names by slug and by id, so that the log reads with names."""

    by_slug: dict[str, str]
    by_id: dict[int, str]

    @classmethod
    def of(cls, cities: Iterable[City]) -> Names:
        listed = list(cities)
        return cls({c.slug: c.name for c in listed}, {c.id: c.name for c in listed})

    def slug(self, slug: Any) -> str:
        return self.by_slug.get(str(slug), str(slug))


def who(actor: str, names: Names, *, show_emails: bool = False) -> str:
    """Who acted. An organiser is named by e-mail only on organiser pages: public pages say
    the role, never an address."""
    kind, _sep, name = actor.partition(":")
    if kind == ActorKind.ORGANISER:
        return _("Organiser %(email)s") % {"email": name} if show_emails else _("An organiser")
    if kind == ActorKind.CITY:
        return names.slug(name)
    if kind == ActorKind.SCHEDULE:
        return _("The schedule (automatic)")
    return actor


def _with_reason(text: str, data: dict[str, Any]) -> str:
    reason = str(data.get("reason") or "").strip()
    return f"{text} {_('Reason:')} {reason}" if reason else text


def _edit(data: dict[str, Any], names: Names) -> str:
    fields = ", ".join(_(SETTING_WORDS.get(key, key)) for key in data)
    return _("Changed the settings: %(fields)s.") % {"fields": fields}


def _freeze(data: dict[str, Any], names: Names) -> str:
    """Two sentences, each with its own count and so its own plural."""
    candidates = len(data.get("candidates", []))
    electors = int(data.get("electorate_size", 0))
    first = ngettext(
        "Froze the ballot with %(num)d candidate.",
        "Froze the ballot with %(num)d candidates.",
        candidates,
    ) % {"num": candidates}
    second = ngettext(
        "Its electorate is %(num)d city.", "Its electorate is %(num)d cities.", electors
    ) % {"num": electors}
    return f"{first} {second}"


def _open(data: dict[str, Any], names: Names) -> str:
    if data.get("due_at"):
        return _("Voting opened at its scheduled time.")
    return _("Opened voting.")


def _close(data: dict[str, Any], names: Names) -> str:
    if data.get("early"):
        return _with_reason(_("Closed voting early."), data)
    return _("Voting closed at its scheduled time.")


def _submitted(data: dict[str, Any], names: Names) -> str:
    city = names.slug(data.get("city"))
    if data.get("by_organiser"):
        return _("Recorded the candidacy of %(city)s, received by post.") % {"city": city}
    return _("%(city)s submitted its candidacy.") % {"city": city}


def _city_text(template: str) -> Callable[[dict[str, Any], Names], str]:
    def describe(data: dict[str, Any], names: Names) -> str:
        return _with_reason(_(template) % {"city": names.slug(data.get("city"))}, data)

    return describe


def _fixed(template: str) -> Callable[[dict[str, Any], Names], str]:
    return lambda data, names: _with_reason(_(template), data)


def _links(data: dict[str, Any], names: Names) -> str:
    n = int(data.get("cities", 0))
    return ngettext(
        "Made candidacy links for %(num)d member city.",
        "Made candidacy links for %(num)d member cities.",
        n,
    ) % {"num": n}


def _revoked(data: dict[str, Any], names: Names) -> str:
    city = names.by_id.get(int(data.get("city_id", 0)), str(data.get("city_id")))
    return _("Withdrew the candidacy link of %(city)s.") % {"city": city}


def _tokens(data: dict[str, Any], names: Names) -> str:
    n = int(data.get("roll_size", 0))
    return ngettext(
        "Issued the voting tokens: a roll of %(num)d credential.",
        "Issued the voting tokens: a roll of %(num)d credentials.",
        n,
    ) % {"num": n}


def _credential_revoked(data: dict[str, Any], names: Names) -> str:
    return _("Revoked the lost token %(fingerprint)s.") % {"fingerprint": data.get("fingerprint")}


def _credential_added(data: dict[str, Any], names: Names) -> str:
    return _("Issued the token %(fingerprint)s to replace %(replaces)s.") % {
        "fingerprint": data.get("fingerprint"),
        "replaces": data.get("replaces"),
    }


MAIL_KINDS: dict[str, str] = {
    "portal-link": N_("the candidacy links"),
    "token-letter": N_("the token letters"),
    "reminder-candidacy": N_("the reminders of the candidacy deadline"),
    "reminder-closing": N_("the reminders that voting closes"),
}


def _mail(data: dict[str, Any], names: Names) -> str:
    messages = [m for m in data.get("messages") or [] if isinstance(m, dict)]
    sent = sum(1 for m in messages if m.get("outcome") == "sent")
    unsent = ", ".join(str(m.get("city")) for m in messages if m.get("outcome") != "sent")
    kind = _(MAIL_KINDS.get(str(data.get("kind")), str(data.get("kind"))))
    if unsent:
        return _("E-mailed %(kind)s: %(sent)d sent; not sent to %(cities)s.") % {
            "kind": kind,
            "sent": sent,
            "cities": unsent,
        }
    return _("E-mailed %(kind)s: %(sent)d sent.") % {"kind": kind, "sent": sent}


def _reminder(data: dict[str, Any], names: Names) -> str:
    kind = _(MAIL_KINDS.get(str(data.get("reminder")), str(data.get("reminder"))))
    return _("Began sending %(kind)s.") % {"kind": kind}


# Keyed by the codes, looked up by the stored action's text (a StrEnum member is its text).
DESCRIBE: dict[str, Callable[[dict[str, Any], Names], str]] = {
    EventAction.CREATE: _fixed(N_("Created the ballot.")),
    EventAction.EDIT: _edit,
    Action.OPEN_CANDIDACIES: _fixed(N_("Opened the ballot for candidacies.")),
    Action.FREEZE: _freeze,
    Action.OPEN: _open,
    Action.CLOSE: _close,
    Action.CANCEL: _fixed(N_("Cancelled the ballot.")),
    EventAction.PORTAL_LINKS: _links,
    EventAction.TOKENS_ISSUED: _tokens,
    EventAction.CREDENTIAL_REVOKED: _credential_revoked,
    EventAction.CREDENTIAL_ADDED: _credential_added,
    EventAction.PORTAL_LINK_REVOKED: _revoked,
    EventAction.CANDIDACY_SUBMITTED: _submitted,
    EventAction.CANDIDACY_UPDATED: _city_text(N_("%(city)s updated its candidacy.")),
    EventAction.CANDIDACY_WITHDRAWN: _city_text(N_("%(city)s withdrew its candidacy.")),
    EventAction.CANDIDACY_ACCEPTED: _city_text(N_("Accepted the candidacy of %(city)s.")),
    EventAction.CANDIDACY_REJECTED: _city_text(N_("Rejected the candidacy of %(city)s.")),
    EventAction.MAIL_SENT: _mail,
    EventAction.REMINDER_DUE: _reminder,
}


def describe(event: BallotEvent, names: Names, *, show_emails: bool = False) -> Entry:
    data = json.loads(event.data)
    explain = DESCRIBE.get(event.action)
    what = explain(data, names) if explain else event.action
    return Entry(
        seq=event.seq,
        at=datetime.fromisoformat(event.at),
        who=who(event.actor, names, show_emails=show_emails),
        what=what,
        hash_hex=event.hash.hex(),
    )


def timeline(
    events: Iterable[BallotEvent], cities: Iterable[City], *, show_emails: bool = False
) -> list[Entry]:
    """The log in words; `show_emails` only for organisers' pages."""
    names = Names.of(cities)
    return [describe(event, names, show_emails=show_emails) for event in events]
