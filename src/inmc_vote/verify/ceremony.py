"""The trustees' key ceremony, replayed from the event log: the election key every
ballot is encrypted to is the one the trustees made together, and no one else holds
its secret. Every message is read with the domain's own readers (`ceremony.read_*`,
`ceremony.conclude`), the checks the server made when it took them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from inmc_vote.domain.codes import EventAction
from inmc_vote.domain.protocol import ceremony
from inmc_vote.domain.protocol.encoding import b64url, canonical_json
from inmc_vote.domain.protocol.events import Event
from inmc_vote.verify.context import Audit
from inmc_vote.verify.report import Problems, plural

MESSAGES = (
    EventAction.TRUSTEE_CERTIFICATE,
    EventAction.TRUSTEE_DEAL,
    EventAction.TRUSTEE_KEY,
    EventAction.TRUSTEE_COMPLAINT,
)


def check_ceremony(audit: Audit, events: Sequence[Event]) -> None:
    """The latest ceremony: the trustees the organiser named, their certificates, deals
    and keys (each read as the server read it), no complaint, the election key it
    concluded, and every round's manifest naming exactly that key and those trustees."""
    problems = Problems()
    concluded = _replay(audit, events, problems)
    for found in audit.rounds:
        if concluded is None:
            break
        stated = found.manifest
        if stated.keys.election != concluded.election_key:
            problems.add(f"{found.name}'s manifest names another election key")
        if canonical_json(stated.trustees.to_json()) != canonical_json(concluded.to_json()):
            problems.add(f"{found.name}'s manifest names other trustees than the ceremony's")
    n = concluded.n if concluded else 0
    t = concluded.threshold if concluded else 0
    audit.report.judged(
        "ceremony",
        "key ceremony",
        n,
        problems,
        f"{plural(n, 'trustee')}, any {t} of whom can decrypt: each certificate, deal and key "
        "signed and checked, each key share matching the deals' commitments, the election "
        "key their sum; every manifest names it.",
    )


def _replay(audit: Audit, events: Sequence[Event], problems: Problems) -> Any:
    named = [e for e in events if e.action == EventAction.TRUSTEES_NAMED]
    if not named:
        problems.add("the event log names no trustees")
        return None
    data = named[-1].data
    number, threshold = data.get("ceremony"), data.get("threshold")
    try:
        names = {int(m["index"]): str(m["name"]) for m in data["trustees"]}
    except (KeyError, TypeError, ValueError):
        problems.add("the trustees-named event cannot be read")
        return None
    if type(number) is not int or type(threshold) is not int:
        problems.add("the trustees-named event has no ceremony number or threshold")
        return None
    if sorted(names) != list(range(1, len(names) + 1)):
        problems.add("the trustees named are not numbered 1, 2, ... in order")
        return None
    sent = {a: [e.data for e in events if e.action == a and _of(e, number)] for a in MESSAGES}
    ballot = audit.ballot

    def each(action: EventAction, read: Callable[[Any], Any]) -> list[Any]:
        taken: dict[int, Any] = {}
        for message in sent[action]:
            try:
                value = read(message)
            except ValueError as error:  # CeremonyError is one
                problems.add(str(error))
                continue
            if value.trustee in taken:
                problems.add(f"trustee {value.trustee} sent two {action} messages")
            taken[value.trustee] = value
        return [taken[i] for i in sorted(taken)]

    certificates = each(
        EventAction.TRUSTEE_CERTIFICATE,
        lambda m: ceremony.read_certificate(
            m, ballot=ballot, ceremony=number, trustee=_who(m), name=names.get(_who(m))
        ),
    )
    if [c.trustee for c in certificates] != sorted(names):
        problems.add(
            f"ceremony {number} has certificates of trustees "
            f"{[c.trustee for c in certificates]}, not of the {len(names)} named"
        )
        return None
    deals = each(
        EventAction.TRUSTEE_DEAL,
        lambda m: ceremony.read_deal(
            m, ballot=ballot, ceremony=number, certificates=certificates, threshold=threshold
        ),
    )
    complaints = each(
        EventAction.TRUSTEE_COMPLAINT,
        lambda m: ceremony.read_complaint(
            m, ballot=ballot, ceremony=number, certificates=certificates
        ),
    )
    for complaint in complaints:
        problems.add(
            f"trustee {complaint.trustee} complained about trustee {complaint.about}'s deal: "
            f"ceremony {number} failed"
        )
    if len(deals) != len(names):
        problems.add(
            f"ceremony {number} has {plural(len(deals), 'deal')} for {len(names)} trustees"
        )
        return None
    keys = each(
        EventAction.TRUSTEE_KEY,
        lambda m: ceremony.read_key(
            m, ballot=ballot, ceremony=number, certificates=certificates, deals=deals
        ),
    )
    try:
        concluded = ceremony.conclude(certificates, deals, keys, threshold)
    except ValueError as error:
        problems.add(f"ceremony {number} did not conclude: {error}")
        return None
    completes = [
        e.data for e in events if e.action == EventAction.CEREMONY_COMPLETE and _of(e, number)
    ]
    if [c.get("election_key") for c in completes] != [b64url(concluded.election_key)]:
        problems.add(
            f"the log does not record ceremony {number}'s election key once, as it concluded"
        )
    return concluded


def _of(event: Event, number: int) -> bool:
    return event.data.get("ceremony") == number


def _who(message: Any) -> int:
    """The index a message claims (0 when it claims none: its reader then refuses it)."""
    trustee = message.get("trustee") if isinstance(message, dict) else None
    return trustee if type(trustee) is int else 0
