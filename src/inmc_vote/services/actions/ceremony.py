"""The trustees' key ceremony (docs/protocol.md, "Trustees"), one transaction per action.

The organiser names the trustees and the threshold (before freeze); each trustee gets an
invitation, shown once, whose SHA-256 alone is kept. Naming again starts the next
ceremony: the invitations of the one before stop working. Each trustee then sends, with
its invitation as a bearer secret, its certificate; once every certificate is in, its
deal; once every deal is in, its key, or a complaint that fails the ceremony. The last
key completes it: the election key is stored, and freeze may go ahead.

Every message is read by the domain's checks before anything is stored; a refusal names
the trustee and the failed check and stores nothing. The same message sent again is
answered as a success that changes nothing (a retry); a different one is refused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ceremony, Trustee
from inmc_vote.domain.codes import CeremonyMessage, CeremonyState, EventAction
from inmc_vote.domain.errors import Conflict, Forbidden, Invalid, Unauthorized
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.protocol import ceremony as protocol
from inmc_vote.domain.protocol.encoding import b64url, canonical_json
from inmc_vote.domain.protocol.invitations import new_invitation, read_invitation
from inmc_vote.domain.trustees import DEFAULT_THRESHOLD, check_trustees
from inmc_vote.services import actors
from inmc_vote.services.actors import Actor
from inmc_vote.services.steps import ceremony as steps
from inmc_vote.services.steps import event_log
from inmc_vote.services.steps.schedule import catch_up

NAMING_STATES = frozenset({State.DRAFT, State.CANDIDACIES})

_ACTIONS = {
    CeremonyMessage.CERTIFICATE: EventAction.TRUSTEE_CERTIFICATE,
    CeremonyMessage.DEAL: EventAction.TRUSTEE_DEAL,
    CeremonyMessage.KEY: EventAction.TRUSTEE_KEY,
    CeremonyMessage.COMPLAINT: EventAction.TRUSTEE_COMPLAINT,
}


@dataclass(frozen=True)
class NamedTrustee:
    index: int
    name: str
    invitation: str  # the bearer secret, shown once: only its hash is kept


@dataclass(frozen=True)
class Named:
    ballot_id: str
    ceremony: int
    threshold: int
    trustees: list[NamedTrustee]
    replaced: int | None  # the ceremony this one replaces


@dataclass(frozen=True)
class Received:
    """What a trustee's message did: `stored` is False for a retry of the same bytes."""

    ballot_id: str
    ceremony: int
    trustee: int
    message: CeremonyMessage
    stored: bool
    state: CeremonyState
    election_key: bytes | None


async def name_trustees(
    db: Database,
    actor: Actor,
    ballot_id: str,
    names: Sequence[str],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    now: datetime,
) -> Named:
    """Start a ceremony with these trustees (index = position from 1) and threshold."""
    cleaned = check_trustees(names, threshold)
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)
        if State(ballot.state) not in NAMING_STATES:
            raise Conflict(
                "The trustees are named before freeze; this ballot is {state}, and "
                "its votes are encrypted to the key its trustees made.",
                state=ballot.state,
            )
        before = await steps.latest(session, ballot_id)
        number = 1 if before is None else before.ceremony + 1
        if before is not None:
            before.state = CeremonyState.REPLACED
        session.add(
            Ceremony(
                ballot_id=ballot_id,
                ceremony=number,
                threshold=threshold,
                size=len(cleaned),
                state=CeremonyState.OPEN,
                election_key=None,
                created_at=now,
                completed_at=None,
            )
        )
        await session.flush()  # the trustees' foreign key needs the ceremony
        named: list[NamedTrustee] = []
        for index, name in enumerate(cleaned, start=1):
            invitation = new_invitation(number, index)
            session.add(
                Trustee(
                    ballot_id=ballot_id,
                    ceremony=number,
                    index=index,
                    name=name,
                    invitation_hash=invitation.hash,
                )
            )
            named.append(NamedTrustee(index, name, invitation.text))
        await event_log.record(
            session,
            ballot_id,
            actor,
            EventAction.TRUSTEES_NAMED,
            {
                "ceremony": number,
                "threshold": threshold,
                "trustees": [{"index": t.index, "name": t.name} for t in named],
            },
            now,
        )
        return Named(
            ballot_id, number, threshold, named, None if before is None else before.ceremony
        )


async def receive(
    db: Database,
    ballot_id: str,
    invitation: str,
    kind: CeremonyMessage,
    body: bytes,
    *,
    now: datetime,
) -> Received:
    """Take one trustee's message, checked; refuse it storing nothing otherwise."""
    try:
        claimed = read_invitation(invitation)
    except ValueError as error:
        raise Unauthorized.as_written(str(error)) from None
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)
        row = await steps.latest(session, ballot_id)
        trustees = [] if row is None else await steps.trustees_of(session, ballot_id, row.ceremony)
        trustee = next((t for t in trustees if t.invitation_hash == claimed.hash), None)
        if row is None or trustee is None:
            raise _unknown_invitation(claimed.ceremony, row)
        run = steps.read_run(ballot_id, row, trustees)
        value = _read_body(body, trustee, kind)
        data = canonical_json(value)
        stored = getattr(trustee, kind.value)
        if stored is not None:
            if stored == data:
                return _received(run, trustee, kind, stored=False)
            raise Conflict(
                "{who} already sent its {kind}, and a "
                "different one cannot replace it. Send the same file again, or ask the "
                "organiser to name the trustees again to start over.",
                who=_first_upper(steps.who(trustee)),
                kind=kind.value,
            )
        _check_phase(run, trustee, kind)
        _check_message(run, trustee, kind, value)
        setattr(trustee, kind.value, data)
        by = actors.trustee(trustee.index)
        await event_log.record(session, ballot_id, by, _ACTIONS[kind], value, now)
        if kind is CeremonyMessage.COMPLAINT:
            row.state = CeremonyState.FAILED
        elif kind is CeremonyMessage.KEY and all(t.key is not None for t in trustees):
            run = steps.read_run(ballot_id, row, trustees)
            concluded = protocol.conclude(run.certificates, run.deals, run.keys, run.threshold)
            row.state = CeremonyState.COMPLETE
            row.election_key = concluded.election_key
            row.completed_at = now
            await event_log.record(
                session,
                ballot_id,
                by,
                EventAction.CEREMONY_COMPLETE,
                {"ceremony": row.ceremony, "election_key": b64url(concluded.election_key)},
                now,
            )
        await session.flush()
        return _received(run, trustee, kind, stored=True)


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _received(run: steps.Run, trustee: Trustee, kind: CeremonyMessage, *, stored: bool) -> Received:
    return Received(
        run.ballot_id,
        run.number,
        trustee.index,
        kind,
        stored,
        CeremonyState(run.row.state),
        run.row.election_key,
    )


def _unknown_invitation(claimed_ceremony: int, row: Ceremony | None) -> Exception:
    if row is not None and claimed_ceremony < row.ceremony:
        return Forbidden(
            "This invitation was for ceremony {claimed_ceremony}, which the organiser "
            "replaced by naming the trustees again (ceremony {ceremony} now): ask the "
            "organiser for your new invitation, and join again with a new key file.",
            claimed_ceremony=claimed_ceremony,
            ceremony=row.ceremony,
        )
    return Unauthorized(
        "This invitation is not known for this ballot: check the ballot and the "
        "invitation the organiser gave you (Authorization: Bearer <invitation>)."
    )


def _read_body(body: bytes, trustee: Trustee, kind: CeremonyMessage) -> dict[str, Any]:
    try:
        value = json.loads(body)
        canonical_json(value)  # refuses floats and what JSON cannot hold
    except (ValueError, TypeError):
        raise Invalid(
            "The {kind} from {who} is not JSON.", kind=kind.value, who=steps.who(trustee)
        ) from None
    if not isinstance(value, dict):
        raise Invalid(
            "The {kind} from {who} is not a JSON object.", kind=kind.value, who=steps.who(trustee)
        )
    return value


def _check_phase(run: steps.Run, trustee: Trustee, kind: CeremonyMessage) -> None:
    """409 when this message is not (or no longer) what the ceremony waits for."""
    phase = run.phase
    if phase is steps.Phase.FAILED:
        raise Conflict(
            "Ceremony {number} has failed (a trustee complained): the organiser names "
            "the trustees again to start a new one, with new invitations.",
            number=run.number,
        )
    if phase is steps.Phase.COMPLETE:
        raise Conflict(
            "Ceremony {number} is complete: it takes no more messages.", number=run.number
        )
    if kind is CeremonyMessage.DEAL and phase is steps.Phase.CERTIFICATES:
        raise Conflict(
            "Deals are sent once every certificate is in: still waiting for the "
            "certificate of {names}.",
            names=steps.names(run.missing("certificate")),
        )
    if kind in (CeremonyMessage.KEY, CeremonyMessage.COMPLAINT) and phase is not steps.Phase.KEYS:
        column = "certificate" if phase is steps.Phase.CERTIFICATES else "deal"
        raise Conflict(
            "Keys (and complaints) are sent once every deal is in: still waiting for the "
            "{column} of {names}.",
            column=column,
            names=steps.names(run.missing(column)),
        )
    if kind is CeremonyMessage.KEY and trustee.complaint is not None:
        raise Conflict(
            "{who} already complained: no key now.", who=_first_upper(steps.who(trustee))
        )
    if kind is CeremonyMessage.COMPLAINT and trustee.key is not None:
        raise Conflict("{who} already sent its key.", who=_first_upper(steps.who(trustee)))


def _check_message(
    run: steps.Run, trustee: Trustee, kind: CeremonyMessage, value: dict[str, Any]
) -> None:
    """The domain's reader of this kind of message, for this trustee; 422 naming the
    trustee and the failed check."""
    context: dict[str, Any] = {"ballot": run.ballot_id, "ceremony": run.number}
    try:
        if kind is CeremonyMessage.CERTIFICATE:
            read = protocol.read_certificate(
                value, trustee=trustee.index, name=trustee.name, **context
            )
            for other in run.certificates:
                for words in ("signing", "encryption"):
                    if getattr(other, f"{words}_key") == getattr(read, f"{words}_key"):
                        raise protocol.CeremonyError(
                            trustee.index,
                            "certificate",
                            f"its {words} key is trustee {other.trustee}'s",
                        )
        elif kind is CeremonyMessage.DEAL:
            protocol.read_deal(
                value,
                certificates=run.certificates,
                threshold=run.threshold,
                trustee=trustee.index,
                **context,
            )
        elif kind is CeremonyMessage.KEY:
            protocol.read_key(
                value,
                certificates=run.certificates,
                deals=run.deals,
                trustee=trustee.index,
                **context,
            )
        else:
            protocol.read_complaint(
                value, certificates=run.certificates, trustee=trustee.index, **context
            )
    except protocol.CeremonyError as error:
        raise Invalid(
            "Refused the {kind} sent with the invitation of {who}: {error}. Nothing was stored.",
            kind=kind.value,
            who=steps.who(trustee),
            error=error,
        ) from None
