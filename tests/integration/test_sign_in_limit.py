"""Password guessing is slowed down: a burst of sign-in attempts from one address is refused."""

from __future__ import annotations

from inmc_vote.config import LIMITS
from tests import factories as f


def test_a_burst_of_sign_in_attempts_is_refused_with_429(client, clock):
    new = f.account(client, clock)
    client.get("/login")
    form = {"email": new.email, "password": "guess", "_csrf_token": client.cookies["csrftoken"]}
    for _ in range(LIMITS.sign_in_attempts_per_minute):
        assert client.post("/login", data=form).status_code == 400
    refused = client.post("/login", data=form | {"password": new.password})
    assert refused.status_code == 429
    assert "wait a minute" in refused.text
    assert "inmc_session" not in client.cookies
