"""The protocol's codes: every word the service writes into the event log, the manifests,
the tally records and the outcome lines, and that the pages, the CLI and the verifier
switch on.

They are `StrEnum`s, so a member is written as exactly the text it stands for (the bytes
hashed and signed do not change) while a misspelt member fails at import, not deep inside
a verifier run. They live in one module rather than beside each user because the server,
the pages, the people's tools and the verifier all read them, and because
`tests/unit/test_codes.py` pins every family against the docs in one place. The codes
that were already enums stay with the code that owns them: the lifecycle's `State` and
`Action` (`domain.lifecycle`), the counting `Method` (`domain.ballots`) and the
`CandidacyStatus` (`domain.candidacies`).

Reading a code from untrusted JSON (a bundle, a manifest, a tally record) goes through
`parse`, which turns an unknown word into a ValueError that names the family.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from inmc_vote.domain.lifecycle import Action


class EventAction(StrEnum):
    """The event log's actions other than the lifecycle's transitions (`Action`)."""

    CREATE = "create"
    EDIT = "edit"
    PORTAL_LINKS = "portal-links"
    PORTAL_LINK_REVOKED = "portal-link-revoked"
    CANDIDACY_SUBMITTED = "candidacy-submitted"
    CANDIDACY_UPDATED = "candidacy-updated"
    CANDIDACY_WITHDRAWN = "candidacy-withdrawn"
    CANDIDACY_ACCEPTED = "candidacy-accepted"
    CANDIDACY_REJECTED = "candidacy-rejected"
    TOKENS_ISSUED = "tokens-issued"
    ROLL_UPLOADED = "roll-uploaded"
    TOKENS_CANCELLED = "tokens-cancelled"
    CREDENTIAL_REVOKED = "credential-revoked"
    CREDENTIAL_ADDED = "credential-added"
    TRUSTEES_NAMED = "trustees-named"
    TRUSTEE_CERTIFICATE = "trustee-certificate"
    TRUSTEE_DEAL = "trustee-deal"
    TRUSTEE_KEY = "trustee-key"
    TRUSTEE_COMPLAINT = "trustee-complaint"
    CEREMONY_COMPLETE = "ceremony-complete"
    SHUFFLE_ADDED = "shuffle-added"
    DECRYPTION_ADDED = "decryption-added"
    MAIL_SENT = "mail-sent"  # messages sent or failed: city, kind, outcome (no secret)
    REMINDER_DUE = "reminder-due"  # a deadline's reminder claimed, so it is sent once


LoggedAction = Action | EventAction
"""What an event's `action` is: a lifecycle transition or one of the other actions."""


class ActorKind(StrEnum):
    """Who acted, the part of an event's `actor` before the colon (`kind:name`)."""

    ORGANISER = "organiser"  # only organisers act (the audit needs no account)
    CITY = "city"  # through its portal link
    SCHEDULE = "schedule"  # a transition the ballot's times made due
    TRUSTEE = "trustee"  # a trustee of the key ceremony, by its index, with its invitation


class CeremonyState(StrEnum):
    """Where a run of the trustees' key ceremony stands (`ceremonies.state`)."""

    OPEN = "open"  # waiting for certificates, deals or keys
    FAILED = "failed"  # a trustee complained: the organiser names the trustees again
    COMPLETE = "complete"  # every key is in: the election key is fixed
    REPLACED = "replaced"  # the organiser named the trustees again


class CeremonyMessage(StrEnum):
    """The messages a trustee sends in the key ceremony, in order (a complaint instead
    of a key), as the API's paths and the trustees' columns name them."""

    CERTIFICATE = "certificate"
    DEAL = "deal"
    KEY = "key"
    COMPLAINT = "complaint"


class VoteKind(StrEnum):
    """The one field besides `v` that a vote plaintext carries."""

    CHOICE = "choice"
    RANKING = "ranking"
    APPROVE = "approve"
    BLANK = "blank"


class VerdictKind(StrEnum):
    """What a ballot counts as: an outcome line's `outcome`."""

    COUNTED = "counted"
    BLANK = "blank"
    INVALID = "invalid"


class InvalidReason(StrEnum):
    """Why a ballot is set aside: an outcome line's `reason` (docs/counting.md)."""

    MALFORMED = "malformed"
    WRONG_KIND = "wrong-kind"
    UNKNOWN_CANDIDATE = "unknown-candidate"
    DUPLICATE_RANK = "duplicate-rank"
    DUPLICATE_APPROVAL = "duplicate-approval"
    EMPTY = "empty"
    BLANK_NOT_ALLOWED = "blank-not-allowed"


class RoundReason(StrEnum):
    """How a round of a count ended (`Round.reason`)."""

    MAJORITY = "majority"
    MOST_VOTES = "most-votes"
    STRONGEST_PATHS = "strongest-paths"
    LAST_REMAINING = "last-remaining"
    FEWEST_VOTES = "fewest-votes"
    LOT = "lot"
    NO_MAJORITY = "no-majority"
    TIE_RUNOFF = "tie-runoff"


class Outcome(StrEnum):
    """How a count ended (`Result.outcome`)."""

    ELECTED = "elected"
    NO_QUORUM = "no-quorum"
    NO_VALID_VOTES = "no-valid-votes"
    NEXT_ROUND = "next-round"


class LotPurpose(StrEnum):
    """What a lot settles: a tie for first place or for last place."""

    WINNER = "winner"
    ELIMINATE = "eliminate"


class RoundKind(StrEnum):
    """What a round of an exhaustive ballot is for (`rules.round_kind`, `next_round.kind`)."""

    REGULAR = "regular"
    LAST_PLACE_RUNOFF = "last-place-runoff"


class Custody(StrEnum):
    """Who holds a ballot's registrar key and makes its tokens (the manifest's
    `registrar.custody`): a named party offline (`inmc-vote tokens issue`), the server
    (the organiser downloads the letters), or the server mailing the letters itself (so
    the server and the mail relays see each token once, while it is sent)."""

    OFFLINE = "offline"
    SERVER = "server"
    SERVER_MAIL = "server-mail"


SERVER_MADE = frozenset({Custody.SERVER, Custody.SERVER_MAIL})
"""The custodies in which the server holds the registrar key and makes the tokens."""


class LastPlaceTie(StrEnum):
    """How an exhaustive ballot settles a tie for last place (`rules.last_place_tie`)."""

    LOT = "lot"
    RUNOFF = "runoff"


Code = TypeVar("Code", bound=StrEnum)


def parse(family: type[Code], value: object) -> Code:
    """`value` as a member of `family`; a ValueError naming the family and its words when
    it is none of them (or not a string), for a reader of untrusted JSON to report."""
    if isinstance(value, str):
        try:
            return family(value)
        except ValueError:
            pass
    words = ", ".join(member.value for member in family)
    raise ValueError(f"«{value}» is not a {_name(family)} (one of {words})")


def logged_action(value: object) -> LoggedAction:
    """An event's action: a lifecycle transition or another action, else a ValueError."""
    if isinstance(value, str):
        if value in Action._value2member_map_:
            return Action(value)
        if value in EventAction._value2member_map_:
            return EventAction(value)
    raise ValueError(f"«{value}» is not an event action")


def _name(family: type[StrEnum]) -> str:
    """ "RoundReason" -> "round reason", for messages."""
    name = family.__name__
    return "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()
