"""The organiser's ballot pages: dashboard, ballot form, management page (candidacies,
candidacies by post, portal links)."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime

import pytest

from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import queries
from tests import factories as f
from tests.databases import snapshot


def signed_in(client, clock) -> str:
    """Sign in as an organiser; return the CSRF token the forms carry."""
    new = f.account(client, clock)
    f.sign_in(client, new.email, new.password)
    return client.cookies["csrftoken"]


def text(response) -> str:
    return html.unescape(response.text)


def ballot_fields(token: str, **overrides: str) -> dict[str, str]:
    fields = {
        "title": "Host city 2029",
        "question": "Which city hosts 2029?",
        "description": "The 2029 meetings.",
        "method": "irv",
        "quorum": "1/2",
        "blank_allowed": "on",
        "timezone": "Europe/Paris",
        "candidacy_deadline": "2027-02-01T18:00",
        "opens_at": "2027-03-01T09:00",
        "closes_at": "2027-04-01T09:00",
        "_csrf_token": token,
    }
    fields.update(overrides)
    return fields


def stored(client, ballot_id: str):
    return f.call(client, queries.ballots.get_ballot, f.db(client), ballot_id)


def test_dashboard_lists_ballots_what_they_allow_and_the_cities(client, clock):
    token = signed_in(client, clock)
    towns = f.member_cities(client, clock, 3)
    client.post(f"/organiser/cities/{towns[0].id}/suspend", data={"_csrf_token": token})
    made = f.ballot(client, clock)

    page = client.get("/organiser")

    assert page.status_code == 200
    assert "Member cities: 2 active, 1 suspended." in page.text
    assert f'href="/organiser/ballots/{made.id}"' in page.text
    assert "Draft" in page.text
    assert f"/organiser/ballots/{made.id}/confirm/open-candidacies" in page.text
    assert f"/organiser/ballots/{made.id}/confirm/cancel" in page.text
    assert f"/organiser/ballots/{made.id}/confirm/freeze" not in page.text


def test_new_ballot_reads_times_in_the_chosen_zone(client, clock):
    token = signed_in(client, clock)
    form_page = client.get("/organiser/ballots/new")
    assert form_page.status_code == 200
    assert '<option value="America/New_York">' in form_page.text
    assert 'type="datetime-local"' in form_page.text

    created = client.post(
        "/organiser/ballots/new", data=ballot_fields(token), follow_redirects=False
    )

    assert created.status_code == 303
    ballot_id = created.headers["location"].split("/")[3].split("?")[0]
    ballot = stored(client, ballot_id)
    assert ballot.title == "Host city 2029"
    assert ballot.method == "irv"
    assert ballot.quorum == "1/2"
    assert ballot.blank_allowed is True
    assert ballot.timezone == "Europe/Paris"
    assert ballot.candidacy_deadline == datetime(2027, 2, 1, 17, 0, tzinfo=UTC)  # CET
    assert ballot.opens_at == datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    assert ballot.closes_at == datetime(2027, 4, 1, 7, 0, tzinfo=UTC)  # CEST (summer time)
    page = client.get(created.headers["location"])
    assert "The ballot was created, in draft." in page.text
    assert "Instant runoff (ranked choices)" in page.text


def test_unticked_blank_vote_is_stored_as_not_allowed(client, clock):
    token = signed_in(client, clock)
    fields = ballot_fields(token, timezone="America/New_York")
    del fields["blank_allowed"]
    created = client.post("/organiser/ballots/new", data=fields, follow_redirects=False)
    ballot = stored(client, created.headers["location"].split("/")[3].split("?")[0])
    assert ballot.blank_allowed is False
    assert ballot.candidacy_deadline == datetime(2027, 2, 1, 23, 0, tzinfo=UTC)


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_an_invalid_ballot_is_shown_again_with_the_message_and_the_input(client, clock, settings):
    token = signed_in(client, clock)
    before = snapshot(settings.database_url)

    refused = client.post(
        "/organiser/ballots/new",
        data=ballot_fields(token, closes_at="2027-02-15T09:00", description="Keep me"),
    )

    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    assert "The closing time must come after the opening time." in refused.text
    assert 'value="Host city 2029"' in refused.text
    assert ">Keep me</textarea>" in refused.text
    assert 'value="2027-02-15T09:00"' in refused.text
    assert '<option value="Europe/Paris" selected>' in refused.text
    assert '<option value="irv" selected>' in refused.text
    assert snapshot(settings.database_url) == before


def test_bad_quorum_and_bad_time_are_explained(client, clock):
    token = signed_in(client, clock)
    quorum = client.post("/organiser/ballots/new", data=ballot_fields(token, quorum="half"))
    assert quorum.status_code == 422
    assert "The quorum «half» should be a fraction" in text(quorum)
    assert 'value="half"' in quorum.text

    when = client.post("/organiser/ballots/new", data=ballot_fields(token, opens_at="soon"))
    assert when.status_code == 422
    assert "The opening time “soon” is not a date and time" in text(when)


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_new_ballot_without_csrf_token_is_refused(client, clock, settings):
    token = signed_in(client, clock)
    before = snapshot(settings.database_url)
    fields = ballot_fields(token)
    del fields["_csrf_token"]
    refused = client.post("/organiser/ballots/new", data=fields)
    assert refused.status_code == 403
    assert snapshot(settings.database_url) == before


def test_edit_ballot_shows_local_times_and_saves_changes(client, clock):
    token = signed_in(client, clock)
    made = f.ballot(client, clock)  # Europe/Paris, deadline 2027-01-18 09:00 UTC

    form_page = client.get(f"/organiser/ballots/{made.id}/edit")
    assert 'value="2027-01-18T10:00"' in form_page.text

    fields = ballot_fields(token, title="Host city 2029 (revised)", timezone="UTC")
    saved = client.post(f"/organiser/ballots/{made.id}/edit", data=fields, follow_redirects=False)

    assert saved.status_code == 303
    ballot = stored(client, made.id)
    assert ballot.title == "Host city 2029 (revised)"
    assert ballot.candidacy_deadline == datetime(2027, 2, 1, 18, 0, tzinfo=UTC)
    page = client.get(saved.headers["location"])
    assert "The ballot&#39;s settings were saved." in page.text
    assert "Changed the settings:" in page.text


def test_editing_a_frozen_ballot_is_a_409_with_the_input_kept(client, clock):
    made, _ = f.ready_to_freeze(client, clock)  # moves the clock: sign in afterwards
    f.act(client, clock, made.id, Action.FREEZE)
    token = signed_in(client, clock)

    refused = client.post(
        f"/organiser/ballots/{made.id}/edit", data=ballot_fields(token, title="Too late")
    )

    assert refused.status_code == 409
    assert "its settings were fixed when it was frozen" in refused.text
    assert 'value="Too late"' in refused.text


def test_accept_and_reject_candidacies(client, clock):
    token = signed_in(client, clock)
    towns = f.member_cities(client, clock, 3)
    made = f.ballot(client, clock)
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    first = f.candidacy(client, clock, made.id, towns[0])
    second = f.candidacy(client, clock, made.id, towns[1])

    page = client.get(f"/organiser/ballots/{made.id}")
    assert f"/candidacies/{first.id}/accept" in page.text
    assert "Submitted, awaiting decision" in page.text

    accepted = client.post(
        f"/organiser/ballots/{made.id}/candidacies/{first.id}/accept",
        data={"_csrf_token": token},
    )
    assert accepted.status_code == 200
    assert "The candidacy was accepted." in accepted.text

    no_reason = client.post(
        f"/organiser/ballots/{made.id}/candidacies/{second.id}/reject",
        data={"reason": " ", "_csrf_token": token},
    )
    assert no_reason.status_code == 422
    assert "Say why the candidacy is rejected" in no_reason.text

    rejected = client.post(
        f"/organiser/ballots/{made.id}/candidacies/{second.id}/reject",
        data={"reason": "The venue is too small", "_csrf_token": token},
    )
    assert rejected.status_code == 200
    statuses = {
        c.city.name: (c.status, c.decision_reason)
        for c in f.call(client, queries.candidacies.list_for_ballot, f.db(client), made.id)
    }
    assert statuses == {
        "City 1": ("accepted", ""),
        "City 2": ("rejected", "The venue is too small"),
    }
    assert "The venue is too small" in rejected.text


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_record_a_candidacy_received_by_post(client, clock, settings):
    token = signed_in(client, clock)
    towns = f.member_cities(client, clock, 3)
    made = f.ballot(client, clock)
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    fields = {
        "city_id": str(towns[1].id),
        "summary": "Sent by post",
        "proposed_dates": "June 2029",
        "venue": "Town hall",
        "_csrf_token": token,
    }
    before = snapshot(settings.database_url)

    not_pdf = client.post(
        f"/organiser/ballots/{made.id}/candidacies",
        data=fields,
        files={"dossier": ("scan.pdf", b"GIF89a not a pdf", "application/pdf")},
    )
    assert not_pdf.status_code == 422
    assert "The dossier is not a PDF file" in not_pdf.text
    assert ">Sent by post</textarea>" in not_pdf.text
    assert f'<option value="{towns[1].id}" selected>' in not_pdf.text
    assert snapshot(settings.database_url) == before

    recorded = client.post(
        f"/organiser/ballots/{made.id}/candidacies",
        data=fields,
        files={"dossier": ("scan.pdf", f.pdf("By post"), "application/pdf")},
    )
    assert recorded.status_code == 200
    assert "The candidacy was recorded on the city&#39;s behalf." in recorded.text
    found = f.call(client, queries.candidacies.for_city, f.db(client), made.id, towns[1].id)
    assert found is not None
    assert (found.summary, found.by_organiser, found.status) == ("Sent by post", True, "submitted")
    assert found.dossier is not None
    assert found.dossier.size == len(f.pdf("By post"))
    assert "Recorded the candidacy of City 2, received by post." in recorded.text


def test_portal_links_are_made_listed_downloaded_and_revoked(client, clock, settings):
    token = signed_in(client, clock)
    towns = f.member_cities(client, clock, 3)
    made = f.ballot(client, clock)

    made_links = client.post(
        f"/organiser/ballots/{made.id}/links", data={"valid_days": "30", "_csrf_token": token}
    )

    assert made_links.status_code == 200
    assert "New candidacy links were made" in made_links.text
    links = f.call(client, queries.portal.current_links, f.db(client), settings.secret_key, made.id)
    assert len(links) == 3
    for link in links:
        assert f"http://testserver.local{link.path}" in made_links.text
        assert link.contact_email in made_links.text
    # summed up first, the list itself folded away (44 cities would make the page endless)
    said = " ".join(re.sub(r"<[^>]+>", " ", made_links.text).split())
    assert (
        "3 links in force, the last valid until 10 February 2027, 10:00 (Europe/Paris, UTC+1) ."
        in said
    )
    assert '<details class="links-list">' in made_links.text
    # the Expires column: the date alone, on one line; the full time in its <time>
    expires = re.findall(
        r'<td class="when"[^>]*><time datetime="([^"]+)"[^>]*>([^<]+)</time>', made_links.text
    )
    assert [shown for _iso, shown in expires] == ["2027-02-10"] * 3
    assert expires[0][0].startswith("2027-02-10T09:00:00")
    # on a phone the table reflows into one card per city, each cell named
    assert '<table class="reflow">' in made_links.text
    assert 'data-label="Expires"' in made_links.text
    # one landmark per name: the section and the table's scrolling region differ
    labels = re.findall(r'role="region" aria-label="([^"]+)"', made_links.text)
    assert "Candidacy links" not in labels

    download = client.get(f"/organiser/ballots/{made.id}/links/links.csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text.removeprefix("\ufeff"))))
    assert [r["city"] for r in rows] == ["City 1", "City 2", "City 3"]
    assert rows[0]["contact_email"] == "contact1@example.org"
    assert rows[0]["link"] == "http://testserver.local" + links[0].path

    revoked = client.post(
        f"/organiser/ballots/{made.id}/links/{towns[0].id}/revoke", data={"_csrf_token": token}
    )
    assert revoked.status_code == 200
    assert "The city&#39;s candidacy link no longer works." in revoked.text
    assert links[0].path not in revoked.text
    assert client.get(links[0].path).status_code == 403
    assert "Withdrew the candidacy link of City 1." in revoked.text


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_bad_link_validity_is_refused(client, clock, settings):
    token = signed_in(client, clock)
    f.member_cities(client, clock, 1)
    made = f.ballot(client, clock)
    before = snapshot(settings.database_url)
    refused = client.post(
        f"/organiser/ballots/{made.id}/links", data={"valid_days": "999", "_csrf_token": token}
    )
    assert refused.status_code == 422
    assert "between 1 and 366 days" in refused.text
    assert snapshot(settings.database_url) == before


def test_management_page_needs_an_organiser(client, clock):
    made = f.ballot(client, clock)
    response = client.get(f"/organiser/ballots/{made.id}", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"].startswith("/login?next=%2Forganiser%2Fballots%2F")
