"""The auditor's page and the receipt check on the board page."""

from __future__ import annotations

import json
from typing import Any

import inmc_vote
from inmc_vote.domain.protocol import keys
from inmc_vote.domain.protocol.encoding import b64url
from tests import factories as f
from tests.integration.test_api_tally import act, close_early, done
from tests.voting_helpers import ballot_body, manifest_of, open_ballot

BALLOTS = "/api/v1/ballots"


def cast(client: f.Client, ballot_id: str, token: str, marks: dict[str, Any]) -> dict[str, Any]:
    sent = client.post(
        f"{BALLOTS}/{ballot_id}/cast", json=ballot_body(client, ballot_id, token, marks)
    )
    assert sent.status_code == 201, sent.text
    return sent.json()


def test_the_audit_page_during_voting_and_after(client, clock) -> None:
    ballot_id, key, rows = open_ballot(client, clock, n_cities=4, n_candidates=2)
    manifest, _ = manifest_of(client, ballot_id)
    cast(client, ballot_id, rows[0]["token"], {"choice": manifest["candidates"][0]["id"]})
    shown = client.get(f"/audit/{ballot_id}")
    assert shown.status_code == 200, shown.text
    page = shown.text
    assert f"/api/v1/ballots/{ballot_id}/audit" in page
    pyz = f"inmc-verify-{inmc_vote.__version__}.pyz"
    assert f"python3 {pyz} inmc-vote-{ballot_id}-audit.zip" in page
    assert f"python3 {pyz} OLDER.zip NEWER.zip" in page
    assert "checks passed." in page
    assert "FAILED" not in page
    assert "not closed: the board goes up to the head signed in bundle.sig" in page

    close_early(client, key, ballot_id)
    done(act(client, key, ballot_id, "tally"))
    done(act(client, key, ballot_id, "publish"))
    after = client.get(f"/audit/{ballot_id}").text
    assert "the trustees' shuffles and decryptions, and the tally record" in after
    assert "round 1, shuffles" in after
    assert "round 1, decryption" in after
    assert "round 1, count" in after
    assert "FAILED" not in after


def test_the_audit_page_before_the_bundle_exists(client, clock) -> None:
    made, _ = f.ready_to_freeze(client, clock, 3, 2)
    page = client.get(f"/audit/{made.id}")
    assert page.status_code == 200
    assert "exists once the tokens are issued" in page.text
    assert client.get("/audit/nope").status_code == 404


def test_the_audit_page_of_a_draft_is_for_organisers_only(client, clock) -> None:
    """As every public page of a ballot: 404 for a draft, as for a ballot that does not exist."""
    draft = f.ballot(client, clock, title="Host city 2033 (draft)")
    hidden = client.get(f"/audit/{draft.id}")
    assert hidden.status_code == 404
    assert f"There is no ballot «{draft.id}»." in hidden.text
    assert "Host city 2033" not in hidden.text

    new = f.account(client, clock)
    f.sign_in(client, new.email, new.password)
    assert client.get(f"/audit/{draft.id}").status_code == 200


def test_the_board_page_checks_a_pasted_receipt(client, clock) -> None:
    ballot_id, _key, rows = open_ballot(client, clock, n_cities=4, n_candidates=2)
    receipt = cast(client, ballot_id, rows[0]["token"], {"blank": True})
    board = client.get(f"/ballots/{ballot_id}/board").text
    assert f'action="/ballots/{ballot_id}/board/receipt"' in board

    def checked(value: Any) -> str:
        text = value if isinstance(value, str) else json.dumps(value)
        token = f.csrf_headers(client)["x-csrftoken"]
        answer = client.post(
            f"/ballots/{ballot_id}/board/receipt", data={"receipt": text, "_csrf_token": token}
        )
        assert answer.status_code in (200, 400)
        return answer.text

    assert "Your ballot is entry 1 of round 1 on the board" in checked(receipt)
    forged = receipt | {"signature": b64url(keys.sign(keys.new_ed25519()[0], b"x"))}
    assert "Forged or altered" in checked(forged)
    assert "This receipt is for another ballot (someotherid)" in checked(
        receipt | {"ballot": "someotherid"}
    )
    assert "Forged or altered" in checked(receipt | {"seq": 2})  # signed for entry 1, not 2
    assert "This is not a receipt" in checked("hello")
    assert "Check the receipt" in client.get(f"/ballots/{ballot_id}/board/receipt").text
