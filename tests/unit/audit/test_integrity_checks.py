"""The verifier's checks against a dishonest operator (issue 11): the electorate published
at freeze against the roll (ghost voters), the registrar's custody, and cancelled
issuances replayed. Each lie fails exactly its check."""

from __future__ import annotations

import dataclasses
from typing import Any

from inmc_vote.domain.codes import Custody
from inmc_vote.domain.protocol import credentials, manifest
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.protocol.events import Event
from tests.unit.audit import builder
from tests.unit.audit.conftest import Verifier

LYON = {"v": 1, "choice": "lyon"}


def _detail(verifier: Verifier, model: builder.Model, code: str) -> str:
    return next(c.detail for c in verifier.report(model).checks if c.code == code)


def _patch_freeze(model: builder.Model, change: dict[str, Any]) -> None:
    def patch(events: list[Event]) -> None:
        for i, event in enumerate(events):
            if event.action == "freeze":
                events[i] = dataclasses.replace(event, data=event.data | change)

    model.event_patch = patch


def test_an_honest_electorate_passes_and_says_how_many_cities(verifier: Verifier) -> None:
    model = builder.honest([LYON, None, LYON], voters=3)
    report = verifier.report(model)
    assert report.ok, report.text()
    assert _detail(verifier, model, "electorate").startswith("3 eligible cities published")


def test_two_ghost_credentials_at_issuance_fail_the_electorate(verifier: Verifier) -> None:
    """Two credentials minted for no city: the roll and the manifests say 5, the freeze 3."""
    model = builder.honest([LYON, LYON, LYON, LYON, LYON], voters=5)
    model.electorate = model.electorate_list()[:3]
    assert verifier.failed(model) == {("electorate", None)}
    detail = _detail(verifier, model, "electorate")
    assert "the roll has 5 credentials for 3 eligible cities: 2 credentials that no city" in detail
    assert "round 1's manifest says 5 eligible cities" in detail


def test_an_electorate_not_matching_its_recorded_hash(verifier: Verifier) -> None:
    model = builder.honest()
    cities = model.electorate_list()
    swapped = [cities[0] | {"slug": "city-000"}, *cities[1:]]
    _patch_freeze(model, {"electorate": swapped})
    assert verifier.failed(model) == {("electorate", None)}
    assert "not the one whose hash it records" in _detail(verifier, model, "electorate")


def test_a_freeze_that_publishes_no_electorate(verifier: Verifier) -> None:
    model = builder.honest()

    def patch(events: list[Event]) -> None:
        for i, event in enumerate(events):
            if event.action == "freeze":
                data = {k: v for k, v in event.data.items() if k != "electorate"}
                events[i] = dataclasses.replace(event, data=data)

    model.event_patch = patch
    assert verifier.failed(model) == {("electorate", None)}


def test_a_revocation_without_its_replacement_leaves_a_city_without(verifier: Verifier) -> None:
    model = builder.honest([None, LYON, LYON], voters=3)
    new = builder.new_voter(model.ballot, model.registrar)
    model.replacements.append((0, new, builder.at(days=2, hours=1)))

    def patch(events: list[Event]) -> None:
        events[:] = [
            dataclasses.replace(e, seq=i)
            for i, e in enumerate((e for e in events if e.action != "credential-added"), 1)
        ]

    model.event_patch = patch
    failed = verifier.failed(model)
    assert ("electorate", None) in failed
    assert ("lost-tokens", None) in failed


def test_offline_custody_with_the_tokens_issued_by_the_server(verifier: Verifier) -> None:
    """The manifest says a party made the tokens offline, the log says the server did."""
    model = builder.honest()
    model.custody = manifest.Registrar(Custody.OFFLINE, "Porto")
    model.refix()
    assert verifier.failed(model) == {("event-agreement", None)}
    assert "custody is offline" in _detail(verifier, model, "event-agreement")


def test_a_freeze_that_named_another_custody(verifier: Verifier) -> None:
    model = builder.honest()
    _patch_freeze(model, {"credential_authority": {"custody": "server", "party": "Porto"}})
    assert verifier.failed(model) == {("event-agreement", None)}


def _cancelled(model: builder.Model) -> dict[str, Any]:
    """An earlier issuance of other credentials, as its event recorded it."""
    lines = [builder.new_voter(model.ballot, model.registrar).line for _ in model.voters]
    return {
        "roll_size": len(lines),
        "roll_hash": b64url(credentials.roll_hash(lines)),
        "manifest_hash": b64url(b"m" * 32),
    }


def test_a_cancelled_issuance_then_the_roll_of_record_passes(verifier: Verifier) -> None:
    model = builder.honest()
    model.cancelled = [_cancelled(model), _cancelled(model)]
    report = verifier.report(model)
    assert report.ok, report.text()


def test_a_cancellation_of_another_issuance(verifier: Verifier) -> None:
    model = builder.honest()
    model.cancelled = [_cancelled(model)]

    def patch(events: list[Event]) -> None:
        for i, event in enumerate(events):
            if event.action == "tokens-cancelled":
                other = event.data | {"roll_hash": b64url(b"x" * 32)}
                events[i] = dataclasses.replace(event, data=other)

    model.event_patch = patch
    assert verifier.failed(model) == {("event-agreement", None)}
    assert "cancels another issuance" in _detail(verifier, model, "event-agreement")


def test_the_roll_of_record_cancelled(verifier: Verifier) -> None:
    """A cancellation of the last issuance: no roll of record, however the bundle looks."""
    model = builder.honest(sealed=False)
    last = {
        "roll_size": len(model.voters),
        "roll_hash": b64url(credentials.roll_hash(model.roll_lines())),
        "manifest_hash": b64url(model.rounds[0].manifest_hash),
        "reason": "lost",
    }
    model.extra_events.append(
        (builder.at(days=2, minutes=2), builder.ORGANISER, "tokens-cancelled", last)
    )
    failed = verifier.failed(model)
    assert ("event-agreement", None) in failed
    assert "last issuance of the tokens is cancelled" in _detail(verifier, model, "event-agreement")


def test_a_cancellation_after_voting_opened(verifier: Verifier) -> None:
    model = builder.honest(sealed=False)
    last = {
        "roll_size": len(model.voters),
        "roll_hash": b64url(credentials.roll_hash(model.roll_lines())),
        "manifest_hash": b64url(model.rounds[0].manifest_hash),
        "reason": "lost",
    }
    model.extra_events.append((builder.at(days=4), builder.ORGANISER, "tokens-cancelled", last))
    detail = _detail(verifier, model, "event-agreement")
    assert "cancels an issuance while the ballot is open" in detail
