"""The member cities API: list, add, get, edit, suspend and reinstate; duplicates and bad input."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.conftest import FakeClock

CITIES = "/api/v1/cities"


def test_add_list_get_and_edit_a_city(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    body = f.city_body("  Clermont-Ferrand ", "fr", region="Auvergne", contact_email="a@cf.fr")
    added = client.post(CITIES, json=body, headers=key)
    assert added.status_code == 201, added.text
    city = added.json()
    assert city["name"] == "Clermont-Ferrand"
    assert city["country"] == "FR"
    assert city["slug"] == "clermont-ferrand-fr"
    assert city["active"] is True
    assert client.get(f"{CITIES}/{city['id']}", headers=key).json() == city

    other = client.post(CITIES, json=f.city_body("Kyoto", "JP"), headers=key).json()
    listed = client.get(CITIES, headers=key)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()] == [city["id"], other["id"]]  # by country, name

    changed = f.city_body("Clermont-Ferrand", "FR", region="Puy-de-Dôme", contact_name="Zoé")
    edited = client.put(f"{CITIES}/{city['id']}", json=changed, headers=key)
    assert edited.status_code == 200, edited.text
    assert edited.json()["region"] == "Puy-de-Dôme"
    assert edited.json()["contact_name"] == "Zoé"
    assert edited.json()["slug"] == city["slug"]
    assert client.get(f"{CITIES}/{city['id']}", headers=key).json() == edited.json()


def test_suspend_and_reinstate(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    (town,) = f.member_cities(client, clock, 1)
    suspended = client.post(f"{CITIES}/{town.id}/suspend", headers=key)
    assert suspended.status_code == 201, suspended.text
    assert suspended.json()["active"] is False
    assert client.get(f"{CITIES}/{town.id}", headers=key).json()["active"] is False
    reinstated = client.post(f"{CITIES}/{town.id}/reinstate", headers=key)
    assert reinstated.json()["active"] is True
    assert client.get(f"{CITIES}/{town.id}", headers=key).json()["active"] is True


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_city_already_known_is_refused_whatever_its_case_and_spaces(
    client: f.Client, clock: FakeClock
) -> None:
    key = f.bearer(f.account(client, clock))
    assert client.post(CITIES, json=f.city_body("Lyon", "FR"), headers=key).status_code == 201
    before = f.snapshot_of(client)
    for name in ["Lyon", "LYON", "  lyon  ", "lYoN"]:
        again = client.post(CITIES, json=f.city_body(name, " fr "), headers=key)
        assert "Lyon (FR) is already a member city" in f.problem(again, 409), name
    assert f.snapshot_of(client) == before
    # The same name in another country is another city.
    assert client.post(CITIES, json=f.city_body("LYON", "CA"), headers=key).status_code == 201


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_editing_a_city_into_another_one_is_refused(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    lyon = client.post(CITIES, json=f.city_body("Lyon", "FR"), headers=key).json()
    nice = client.post(CITIES, json=f.city_body("Nice", "FR"), headers=key).json()
    before = f.snapshot_of(client)
    clash = client.put(f"{CITIES}/{nice['id']}", json=f.city_body("lyon ", "FR"), headers=key)
    assert f"already member city {lyon['id']}" in f.problem(clash, 409)
    assert f.snapshot_of(client) == before


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_bad_fields_are_refused_with_a_readable_reason(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    before = f.snapshot_of(client)
    for fields, expected in [
        ({"country": "XX"}, "«XX» is not an ISO 3166 country code"),
        ({"country": "France"}, "«FRANCE» is not an ISO 3166 country code"),
        ({"country": ""}, "The country is empty."),
        ({"contact_email": "not-an-address"}, "«not-an-address» is not an e-mail address"),
        ({"contact_email": "a@b"}, "«a@b» is not an e-mail address"),
        ({"name": "   "}, "The city's name is empty."),
    ]:
        refused = client.post(CITIES, json=f.city_body(**fields), headers=key)
        assert expected in f.problem(refused, 422), fields
    assert f.snapshot_of(client) == before


def test_an_edit_with_bad_fields_names_every_problem(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    (town,) = f.member_cities(client, clock, 1)
    bad = f.city_body("Lyon", "ZZ", contact_email="nobody")
    detail = f.problem(client.put(f"{CITIES}/{town.id}", json=bad, headers=key), 422)
    assert "«ZZ»" in detail
    assert "«nobody»" in detail
    assert client.get(f"{CITIES}/{town.id}", headers=key).json()["name"] == town.name


def test_an_unknown_city_is_404(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    assert "no member city with id 999" in f.problem(client.get(f"{CITIES}/999", headers=key), 404)
    edit = client.put(f"{CITIES}/999", json=f.city_body(), headers=key)
    assert f.problem(edit, 404)
    assert f.problem(client.post(f"{CITIES}/999/suspend", headers=key), 404)
