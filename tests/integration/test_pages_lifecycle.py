"""Lifecycle buttons through their confirmation pages."""

from __future__ import annotations

import html
import re

import pytest

from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import queries
from tests import factories as f
from tests.databases import snapshot


def signed_in(client, clock) -> str:
    new = f.account(client, clock)
    f.sign_in(client, new.email, new.password)
    return client.cookies["csrftoken"]


def state_of(client, ballot_id: str) -> str:
    return f.call(client, queries.ballots.get_ballot, f.db(client), ballot_id).state


def test_confirmation_page_explains_then_the_post_performs(client, clock):
    token = signed_in(client, clock)
    made = f.ballot(client, clock)
    confirm = f"/organiser/ballots/{made.id}/confirm/open-candidacies"

    page = client.get(confirm)
    assert page.status_code == 200
    assert "Member cities can then submit" in page.text
    assert "Cannot be undone." in page.text
    assert "The ballot cannot go back to draft." in page.text
    assert 'name="reason"' not in page.text
    assert state_of(client, made.id) == "draft"  # the GET changed nothing

    done = client.post(confirm, data={"_csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == f"/organiser/ballots/{made.id}?done=open-candidacies"
    assert state_of(client, made.id) == "candidacies"
    after = client.get(done.headers["location"])
    assert "Done: the ballot is now “Open for candidacies”." in html.unescape(after.text)


def test_freeze_through_its_confirmation_page(client, clock):
    made, _ = f.ready_to_freeze(client, clock)
    token = signed_in(client, clock)

    page = client.get(f"/organiser/ballots/{made.id}/confirm/freeze")
    assert "become the candidates" in page.text
    frozen = client.post(
        f"/organiser/ballots/{made.id}/confirm/freeze", data={"_csrf_token": token}
    )
    assert frozen.status_code == 200
    assert state_of(client, made.id) == "frozen"
    assert "Frozen" in frozen.text

    again = client.post(f"/organiser/ballots/{made.id}/confirm/freeze", data={"_csrf_token": token})
    assert again.status_code == 409
    assert "The ballot is frozen: it cannot be frozen" in again.text


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_condition_of_the_action_shows_its_409_message(client, clock, settings):
    token = signed_in(client, clock)
    towns = f.member_cities(client, clock, 3)
    made = f.ballot(client, clock)
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    for town in towns[:2]:
        f.candidacy(client, clock, made.id, town, accept=True)
    before = snapshot(settings.database_url)

    early = client.post(f"/organiser/ballots/{made.id}/confirm/freeze", data={"_csrf_token": token})

    assert early.status_code == 409
    assert 'role="alert"' in early.text
    assert "has not passed: cities may still apply" in early.text
    assert snapshot(settings.database_url) == before


def test_an_action_the_state_does_not_allow_is_refused_up_front(client, clock):
    signed_in(client, clock)
    made = f.ballot(client, clock)
    page = client.get(f"/organiser/ballots/{made.id}/confirm/freeze")
    assert page.status_code == 409
    assert "The ballot is draft: it cannot be frozen; it can be opened for candidacies or" in (
        page.text
    )
    assert client.get(f"/organiser/ballots/{made.id}/confirm/explode").status_code == 404


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_cancel_needs_a_reason_and_keeps_what_was_typed(client, clock, settings):
    token = signed_in(client, clock)
    made = f.ballot(client, clock)
    confirm = f"/organiser/ballots/{made.id}/confirm/cancel"
    assert 'name="reason"' in client.get(confirm).text
    before = snapshot(settings.database_url)

    refused = client.post(confirm, data={"reason": "   ", "_csrf_token": token})
    assert refused.status_code == 422
    assert "Cancelling a ballot needs a reason" in refused.text
    assert snapshot(settings.database_url) == before

    cancelled = client.post(
        confirm, data={"reason": "The meetings are postponed", "_csrf_token": token}
    )
    assert cancelled.status_code == 200
    assert state_of(client, made.id) == "cancelled"
    public = client.get(f"/ballots/{made.id}").text
    assert "Cancelled the ballot. Reason: The meetings are postponed" in public


def test_too_long_reason_is_shown_again(client, clock):
    token = signed_in(client, clock)
    made = f.ballot(client, clock)
    reason = "x" * 2_001
    refused = client.post(
        f"/organiser/ballots/{made.id}/confirm/cancel",
        data={"reason": reason, "_csrf_token": token},
    )
    assert refused.status_code == 422
    assert "The reason is longer than 2000 characters." in refused.text
    assert f">{reason}</textarea>" in refused.text


def test_early_close_through_the_confirmation_page(client, clock):
    made, _ = f.ready_to_freeze(client, clock)
    f.act(client, clock, made.id, Action.FREEZE)
    f.issue_tokens(client, clock, made.id)  # a ballot opens only once its tokens are issued
    clock.advance(days=3)  # the scheduled opening has passed
    token = signed_in(client, clock)

    page = client.get(f"/organiser/ballots/{made.id}/confirm/close")
    assert page.status_code == 200
    said = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
    assert "Scheduled closing time: 31 January 2027, 10:00 (Europe/Paris, UTC+1)" in said
    assert re.search(r'<time class="local-time" datetime="2027-01-31T09:00:00\+00:00"', page.text)
    closed = client.post(
        f"/organiser/ballots/{made.id}/confirm/close",
        data={"reason": "Every city has voted", "_csrf_token": token},
    )
    assert closed.status_code == 200
    assert state_of(client, made.id) == "closed"
    assert "Closed voting early. Reason: Every city has voted" in closed.text


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_lifecycle_post_without_csrf_token_changes_nothing(client, clock, settings):
    signed_in(client, clock)
    made = f.ballot(client, clock)
    before = snapshot(settings.database_url)
    refused = client.post(f"/organiser/ballots/{made.id}/confirm/open-candidacies")
    assert refused.status_code == 403
    assert snapshot(settings.database_url) == before
    assert state_of(client, made.id) == "draft"
