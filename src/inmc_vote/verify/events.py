"""The event log: its hash chain, the lost tokens it records (revocations and their
replacements, replayed against the roll), and its agreement with the rest of the bundle."""

from __future__ import annotations

from typing import Any

from inmc_vote.domain.codes import EventAction
from inmc_vote.domain.lifecycle import Action, State
from inmc_vote.domain.protocol import bundle, keys, roll_file
from inmc_vote.domain.protocol.credentials import RollLine, fingerprint, revocation_message
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.domain.protocol.events import Event, verify_chain
from inmc_vote.domain.protocol.manifest import Manifest
from inmc_vote.verify import worker
from inmc_vote.verify.bundle_file import BundleError
from inmc_vote.verify.context import Audit, Replay, Round
from inmc_vote.verify.report import Problems, plural

LIFECYCLE = frozenset(Action)
STATES = frozenset(State)
REPLACEABLE = (State.FROZEN, State.OPEN)
ISSUING = (EventAction.TOKENS_ISSUED, EventAction.ROLL_UPLOADED)  # both fix round 1's roll
CUSTODY_ISSUES = {
    "server": EventAction.TOKENS_ISSUED,
    "server-mail": EventAction.TOKENS_ISSUED,
    "offline": EventAction.ROLL_UPLOADED,
}


def check_events(audit: Audit) -> list[Event]:
    """The chain from the ballot's genesis, up to the count and head bundle.json names."""
    problems = Problems()
    triples: list[tuple[Event, bytes, bytes]] = []
    try:
        for number, line in enumerate(audit.bundle.lines(bundle.EVENTS), start=1):
            try:
                triples.append(bundle.read_event_line(line))
            except ValueError as error:
                problems.add(f"line {number:,}: {error}")
    except BundleError as error:
        problems.add(str(error))
    wrong = verify_chain(audit.ballot, triples)
    if wrong:
        problems.add(wrong)
    head = audit.head
    last = triples[-1][2] if triples else None
    if len(triples) != head.events_count or (triples and last != head.events_head):
        problems.add(
            f"bundle.json says {plural(head.events_count, 'event')} up to "
            f"{b64url(head.events_head)[:10]}…, the log has {len(triples):,}"
        )
    for event, _, _ in triples:
        if not bundle.TIME.fullmatch(event.at):
            problems.add(f"event {event.seq:,}'s time «{event.at}» is not a UTC time")
    audit.report.judged(
        "events",
        "event log",
        len(triples),
        problems,
        f"{plural(len(triples), 'event')}, each chained to the one before it from the "
        "ballot's genesis, up to the head bundle.json names.",
    )
    return [event for event, _, _ in triples]


def replay(audit: Audit, events: list[Event]) -> tuple[Replay, Problems]:
    """Walk the log once: the lifecycle (into `Replay`) and the lost tokens (checked
    here: each revocation and replacement registrar-signed, in a state that allows it)."""
    done = Replay()
    lost = Problems()
    pending: tuple[Event, str] | None = None  # a revocation waiting for its replacement
    for event in events:
        data = event.data
        if pending is not None and event.action != EventAction.CREDENTIAL_ADDED:
            lost.add(f"event {pending[0].seq:,} revokes a credential that is never replaced")
            pending = None
        if event.action in LIFECYCLE:
            done.events.append((event.action, data, _round_of(data, done.round)))
            if data.get("from") == done.state and data.get("to") in STATES:
                done.state = str(data["to"])
            else:
                done.state = str(data.get("to"))
                done.wrong.append(event.seq)
            if event.action == Action.NEXT_ROUND:
                done.round = _round_of(data, done.round + 1)
        elif event.action in ISSUING:
            done.tokens_issued = True
            done.events.append((event.action, data, done.round))
            done.issuances.append((event.action, data, event.seq, done.state, done.round))
        elif event.action == EventAction.TOKENS_CANCELLED:
            done.tokens_issued = False
            done.issuances.append((event.action, data, event.seq, done.state, done.round))
        elif event.action == EventAction.CREDENTIAL_REVOKED:
            pending = _revoke(audit, done, event, lost)
        elif event.action == EventAction.CREDENTIAL_ADDED:
            _add(audit, done, event, pending, lost)
            pending = None
        elif event.action in (EventAction.SHUFFLE_ADDED, EventAction.DECRYPTION_ADDED):
            done.mix.append((event.action, data))
    if pending is not None:
        lost.add(f"event {pending[0].seq:,} revokes a credential that is never replaced")
    return done, lost


def _round_of(data: dict[str, Any], default: int) -> int:
    value = data.get("round", default)
    return value if type(value) is int else default


def _revoke(audit: Audit, done: Replay, event: Event, lost: Problems) -> tuple[Event, str] | None:
    data = event.data
    try:
        pk = from_b64url(data["pk"])
        signature = from_b64url(data["registrar_sig"])
        stated = data["fingerprint"]
    except (KeyError, TypeError, ValueError):
        lost.add(f"event {event.seq:,} is not a revocation {{pk, fingerprint, registrar_sig}}")
        return None
    known = worker.roll_position(pk) >= 0 or pk in done.added
    if not done.tokens_issued or done.state not in REPLACEABLE:
        lost.add(f"event {event.seq:,} revokes a token while the ballot is {done.state}")
    if not known:
        lost.add(f"event {event.seq:,} revokes {fingerprint(pk)}, which is not on the roll")
    elif pk in done.revoked:
        lost.add(f"event {event.seq:,} revokes {fingerprint(pk)} a second time")
    if stated != fingerprint(pk):
        lost.add(f"event {event.seq:,} names the fingerprint {stated}, not {fingerprint(pk)}")
    if not keys.verify(audit.registrar, signature, revocation_message(audit.ballot, pk)):
        lost.add(f"event {event.seq:,}'s revocation is not signed by the registrar")
    done.revoked.setdefault(pk, (event.at, done.round))
    return event, fingerprint(pk)


def _add(
    audit: Audit, done: Replay, event: Event, pending: tuple[Event, str] | None, lost: Problems
) -> None:
    data = event.data
    try:
        line = RollLine(from_b64url(data["pk"]), from_b64url(data["sig"]))
        stated, replaces = data["fingerprint"], data["replaces"]
    except (KeyError, TypeError, ValueError):
        lost.add(f"event {event.seq:,} is not a new roll line {{pk, sig, fingerprint, replaces}}")
        return
    if pending is None or replaces != pending[1]:
        lost.add(
            f"event {event.seq:,} adds a credential that does not replace the one revoked "
            "just before it"
        )
    if worker.roll_position(line.pk) >= 0 or line.pk in done.added:
        lost.add(f"event {event.seq:,} adds {fingerprint(line.pk)}, already on the roll")
    if stated != fingerprint(line.pk):
        lost.add(f"event {event.seq:,} names the fingerprint {stated}, not its own")
    if not line.valid(audit.ballot, audit.registrar):
        lost.add(f"event {event.seq:,}'s new credential is not signed by the registrar")
    done.added.setdefault(line.pk, (event.at, done.round))


def report_lost_tokens(audit: Audit, done: Replay, lost: Problems) -> None:
    audit.report.judged(
        "lost-tokens",
        "lost tokens",
        len(done.revoked),
        lost,
        f"{plural(len(done.revoked), 'token')} revoked and replaced, each revocation and "
        "replacement signed by the registrar while the rules allowed it; the roll replays.",
    )


def check_agreement(audit: Audit, done: Replay) -> None:
    """What the log records (keys, manifests, seals, tallies, the state) is what the
    bundle holds, and the lifecycle replays transition by transition."""
    problems = Problems()
    if done.state != audit.head.state:
        problems.add(f"the log ends in state {done.state}, bundle.json says {audit.head.state}")
    rounds = {r.number: r for r in audit.rounds}
    first = rounds.get(1)
    freezes = [d for a, d, n in done.events if a == Action.FREEZE and n == 1]
    issued = [(a, d) for a, d, _, _, _ in done.issuances if a in ISSUING]
    nexts = {n: d for a, d, n in done.events if a == Action.NEXT_ROUND}
    for seq in done.wrong:
        problems.add(f"event {seq:,} does not go from the state the ballot was in")
    if first is not None:
        _agree_keys(audit, first.manifest, freezes, issued, problems)
        _agree_issuances(first, done, problems)
    for number, found in rounds.items():
        if number == 1:
            continue
        announced = nexts.get(number)
        if announced is None:
            problems.add(f"no next-round event announces round {number}")
            continue
        if not _names(announced.get("manifest_hash"), found.manifest_hash):
            problems.add(f"the next-round event names another manifest than round {number}'s")
    if set(nexts) - set(rounds):
        problems.add(f"the log opens rounds {sorted(set(nexts) - set(rounds))} not in the bundle")
    for number, found in rounds.items():
        _agree_round(found, [(a, d) for a, d, n in done.events if n == number], problems)
        _agree_mix(found, done, problems)
    audit.report.judged(
        "event-agreement",
        "event log agrees",
        len(done.events),
        problems,
        f"the lifecycle replays ({plural(len(done.events), 'transition')}, ending {done.state}); "
        "the log's keys, manifests, seals, shuffles, decryptions and tallies are the bundle's.",
    )


def _agree_issuances(first: Round, done: Replay, problems: Problems) -> None:
    """The tokens are issued, then each cancellation (frozen, before any opening) names
    the issuance just before it and is followed by another; the last issuance is the
    roll of record, round 1's manifest's; each issuance is the kind its custody allows."""
    expected = CUSTODY_ISSUES[first.manifest.registrar.custody.value]
    before: dict[str, Any] | None = None
    for action, data, seq, state, number in done.issuances:
        if action == EventAction.TOKENS_CANCELLED:
            if before is None:
                problems.add(f"event {seq:,} cancels an issuance that the log does not make")
            elif not (_same(data, before, "manifest_hash") and _same(data, before, "roll_hash")):
                problems.add(f"event {seq:,} cancels another issuance than the one before it")
            if state != State.FROZEN or number != 1:  # frozen in round 1: never opened
                problems.add(f"event {seq:,} cancels an issuance while the ballot is {state}")
            before = None
            continue
        if before is not None:
            problems.add(f"event {seq:,} issues the tokens again without cancelling the first")
        if action != expected:
            problems.add(
                f"event {seq:,} is a {action} event, but round 1's manifest says the "
                f"registrar's custody is {first.manifest.registrar.custody.value}"
            )
        before = data
    if before is None:
        problems.add("the log's last issuance of the tokens is cancelled, or there is none")
    else:
        if not _names(before.get("manifest_hash"), first.manifest_hash):
            problems.add("the last issuance of the tokens names another manifest than round 1's")
        if not _names(before.get("roll_hash"), first.manifest.roll.hash):
            problems.add("the last issuance of the tokens names another roll than the manifest's")


def _same(one: dict[str, Any], other: dict[str, Any], key: str) -> bool:
    try:
        return digest_of(one.get(key)) == digest_of(other.get(key))
    except (TypeError, ValueError):
        return False


def _names(stated: Any, digest: bytes | None) -> bool:
    """Whether an event's hash field is `digest`: in base64url (docs/protocol.md), or in
    hex, as the log wrote it before (hash-chained, those events keep their bytes)."""
    return digest is not None and stated in (b64url(digest), digest.hex())


def digest_of(text: Any) -> bytes:
    """A hash as an event writes it: base64url, or hex in a log written before (64
    characters, which a 32-byte hash in base64url never has)."""
    if isinstance(text, str) and len(text) == 64:
        return bytes.fromhex(text)
    return from_b64url(text)


def _agree_keys(
    audit: Audit,
    first: Manifest,
    freezes: list[dict[str, Any]],
    issued: list[tuple[str, dict[str, Any]]],
    problems: Problems,
) -> None:
    if len(freezes) != 1:
        problems.add(f"the log freezes round 1 {len(freezes)} times, not once")
        return
    made = freezes[0].get("keys") or {}
    stated = first.keys
    registrar = made.get("registrar")
    for action, data in issued:
        if action == EventAction.ROLL_UPLOADED:
            if data.get("replaced_registrar") != registrar:
                problems.add("the roll-uploaded event replaces another registrar key")
            registrar = data.get("registrar")
            _agree_roll_file(audit, data, problems)
    if (made.get("authority"), registrar, made.get("election")) != (
        b64url(stated.authority),
        b64url(stated.registrar),
        b64url(stated.election),
    ):
        problems.add("the keys fixed at freeze are not round 1's manifest's")
    if freezes[0].get("credential_authority") != first.registrar.to_json():
        problems.add("the registrar's custody fixed at freeze is not round 1's manifest's")
    trustees = first.trustees
    if freezes[0].get("trustees") != {
        "ceremony": trustees.ceremony,
        "threshold": trustees.threshold,
    }:
        problems.add("the ceremony fixed at freeze is not the one round 1's manifest names")


def _agree_roll_file(audit: Audit, data: dict[str, Any], problems: Problems) -> None:
    """An offline roll: its registrar signed the roll's hash (docs/protocol.md)."""
    try:
        registrar = from_b64url(data["registrar"])
        signature = from_b64url(data["roll_signature"])
        roll_hash = digest_of(data["roll_hash"])
    except (KeyError, TypeError, ValueError):
        problems.add("the roll-uploaded event is not readable")
        return
    if not keys.verify(registrar, signature, roll_file.signed_message(audit.ballot, roll_hash)):
        problems.add("the uploaded roll is not signed by the offline registrar")


def _agree_mix(found: Round, done: Replay, problems: Problems) -> None:
    """Each shuffle and decryption the log announced is the bundle's file (by its hash),
    in the same order, and nothing else: the shuffles once the round is sealed, the
    decryptions once its results are published (they are never exported before: any t
    of them reveal the votes)."""
    if found.record is None and not found.shuffle_refs and not found.decryption_refs:
        return  # the mix is checked with the round's published results
    said = [(a, d) for a, d in done.mix if d.get("round") == found.number]
    shuffles = [
        (d.get("index"), d.get("trustee"), d.get("hash"))
        for a, d in said
        if a == EventAction.SHUFFLE_ADDED
    ]
    decryptions = sorted(
        (d.get("trustee"), d.get("hash")) for a, d in said if a == EventAction.DECRYPTION_ADDED
    )
    if shuffles != [(k, who, b64url(h)) for k, who, h in found.shuffle_refs]:
        problems.add(f"the shuffles the log announced for {found.name} are not the bundle's")
    if found.record is not None and decryptions != [
        (who, b64url(h)) for who, h in found.decryption_refs
    ]:
        problems.add(f"the decryptions the log announced for {found.name} are not the bundle's")


def _agree_round(found: Any, events: list[tuple[str, dict[str, Any]]], problems: Problems) -> None:
    closes = [d["seal"] for a, d in events if a == Action.CLOSE and "seal" in d]
    name = found.name
    if found.seal is None:
        if closes:
            problems.add(f"the log seals {name}, the bundle has no seal for it")
    elif [_seal_json(found.seal)] != closes:
        problems.add(f"{name}'s seal is not the one the log recorded at closing")
    tallies = [d for a, d in events if a == Action.TALLY]
    published = [d for a, d in events if a == Action.PUBLISH]
    if found.record is None:
        if published:
            problems.add(f"the log publishes {name}'s results, the bundle has no tally for it")
        return
    digest = b64url(found.record_hash)
    if [d.get("tally") for d in tallies] != [digest]:
        problems.add(f"{name}'s tally record is not the one the log recorded at the tally")
    if [d.get("tally") for d in published] != [digest]:
        problems.add(f"{name}'s tally record is not the one the log recorded as published")
    result = found.record.get("result") or {}
    for data in tallies:  # the outcome, when the log states it, is the record's
        stated = {k: data[k] for k in ("outcome", "winner") if k in data}
        if any(result.get(k) != v for k, v in stated.items()):
            problems.add(f"the log's tally of {name} names another outcome than the record")


def _seal_json(seal: bundle.SealFile) -> dict[str, Any]:
    return {
        "count": seal.count,
        "head": b64url(seal.head),
        "closed_at": seal.closed_at,
        "signature": b64url(seal.signature),
    }
