"""Issuing the tokens is recoverable (issue 11, item 3): an issuance that no voter can have
used (the ballot never opened) is cancelled with a reason, and the tokens are issued
again; the verifier replays both, the last issuance being the roll of record."""

from __future__ import annotations

from typing import Any

import pytest

from inmc_vote.domain.lifecycle import Action
from inmc_vote.verify import verify
from tests import factories as f
from tests.integration.test_offline_tokens import OFFLINE, make_roll, upload
from tests.voting_helpers import tokens_from_zip

# storage-specific: the roll and manifest deleted, or a refusal that stores nothing
pytestmark = pytest.mark.both_databases

BALLOTS = "/api/v1/ballots"


def cancel(client: f.Client, key: dict[str, str], ballot_id: str, reason: str) -> Any:
    return client.post(f"{BALLOTS}/{ballot_id}/tokens/cancel", json={"reason": reason}, headers=key)


def frozen(client: f.Client, clock: Any, **overrides: Any) -> tuple[str, dict[str, str]]:
    key = f.bearer(f.account(client, clock))
    made, _ = f.ready_to_freeze(client, clock, n_cities=4, **overrides)
    f.act(client, clock, made.id, Action.FREEZE)
    return made.id, key


def verified(client: f.Client, ballot_id: str, tmp_path: Any) -> Any:
    bundle = tmp_path / f"{ballot_id}.zip"
    bundle.write_bytes(client.get(f"{BALLOTS}/{ballot_id}/audit").content)
    return verify(bundle, jobs=1)


def test_cancel_a_lost_download_and_issue_again(client, clock, tmp_path) -> None:
    ballot_id, key = frozen(client, clock)
    first = client.post(f"{BALLOTS}/{ballot_id}/tokens", headers=key)
    assert first.status_code == 201  # ... and the client timed out: the letters are lost
    old = client.get(f"{BALLOTS}/{ballot_id}").json()["manifest_hash"]
    assert "issued once" in f.problem(
        client.post(f"{BALLOTS}/{ballot_id}/tokens", headers=key), 409
    )

    answer = cancel(client, key, ballot_id, "the download was interrupted")
    assert answer.status_code == 200, answer.text
    assert answer.json()["manifest_hash"] == old
    assert client.get(f"{BALLOTS}/{ballot_id}/roll").content == b""
    assert client.get(f"{BALLOTS}/{ballot_id}/manifest").status_code == 404
    event = client.get(f"{BALLOTS}/{ballot_id}/events").json()[-1]
    assert event["action"] == "tokens-cancelled"
    assert event["data"]["reason"] == "the download was interrupted"

    again = client.post(f"{BALLOTS}/{ballot_id}/tokens", headers=key)
    assert again.status_code == 201, again.text
    assert len(tokens_from_zip(again.content)) == 4
    assert client.get(f"{BALLOTS}/{ballot_id}").json()["manifest_hash"] != old
    report = verified(client, ballot_id, tmp_path)
    assert report.ok, report.text()


def test_an_offline_roll_cancelled_and_uploaded_again(client, clock, tmp_path) -> None:
    ballot_id, key = frozen(client, clock, **OFFLINE)
    _, first, _ = make_roll(ballot_id, 4)
    assert upload(client, key, ballot_id, first.to_json()).status_code == 201
    assert cancel(client, key, ballot_id, "Porto lost the letters").status_code == 200
    _, second, _ = make_roll(ballot_id, 4)
    assert upload(client, key, ballot_id, second.to_json()).status_code == 201
    report = verified(client, ballot_id, tmp_path)
    assert report.ok, report.text()


def test_refusals_store_nothing(client, clock) -> None:
    ballot_id, key = frozen(client, clock)
    before = f.snapshot_of(client)
    assert "no issuance to cancel" in f.problem(cancel(client, key, ballot_id, "why"), 409)
    assert f.snapshot_of(client) == before
    rows = f.issue_tokens(client, clock, ballot_id)
    before = f.snapshot_of(client)
    assert "needs a reason" in f.problem(cancel(client, key, ballot_id, "  "), 422)
    assert f.snapshot_of(client) == before
    assert cancel(client, {}, ballot_id, "why").status_code == 401
    assert f.snapshot_of(client) == before
    lost = client.post(
        f"{BALLOTS}/{ballot_id}/credentials/{rows[0].fingerprint}/revoke", headers=key
    )
    assert lost.status_code == 201
    before = f.snapshot_of(client)
    assert "already replaced" in f.problem(cancel(client, key, ballot_id, "why"), 409)
    assert f.snapshot_of(client) == before


def test_no_cancel_once_voting_opened(client, clock) -> None:
    ballot_id, key = frozen(client, clock)
    f.issue_tokens(client, clock, ballot_id)
    clock.advance(days=3)  # past opens_at: the clock opens it
    before = f.snapshot_of(client)
    detail = f.problem(cancel(client, key, ballot_id, "too late"), 409)
    assert "only before voting first opens" in detail
    assert f.snapshot_of(client) == before


def test_the_organiser_page_offers_to_cancel_and_issue_again(client, clock) -> None:
    ballot_id, _ = frozen(client, clock)
    f.issue_tokens(client, clock, ballot_id)
    made = f.account(client, clock, "pages@example.org")
    f.sign_in(client, "pages@example.org", made.password)
    page = client.get(f"/organiser/ballots/{ballot_id}").text
    assert "If the download of the letters failed or was interrupted" in page
    assert "Cancel this issuance and issue again" in page
    headers = f.csrf_headers(client)
    refused = client.post(
        f"/organiser/ballots/{ballot_id}/tokens/cancel", data={"reason": ""}, headers=headers
    )
    assert refused.status_code == 422
    assert "needs a reason" in refused.text
    done = client.post(
        f"/organiser/ballots/{ballot_id}/tokens/cancel",
        data={"reason": "the download was interrupted"},
        headers=headers,
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert "The issuance was cancelled" in done.text
    assert "Issue the tokens" in done.text
