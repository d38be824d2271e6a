"""Hostile input answers a 4xx, never a 500 (issue 11), each with the issue's request."""

from __future__ import annotations

import logging

import pytest

from tests import factories as f
from tests.conftest import FakeClock

BIG = "99999999999999999999"  # above int64


@pytest.fixture
def key(client: f.Client, clock: FakeClock) -> dict[str, str]:
    return f.bearer(f.account(client, clock))


def test_a_non_utf8_multipart_field_is_400_even_unauthenticated(client: f.Client) -> None:
    # curl -F $'email=\xff\xfe' http://host/login (the CSRF check parses the form first)
    body = b'--X\r\nContent-Disposition: form-data; name="email"\r\n\r\n\xff\xfe\r\n--X--\r\n'
    for path in ("/login", "/organiser/cities"):
        response = client.post(
            path, content=body, headers={"Content-Type": "multipart/form-data; boundary=X"}
        )
        assert response.status_code == 400, path


def test_integers_above_int64_are_400(
    client: f.Client, clock: FakeClock, key: dict[str, str]
) -> None:
    ballot = f.ballot(client, clock)
    for url in (
        f"/api/v1/ballots/{ballot.id}/board?after={BIG}",
        f"/api/v1/ballots/{ballot.id}/manifest?round={BIG}",
        f"/api/v1/ballots/{ballot.id}/tally/record?round={BIG}",
        f"/api/v1/cities/{BIG}",
        f"/api/v1/ballots/{ballot.id}/candidacies/{BIG}/dossier",
        f"/api/v1/ballots/{ballot.id}/mix/shuffles/{BIG}",
        f"/ballots/{ballot.id}/candidacies/{BIG}/dossier",
    ):
        assert client.get(url, headers=key).status_code == 400, url


@pytest.mark.both_databases  # a NUL cannot reach PostgreSQL
def test_a_nul_in_an_id_a_title_or_a_summary_is_4xx(
    client: f.Client, clock: FakeClock, key: dict[str, str]
) -> None:
    for url in ("/api/v1/ballots/a%00b", "/ballots/a%00b", "/api/v1/ballots/a%00b/board"):
        assert client.get(url, headers=key).status_code == 400, url
    titled = client.post("/api/v1/ballots", json=f.ballot_body(clock, title="a\x00b"), headers=key)
    assert f.problem(titled, 422) == "The title contains a control character (U+0000)."
    cities = f.member_cities(client, clock, 2)
    ballot = f.ballot(client, clock)
    f.act(client, clock, ballot.id, "open-candidacies")
    response = client.post(
        f"/api/v1/ballots/{ballot.id}/candidacies",
        data={**f.candidacy_fields(summary="a\x00b"), "city_id": str(cities[0].id)},
        files={"dossier": ("dossier.pdf", f.pdf(), "application/pdf")},
        headers=key,
    )
    assert "control character" in f.problem(response, 422)


def test_valid_days_out_of_range_is_422(
    client: f.Client, clock: FakeClock, key: dict[str, str]
) -> None:
    f.member_cities(client, clock, 1)
    ballot = f.ballot(client, clock)
    for days in (10**12, 0, 367):
        response = client.post(
            f"/api/v1/ballots/{ballot.id}/portal-links", json={"valid_days": days}, headers=key
        )
        assert "between 1 and 366 days" in f.problem(response, 422)


def test_deeply_nested_json_is_400(client: f.Client, key: dict[str, str]) -> None:
    for body in ("[" * 100_000 + "]" * 100_000, '{"name":' * 5_000 + "1" + "}" * 5_000):
        response = client.post(
            "/api/v1/cities", content=body, headers={**key, "content-type": "application/json"}
        )
        assert f.problem(response, 400) == "The body is not valid JSON: it is nested too deeply."


def test_a_dossier_named_outside_latin1_downloads(client: f.Client, clock: FakeClock) -> None:
    cities = f.member_cities(client, clock, 1)
    ballot = f.ballot(client, clock)
    f.act(client, clock, ballot.id, "open-candidacies")
    key = f.bearer(f.account(client, clock))
    submitted = client.post(
        f"/api/v1/ballots/{ballot.id}/candidacies",
        data={**f.candidacy_fields(), "city_id": str(cities[0].id)},
        files={"dossier": ("Dossier-京都.pdf", f.pdf(), "application/pdf")},
        headers=key,
    )
    assert submitted.status_code == 201, submitted.text
    candidacy_id = submitted.json()["id"]
    for url in (
        f"/api/v1/ballots/{ballot.id}/candidacies/{candidacy_id}/dossier",
        f"/ballots/{ballot.id}/candidacies/{candidacy_id}/dossier",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-disposition"] == (
            "attachment; filename=\"Dossier-.pdf\"; filename*=UTF-8''Dossier-%E4%BA%AC%E9%83%BD.pdf"
        )


def test_a_4xx_is_logged_in_one_line_at_info_without_a_traceback(
    client: f.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="inmc_vote.web"):
        client.get("/api/v1/ballots/nope")
    records = [r for r in caplog.records if r.name == "inmc_vote.web"]
    assert [(r.levelno, r.exc_info) for r in records] == [(logging.INFO, None)]
    assert records[0].getMessage() == (
        "GET /api/v1/ballots/{ballot_id} answered 404: There is no ballot «nope»."
    )
