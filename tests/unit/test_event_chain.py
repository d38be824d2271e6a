"""domain/protocol/events.py: the event log's hash chain, and that tampering is detected."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from inmc_vote.domain.protocol.encoding import canonical_json, labelled, sha256, u64
from inmc_vote.domain.protocol.events import Event, genesis, verify_chain

BALLOT = "k7hq2mxw9pzr"
Entry = tuple[Event, bytes, bytes]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
event_fields = st.tuples(
    st.text(max_size=10),  # actor
    st.sampled_from(["create", "open-candidacies", "freeze", "open", "close", "cancel"]),
    st.dictionaries(st.text(max_size=5), json_values, max_size=3),
)


def chain(ballot_id: str, fields: list[tuple[str, str, dict[str, Any]]]) -> list[Entry]:
    entries: list[Entry] = []
    prev = genesis(ballot_id)
    for seq, (actor, action, data) in enumerate(fields, start=1):
        event = Event(seq, f"2027-01-11T09:00:{seq % 60:02d}.000Z", actor, action, data)
        digest = event.chain_hash(prev)
        entries.append((event, prev, digest))
        prev = digest
    return entries


def test_the_hash_is_the_documented_bytes() -> None:
    event = Event(1, "2027-01-11T09:00:00.000Z", "organiser:a@b.org", "create", {"title": "T"})
    body = canonical_json(
        {
            "seq": 1,
            "at": "2027-01-11T09:00:00.000Z",
            "actor": "organiser:a@b.org",
            "action": "create",
            "data": {"title": "T"},
        }
    )
    assert event.body() == body
    first = genesis(BALLOT)
    assert first == sha256(b"inmc-vote/event-log/v1\x00" + BALLOT.encode())
    assert event.chain_hash(first) == sha256(labelled("inmc-vote/event/v1"), first, u64(1), body)


def test_genesis_depends_on_the_ballot() -> None:
    assert genesis("a") != genesis("b")


def test_an_empty_log_verifies() -> None:
    assert verify_chain(BALLOT, []) is None


@given(st.lists(event_fields, min_size=1, max_size=6))
def test_an_untouched_chain_verifies(fields: list[tuple[str, str, dict[str, Any]]]) -> None:
    assert verify_chain(BALLOT, chain(BALLOT, fields)) is None


@given(st.lists(event_fields, min_size=1, max_size=4))
def test_a_chain_belongs_to_its_ballot(fields: list[tuple[str, str, dict[str, Any]]]) -> None:
    assert verify_chain("anotherballot", chain(BALLOT, fields)) == (
        "entry 1 does not follow entry 0"
    )


def tamper(entry: Entry, what: str, data: st.DataObject) -> Entry:
    event, prev, digest = entry
    if what == "seq":
        seq = data.draw(st.integers(min_value=0, max_value=2**40).filter(lambda s: s != event.seq))
        return replace(event, seq=seq), prev, digest
    if what == "prev":
        return (
            event,
            data.draw(st.binary(min_size=32, max_size=32).filter(lambda b: b != prev)),
            digest,
        )
    if what == "hash":
        return (
            event,
            prev,
            data.draw(st.binary(min_size=32, max_size=32).filter(lambda b: b != digest)),
        )
    if what == "at":
        at = data.draw(st.text(max_size=30).filter(lambda a: a != event.at))
        return replace(event, at=at), prev, digest
    if what == "actor":
        actor = data.draw(st.text(max_size=10).filter(lambda a: a != event.actor))
        return replace(event, actor=actor), prev, digest
    if what == "action":
        action = data.draw(st.text(max_size=10).filter(lambda a: a != event.action))
        return replace(event, action=action), prev, digest
    # data: a changed, added or removed detail, possibly one that is not canonical JSON
    new = data.draw(
        st.dictionaries(st.text(max_size=5), json_values | st.floats(), max_size=3).filter(
            lambda d: d != event.data
        )
    )
    return replace(event, data=new), prev, digest


@given(
    st.lists(event_fields, min_size=1, max_size=5),
    st.sampled_from(["seq", "prev", "hash", "at", "actor", "action", "data"]),
    st.data(),
)
def test_any_tampering_is_detected(
    fields: list[tuple[str, str, dict[str, Any]]], what: str, data: st.DataObject
) -> None:
    entries = chain(BALLOT, fields)
    index = data.draw(st.integers(min_value=0, max_value=len(entries) - 1))
    entries[index] = tamper(entries[index], what, data)
    problem = verify_chain(BALLOT, entries)
    assert problem is not None
    assert problem.startswith(f"entry {index + 1} ")


@given(st.lists(event_fields, min_size=2, max_size=5), st.data())
def test_removing_or_reordering_entries_is_detected(
    fields: list[tuple[str, str, dict[str, Any]]], data: st.DataObject
) -> None:
    entries = chain(BALLOT, fields)
    index = data.draw(st.integers(min_value=0, max_value=len(entries) - 2))
    if data.draw(st.booleans()):
        del entries[index]
    else:
        entries[index], entries[index + 1] = entries[index + 1], entries[index]
    assert verify_chain(BALLOT, entries) == f"entry {index + 1} carries seq {index + 2}"


def test_a_float_slipped_into_the_data_is_reported_not_raised() -> None:
    (entry,) = chain(BALLOT, [("organiser:a", "create", {"quorum": "1/2"})])
    event, prev, digest = entry
    forged = replace(event, data={"quorum": 0.5})
    assert verify_chain(BALLOT, [(forged, prev, digest)]) == "entry 1 is not canonical JSON"
