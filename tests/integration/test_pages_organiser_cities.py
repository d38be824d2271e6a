"""The organiser's member-city pages: list, add, edit, suspend, reinstate, CSV import."""

from __future__ import annotations

import html
import re

import pytest

from inmc_vote.services import actions, queries
from tests import factories as f
from tests.databases import snapshot


def signed_in(client, clock) -> str:
    """Sign in as an organiser; return the CSRF token the forms carry."""
    new = f.account(client, clock)
    f.sign_in(client, new.email, new.password)
    return client.cookies["csrftoken"]


def listed(client) -> list[tuple[str, str, bool]]:
    return [
        (c.name, c.country, c.active)
        for c in f.call(client, queries.cities.list_cities, f.db(client))
    ]


@pytest.mark.parametrize(
    "path", ["/organiser", "/organiser/cities", "/organiser/ballots/new", "/organiser/cities/1"]
)
def test_anonymous_is_sent_to_the_login_page(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/login?next=" + path.replace("/", "%2F")


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_anonymous_post_changes_nothing(client, clock, settings):
    client.get("/login")
    before = snapshot(settings.database_url)
    response = client.post(
        "/organiser/cities",
        data={"name": "Lyon", "country": "FR", "_csrf_token": client.cookies["csrftoken"]},
        follow_redirects=False,
    )
    assert response.status_code == 302
    assert response.headers["location"].startswith("/login?next=")
    assert snapshot(settings.database_url) == before


def test_add_edit_suspend_and_reinstate_a_city(client, clock):
    token = signed_in(client, clock)
    added = client.post(
        "/organiser/cities",
        data={
            "name": "Clermont-Ferrand",
            "country": "fr",
            "region": "Auvergne",
            "contact_name": "Jeanne Martin",
            "contact_email": "jeanne@clermont.example",
            "_csrf_token": token,
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert listed(client) == [("Clermont-Ferrand", "FR", True)]
    page = client.get(added.headers["location"])
    assert "The city was added." in page.text
    assert "jeanne@clermont.example" in page.text
    city_id = f.call(client, queries.cities.list_cities, f.db(client))[0].id

    edit_page = client.get(f"/organiser/cities/{city_id}")
    assert 'value="Clermont-Ferrand"' in edit_page.text
    saved = client.post(
        f"/organiser/cities/{city_id}",
        data={"name": "Clermont-Fd", "country": "FR", "_csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert listed(client) == [("Clermont-Fd", "FR", True)]

    suspended = client.post(f"/organiser/cities/{city_id}/suspend", data={"_csrf_token": token})
    assert suspended.status_code == 200
    assert "The city is suspended" in suspended.text
    assert listed(client) == [("Clermont-Fd", "FR", False)]
    assert "Reinstate" in suspended.text

    client.post(f"/organiser/cities/{city_id}/reinstate", data={"_csrf_token": token})
    assert listed(client) == [("Clermont-Fd", "FR", True)]


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_an_invalid_city_is_shown_again_with_the_message_and_the_input(client, clock, settings):
    token = signed_in(client, clock)
    before = snapshot(settings.database_url)

    refused = client.post(
        "/organiser/cities",
        data={
            "name": "Lyon",
            "country": "XX",
            "contact_email": "not-an-email",
            "_csrf_token": token,
        },
    )

    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    assert "«XX» is not an ISO 3166 country code" in refused.text
    assert "«not-an-email» is not an e-mail address" in refused.text
    assert 'value="Lyon"' in refused.text
    assert 'value="XX"' in refused.text
    assert snapshot(settings.database_url) == before


def test_a_duplicate_city_is_a_409_with_the_input_kept(client, clock):
    token = signed_in(client, clock)
    f.member_cities(client, clock, 1)

    refused = client.post(
        "/organiser/cities", data={"name": "city 1", "country": "FR", "_csrf_token": token}
    )

    assert refused.status_code == 409
    assert "City 1 (FR) is already a member city" in refused.text
    assert 'value="city 1"' in refused.text


def test_an_invalid_edit_is_shown_again_on_the_edit_page(client, clock):
    token = signed_in(client, clock)
    town = f.member_cities(client, clock, 1)[0]

    refused = client.post(
        f"/organiser/cities/{town.id}", data={"name": "", "country": "FR", "_csrf_token": token}
    )

    assert refused.status_code == 422
    assert "The city's name is empty" in html.unescape(refused.text)
    assert f'action="/organiser/cities/{town.id}"' in refused.text
    assert listed(client) == [("City 1", "FR", True)]


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_post_without_the_csrf_token_is_refused(client, clock, settings):
    signed_in(client, clock)
    before = snapshot(settings.database_url)

    refused = client.post("/organiser/cities", data={"name": "Lyon", "country": "FR"})

    assert refused.status_code == 403
    assert snapshot(settings.database_url) == before


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_csv_import_refused_lists_each_bad_line_and_imports_nothing(client, clock, settings):
    token = signed_in(client, clock)
    before = snapshot(settings.database_url)
    csv_text = (
        "name,country,region,contact name,contact email\n"
        "Lyon,FR,Auvergne-Rhône-Alpes,Ana,ana@lyon.example\n"
        "Atlantis,XX,,Bo,bo@example.org\n"
        "Kyoto,JP,Kansai,Chie,not-an-email\n"
    )

    refused = client.post(
        "/organiser/cities/import",
        data={"_csrf_token": token},
        files={"file": ("cities.csv", csv_text.encode(), "text/csv")},
    )

    assert refused.status_code == 422
    assert "Nothing was imported" in refused.text
    assert "Line 3: «XX» is not an ISO 3166 country code" in refused.text
    assert "Line 4: «not-an-email» is not an e-mail address" in refused.text
    assert "Line 2" not in refused.text
    assert snapshot(settings.database_url) == before


def test_csv_import_says_how_many_were_added_updated_unchanged(client, clock):
    token = signed_in(client, clock)
    csv_text = "name;country;region;contact name;contact email\nLyon;FR;;Ana;ana@lyon.example\n"
    files = {"file": ("cities.csv", csv_text.encode(), "text/csv")}

    first = client.post("/organiser/cities/import", data={"_csrf_token": token}, files=files)
    assert first.status_code == 200
    assert "Import done: 1 added, 0 updated, 0 unchanged." in first.text
    assert listed(client) == [("Lyon", "FR", True)]

    again = client.post(
        "/organiser/cities/import",
        data={"_csrf_token": token},
        files={"file": ("cities.csv", (csv_text + "Kyoto;JP;;;\n").encode(), "text/csv")},
    )
    assert "Import done: 1 added, 0 updated, 1 unchanged." in again.text


def test_csv_import_without_a_file_asks_for_one(client, clock):
    token = signed_in(client, clock)
    refused = client.post(
        "/organiser/cities/import",
        data={"_csrf_token": token},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert refused.status_code == 422
    assert "Choose a CSV file to import." in refused.text


def test_cities_are_listed_by_name_and_their_rows_reflow_on_a_phone(client, clock):
    signed_in(client, clock)
    db = f.db(client)
    # by country code this would be AT, BE, ES, PL: Wien, Brugge, Ávila, Łódź
    for name, country in (("Wien", "AT"), ("Brugge", "BE"), ("Ávila", "ES"), ("Łódź", "PL")):
        fields = actions.cities.fields_of(name, country)
        f.call(client, actions.cities.add_city, db, fields, clock())

    page = html.unescape(client.get("/organiser/cities").text)

    rows = re.findall(r'<th scope="row">([^<]+)</th>', page)
    assert rows == ["Ávila", "Brugge", "Łódź", "Wien"]
    assert '<table class="reflow">' in page
    assert 'data-label="Country"' in page
