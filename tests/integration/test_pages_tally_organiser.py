"""The organiser's tally, publication and next round through their confirmation pages,
on both databases: the tally waiting for the trustees (refused, nothing stored), the
next round's form (errors keep what was typed), and the ballot form's tie rule."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from inmc_vote.services import queries
from tests import factories as f
from tests.voting_helpers import (
    cast_all,
    lifecycle_call,
    manifest_of,
    mix_and_decrypt,
    open_ballot,
    shuffle_by,
    tallied_ballot,
)


def signed_in(client: f.Client, clock: Any) -> str:
    """Sign in as a second organiser (the ballot's helpers made the first); return the
    CSRF token that the forms carry."""
    new = f.account(client, clock, email="pages@example.org")
    f.sign_in(client, new.email, new.password)
    return client.cookies["csrftoken"]


def text(response: Any) -> str:
    return html.unescape(response.text)


def state_of(client: f.Client, ballot_id: str) -> tuple[str, int, bool]:
    found = f.call(client, queries.ballots.get_ballot, f.db(client), ballot_id)
    return found.state, found.round, found.published


def confirm(ballot_id: str, action: str) -> str:
    return f"/organiser/ballots/{ballot_id}/confirm/{action}"


def test_the_tally_and_the_publication_through_their_confirmation_pages(client, clock):
    ballot_id, key, rows = open_ballot(client, clock)
    manifest, _ = manifest_of(client, ballot_id)
    first = manifest["candidates"][0]
    cast_all(client, ballot_id, [r["token"] for r in rows], [{"choice": first["id"]}] * 3)
    lifecycle_call(client, key, ballot_id, "close", reason="Every city has voted.")
    mix_and_decrypt(client, ballot_id)
    token = signed_in(client, clock)

    ballot_page = client.get(f"/organiser/ballots/{ballot_id}")
    assert f'href="{confirm(ballot_id, "tally")}"' in ballot_page.text
    asked = client.get(confirm(ballot_id, "tally"))
    assert asked.status_code == 200
    assert "The server combines the trustees' decryptions" in text(asked)
    assert "The server holds no key that opens a ballot" in text(asked)
    assert "Waiting for" not in text(asked)
    assert 'type="file"' not in asked.text
    assert "Confirm: Count the votes" in asked.text

    counted = client.post(
        confirm(ballot_id, "tally"), data={"_csrf_token": token}, follow_redirects=False
    )
    assert counted.status_code == 303
    assert counted.headers["location"] == f"/ballots/{ballot_id}/results?done=tally"
    assert state_of(client, ballot_id) == ("tallied", 1, False)
    landed = client.get(counted.headers["location"])
    assert landed.status_code == 200
    assert "The votes are counted. Only organisers see these results" in landed.text
    assert f'<strong class="winner-name">{first["city"]}</strong>' in landed.text
    assert f'href="{confirm(ballot_id, "publish")}"' in landed.text
    summary = text(client.get(f"/organiser/ballots/{ballot_id}"))
    assert "The results are counted but not published: only organisers can read them." in summary
    assert f'href="/ballots/{ballot_id}/results"' in summary

    publish = client.get(confirm(ballot_id, "publish"))
    assert "The results of this round become public" in publish.text
    assert "Published results cannot be taken back" in publish.text
    assert publish.text.count("annot be undone") == 1  # said once, not twice in a row
    published = client.post(
        confirm(ballot_id, "publish"), data={"_csrf_token": token}, follow_redirects=False
    )
    assert published.headers["location"] == f"/ballots/{ballot_id}/results?done=publish"
    assert state_of(client, ballot_id) == ("tallied", 1, True)
    assert "The results are published: everyone can read this page now." in text(
        client.get(published.headers["location"])
    )
    client.cookies.clear()
    assert client.get(f"/ballots/{ballot_id}/results").status_code == 200


def test_tallying_before_the_close_is_refused_up_front(client, clock):
    ballot_id, _key, _rows = open_ballot(client, clock)
    token = signed_in(client, clock)
    assert client.get(confirm(ballot_id, "tally")).status_code == 409
    refused = client.post(confirm(ballot_id, "tally"), data={"_csrf_token": token})
    assert refused.status_code == 409
    assert "The ballot is open: it cannot be tallied" in text(refused)


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_the_tally_page_names_the_trustees_it_waits_for(client, clock):
    ballot_id, key, rows = open_ballot(client, clock)
    manifest, _ = manifest_of(client, ballot_id)
    cast_all(client, ballot_id, [r["token"] for r in rows], [{"blank": True}] * 2)
    lifecycle_call(client, key, ballot_id, "close", reason="Every city has voted.")
    token = signed_in(client, clock)
    shuffle_by(client, ballot_id, 1)
    asked = text(client.get(confirm(ballot_id, "tally")))
    names = [m["name"] for m in manifest["trustees"]["members"]]
    assert f"Waiting for a shuffle from 1 more trustee: any of {names[1]}, {names[2]}." in asked
    before = f.snapshot_of(client)
    refused = client.post(confirm(ballot_id, "tally"), data={"_csrf_token": token})
    assert refused.status_code == 409
    assert "Waiting for a shuffle from 1 more trustee" in text(refused)
    assert f.snapshot_of(client) == before


def exhaustive_round_one(client: f.Client, clock: Any) -> tuple[str, dict[str, str], dict]:
    """An exhaustive ballot whose first round eliminated the third city."""
    t = tallied_ballot(
        client,
        clock,
        lambda ids: [{"choice": x} for x in (ids[0], ids[0], ids[1], ids[1], ids[2])],
        method="exhaustive",
        timezone="America/New_York",
    )
    return t.ballot_id, t.key, t.names


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_the_next_round_page_says_who_goes_on_and_keeps_what_was_typed(client, clock):
    ballot_id, key, names = exhaustive_round_one(client, clock)
    a, b, c = names.values()
    token = signed_in(client, clock)

    early = text(client.get(confirm(ballot_id, "next-round")))
    assert "Round 1's results are not published yet: publish them first" in early
    lifecycle_call(client, key, ballot_id, "publish")

    page = client.get(confirm(ballot_id, "next-round"))
    said = text(page)
    assert page.status_code == 200
    assert "No city has more than half the votes, so the cities vote again." in said
    assert f"Round 1: {c} has the fewest votes (1): eliminated." in said
    assert f"Next: a round of voting between {a} and {b}." in said
    assert f"<li>{a}</li>" in said
    assert f"<li>{b}</li>" in said
    assert f"<li>{c}</li>" not in said
    assert "not published yet" not in said
    assert 'name="closes_at"' in page.text
    assert 'name="opens_at"' in page.text
    assert "In the ballot's time zone, America/New_York." in said

    before = f.snapshot_of(client)
    past = client.post(
        confirm(ballot_id, "next-round"),
        data={"_csrf_token": token, "closes_at": "2020-01-01T10:00", "opens_at": ""},
    )
    assert past.status_code == 422
    assert "has already passed" in text(past)
    assert 'value="2020-01-01T10:00"' in past.text
    garbled = client.post(
        confirm(ballot_id, "next-round"),
        data={"_csrf_token": token, "closes_at": "next Friday", "opens_at": "2027-02-01T09:00"},
    )
    assert garbled.status_code == 422
    assert "The closing time “next Friday” is not a date and time" in text(garbled)
    assert 'value="next Friday"' in garbled.text
    assert 'value="2027-02-01T09:00"' in garbled.text
    assert f.snapshot_of(client) == before
    assert state_of(client, ballot_id) == ("tallied", 1, True)

    closes_at = clock() + timedelta(days=3)
    closes = closes_at.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%dT%H:%M")
    moved = client.post(
        confirm(ballot_id, "next-round"),
        data={"_csrf_token": token, "closes_at": closes, "opens_at": ""},
        follow_redirects=False,
    )
    assert moved.status_code == 303, moved.text
    assert moved.headers["location"] == f"/organiser/ballots/{ballot_id}?done=next-round"
    assert state_of(client, ballot_id) == ("frozen", 2, False)
    manifest, _ = manifest_of(client, ballot_id)
    assert [x["city"] for x in manifest["candidates"]] == [a, b]
    assert manifest["closes_at"] == closes_at.strftime("%Y-%m-%dT%H:%M:00.000Z")
    after = text(client.get(moved.headers["location"]))
    assert "Round 2 of voting; the earlier rounds' results are published." in after


def test_the_ballot_form_offers_the_rule_for_a_tie_for_last_place(client, clock):
    token = signed_in(client, clock)
    form = client.get("/organiser/ballots/new")
    assert 'name="last_place_tie" type="radio" value="lot" checked' in form.text
    assert 'value="runoff"' in form.text
    made = client.post(
        "/organiser/ballots/new",
        data={
            "title": "Host city 2031",
            "question": "Which city hosts 2031?",
            "method": "exhaustive",
            "blank_allowed": "on",
            "timezone": "Europe/Paris",
            "candidacy_deadline": "2027-02-01T18:00",
            "closes_at": "2027-04-01T09:00",
            "last_place_tie": "runoff",
            "_csrf_token": token,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    ballot_id = made.headers["location"].split("/")[3].split("?")[0]
    assert (
        f.call(client, queries.ballots.get_ballot, f.db(client), ballot_id).last_place_tie
        == "runoff"
    )
    edit = client.get(f"/organiser/ballots/{ballot_id}/edit")
    assert 'name="last_place_tie" type="radio" value="runoff" checked' in edit.text
    wrong = client.post(
        f"/organiser/ballots/{ballot_id}/edit",
        data={
            "title": "Host city 2031",
            "question": "Which city hosts 2031?",
            "method": "exhaustive",
            "timezone": "Europe/Paris",
            "closes_at": "2027-04-01T09:00",
            "last_place_tie": "coin",
            "_csrf_token": token,
        },
    )
    assert wrong.status_code == 422
    assert "«coin» is not a rule for a tie for last place" in text(wrong)
