"""Every refusal of the JSON API is a problem details document that a person can read."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.conftest import FakeClock


@pytest.fixture
def key(client: f.Client, clock: FakeClock) -> dict[str, str]:
    return f.bearer(f.account(client, clock))


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_malformed_json_body_is_400(client: f.Client, key: dict[str, str]) -> None:
    before = f.snapshot_of(client)
    for body, expected in [
        (b"{bad", "object keys must be strings (byte 1)"),
        (b'{"title": "x",', "input data was truncated"),
        (b"\xff\xfe", "invalid character (byte 0)"),
    ]:
        response = client.post(
            "/api/v1/ballots", content=body, headers={**key, "content-type": "application/json"}
        )
        assert f.problem(response, 400) == f"The body is not valid JSON: {expected}."
    assert f.snapshot_of(client) == before


def test_a_body_that_is_not_an_object_is_400(client: f.Client, key: dict[str, str]) -> None:
    for body, expected in [
        (b"", "the body is empty where a JSON object was expected"),
        (b"[1, 2]", "Expected `object`, got `array`"),
        (b"null", "Expected `object`, got `null`"),
    ]:
        response = client.post(
            "/api/v1/ballots", content=body, headers={**key, "content-type": "application/json"}
        )
        assert f.problem(response, 400) == f"The request is not valid: {expected}."


def test_a_missing_field_is_named(client: f.Client, key: dict[str, str]) -> None:
    response = client.post("/api/v1/ballots", json={"title": "Host 2029"}, headers=key)
    detail = f.problem(response, 400)
    assert detail == "The request is not valid: Object missing required field `question`."


def test_a_field_of_the_wrong_type_is_named(client: f.Client, key: dict[str, str]) -> None:
    body = {"title": "Host 2029", "question": 42, "method": "irv"}
    detail = f.problem(client.post("/api/v1/ballots", json=body, headers=key), 400)
    assert detail == "The request is not valid: “question”: Expected `str`, got `int`."
    bad_time = {"title": "T", "question": "Q", "method": "irv", "closes_at": "next Tuesday"}
    detail = f.problem(client.post("/api/v1/ballots", json=bad_time, headers=key), 400)
    assert "“closes_at”" in detail


def test_an_unknown_ballot_is_404(client: f.Client) -> None:
    detail = f.problem(client.get("/api/v1/ballots/doesnotexist"), 404)
    assert detail == "There is no ballot «doesnotexist»."


def test_an_unknown_path_is_404(client: f.Client) -> None:
    assert f.problem(client.get("/api/v1/nothing/here"), 404) == (
        "There is nothing at this address."
    )
    assert f.problem(client.get("/api/v2/ballots"), 404)


def test_a_wrong_method_is_405(client: f.Client, key: dict[str, str]) -> None:
    detail = f.problem(client.delete("/api/v1/ballots", headers=key), 405)
    assert detail == "This address does not accept this kind of request."
    assert f.problem(client.patch("/api/v1/cities", headers=key), 405)


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_body_over_the_limit_is_413(client: f.Client, key: dict[str, str]) -> None:
    before = f.snapshot_of(client)
    body = b'{"title": "' + b"x" * 1_100_000 + b'"}'
    response = client.post(
        "/api/v1/ballots", content=body, headers={**key, "content-type": "application/json"}
    )
    assert f.problem(response, 413) == "What you sent is larger than this address accepts."
    assert f.snapshot_of(client) == before


def test_a_rule_refusal_is_a_problem_too(client: f.Client, key: dict[str, str]) -> None:
    body = {"title": "T", "question": "Q", "method": "borda"}
    detail = f.problem(client.post("/api/v1/ballots", json=body, headers=key), 422)
    assert detail.startswith("«borda» is not a counting method")


def test_refusals_of_authentication_are_problems(client: f.Client) -> None:
    assert f.problem(client.post("/api/v1/ballots", json={}), 401) == (
        "Sign in as an organiser, or send an organiser's API key."
    )


def test_error_answers_carry_the_security_headers(client):
    for response in (
        client.get("/api/v1/ballots/nope"),
        client.get("/no/such/page"),
        client.get("/api/v1/cities"),
    ):
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
    assert client.get("/api/v1/cities").headers["www-authenticate"].startswith("Bearer")
