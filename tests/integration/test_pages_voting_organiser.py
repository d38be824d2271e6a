"""The organiser's voting pages: issue the tokens (once, as a ZIP), a lost token's
replacement, the trustees named at freeze, and opening before the tokens."""

from __future__ import annotations

import csv
import html
import io
import zipfile
from datetime import timedelta

from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions, queries
from tests import factories as f


def signed_in(client, clock) -> str:
    new = f.account(client, clock)
    f.sign_in(client, new.email, new.password)
    return client.cookies["csrftoken"]


def rows_of(content: bytes) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "letters.html" in archive.namelist()
        text = archive.read("tokens.csv").decode("utf-8-sig")  # with its BOM
        return list(csv.DictReader(io.StringIO(text)))


def frozen(client, clock):
    made, towns = f.ready_to_freeze(client, clock)
    f.act(client, clock, made.id, Action.FREEZE)
    return made, towns


def test_issue_the_tokens_once_through_the_confirmation_page(client, clock):
    made, towns = frozen(client, clock)
    token = signed_in(client, clock)

    manage = client.get(f"/organiser/ballots/{made.id}")
    assert f'href="/organiser/ballots/{made.id}/tokens"' in manage.text
    assert "Issue the tokens" in manage.text

    confirm = client.get(f"/organiser/ballots/{made.id}/tokens")
    assert confirm.status_code == 200
    assert "This download is the only copy." in confirm.text
    assert "The server keeps no token" in confirm.text
    assert f"each of the {len(towns)} eligible member cities" in confirm.text
    assert (
        f.call(client, queries.ballots.get_ballot, f.db(client), made.id).tokens_issued_at is None
    )

    issued = client.post(f"/organiser/ballots/{made.id}/tokens", data={"_csrf_token": token})
    assert issued.status_code == 200
    assert issued.headers["content-type"] == "application/zip"
    assert "attachment" in issued.headers["content-disposition"]
    assert issued.headers["cache-control"] == "no-store"
    rows = rows_of(issued.content)
    assert sorted(r["city"] for r in rows) == sorted(t.name for t in towns)
    assert all(r["token"].startswith(f"{made.id}.") for r in rows)

    after = html.unescape(client.get(f"/organiser/ballots/{made.id}").text)
    fingerprint = client.get(f"/api/v1/ballots/{made.id}").json()["fingerprint"]
    assert f"a roll of {len(towns)} credentials" in after
    assert fingerprint in after
    assert f'href="/organiser/ballots/{made.id}/tokens"' not in after
    assert "Lost token" in after

    again = client.post(f"/organiser/ballots/{made.id}/tokens", data={"_csrf_token": token})
    assert again.status_code == 409
    assert "they are issued once" in html.unescape(again.text)
    shown = html.unescape(client.get(f"/organiser/ballots/{made.id}/tokens").text)
    assert "The tokens were issued on" in shown
    assert fingerprint in shown
    assert "Confirm: issue the tokens" not in shown


def test_issuing_needs_the_organiser_and_its_csrf_token(client, clock):
    made, _ = frozen(client, clock)
    refused = client.get(f"/organiser/ballots/{made.id}/tokens", follow_redirects=False)
    assert refused.status_code in {302, 303, 401}
    signed_in(client, clock)
    forged = client.post(f"/organiser/ballots/{made.id}/tokens")
    assert forged.status_code == 403
    assert (
        f.call(client, queries.ballots.get_ballot, f.db(client), made.id).tokens_issued_at is None
    )


def test_lost_token_is_replaced_by_its_fingerprint(client, clock):
    made, _ = frozen(client, clock)
    token = signed_in(client, clock)
    rows = rows_of(
        client.post(f"/organiser/ballots/{made.id}/tokens", data={"_csrf_token": token}).content
    )
    lost = rows[0]["credential_fingerprint"]

    replaced = client.post(
        f"/organiser/ballots/{made.id}/lost-token",
        data={
            "_csrf_token": token,
            "fingerprint": lost.lower().replace("-", " "),
            "city": rows[0]["city"],
            "country": rows[0]["country"],
        },
    )
    assert replaced.status_code == 200
    assert replaced.headers["content-type"] == "application/zip"
    [letter] = rows_of(replaced.content)
    assert (letter["city"], letter["country"]) == (rows[0]["city"], rows[0]["country"])
    assert letter["credential_fingerprint"] != lost
    assert letter["token"].startswith(f"{made.id}.")

    log = html.unescape(client.get(f"/organiser/ballots/{made.id}").text)
    assert f"Revoked the lost token {lost}." in log
    assert f"to replace {lost}" in log

    again = client.post(
        f"/organiser/ballots/{made.id}/lost-token",
        data={"_csrf_token": token, "fingerprint": lost, "city": "Lyon"},
    )
    assert again.status_code == 409
    assert f"The credential {lost} is already revoked." in html.unescape(again.text)
    assert f'value="{lost}"' in again.text  # the form keeps what was typed

    unknown = client.post(
        f"/organiser/ballots/{made.id}/lost-token",
        data={"_csrf_token": token, "fingerprint": "0000-0000-0000-0000", "city": "Lyon"},
    )
    assert unknown.status_code == 404
    assert "No credential of this ballot has the fingerprint" in unknown.text


def test_the_freeze_page_names_the_trustees_and_what_losing_them_costs(client, clock):
    made, _ = f.ready_to_freeze(client, clock)  # with a 3-trustee, threshold-2 ceremony
    signed_in(client, clock)
    page = html.unescape(client.get(f"/organiser/ballots/{made.id}/confirm/freeze").text)
    assert "The trustees who hold the key" in page
    assert "Decryption needs 2 of these 3 trustees; if fewer than 2 keep their files" in page


def test_the_freeze_page_says_the_ceremony_comes_first(client, clock):
    made, _ = f.ready_to_freeze(client, clock, ceremony=False)
    token = signed_in(client, clock)
    confirm = f"/organiser/ballots/{made.id}/confirm/freeze"
    page = html.unescape(client.get(confirm).text)
    assert "The trustees' key ceremony is not complete" in page
    before = f.snapshot_of(client)
    refused = client.post(confirm, data={"_csrf_token": token})
    assert refused.status_code == 409
    assert "Name the trustees first" in html.unescape(refused.text)
    assert f.snapshot_of(client) == before


def test_open_explains_that_tokens_come_first(client, clock):
    made, _ = f.ready_to_freeze(client, clock)
    made = f.call(
        client,
        actions.ballots.edit_ballot,
        f.db(client),
        f.ORGANISER,
        made.id,
        f.ballot_form(
            clock,
            candidacy_deadline=clock() - timedelta(hours=1),
            opens_at=None,
            closes_at=clock() + timedelta(days=10),
        ),
        clock(),
    )
    f.act(client, clock, made.id, Action.FREEZE)
    signed_in(client, clock)
    page = html.unescape(client.get(f"/organiser/ballots/{made.id}/confirm/open").text)
    assert "The tokens are not issued yet" in page
    assert f'href="/organiser/ballots/{made.id}/tokens"' in page
