"""The organiser's Trustees section (web/pages/organiser_trustees.py): naming the
trustees from the ballot's page, the invitations shown once with their commands, the
ceremony's progress and the warning."""

from __future__ import annotations

import html

from tests import factories as f

WARNING = (
    "Decryption needs 2 of these 3 trustees; if fewer than 2 keep their files, the votes "
    "can never be counted."
)


def signed_in(client, clock) -> str:
    new = f.account(client, clock)
    f.sign_in(client, new.email, new.password)
    return client.cookies["csrftoken"]


def test_naming_the_trustees_from_the_ballot_page(client, clock):
    token = signed_in(client, clock)
    made = f.ballot(client, clock)
    manage = f"/organiser/ballots/{made.id}"
    before = client.get(manage).text
    assert "No trustees are named yet" in before
    assert 'action="/organiser/ballots/' in before

    refused = client.post(
        f"{manage}/trustees",
        data={"names": "Ana Costa\nBram de Vries", "threshold": "3", "_csrf_token": token},
    )
    assert refused.status_code == 422
    assert "between 1 and the number of trustees (2); 3 was given" in html.unescape(refused.text)
    assert "Bram de Vries</textarea>" in refused.text  # what was typed is kept

    named = client.post(
        f"{manage}/trustees",
        data={
            "names": "Ana Costa\nBram de Vries\n\nChiara Rossi\n",
            "threshold": "2",
            "_csrf_token": token,
        },
    )
    assert named.status_code == 200, named.text
    assert named.headers["cache-control"] == "no-store"
    text = html.unescape(named.text)
    assert "These invitations are shown this once." in text
    assert WARNING in text
    for i in (1, 2, 3):
        base = client.app.state.settings.base_url
        assert f"inmc-vote trustee join --server {base} --ballot {made.id} " in text
        assert f"--invitation 1.{i}." in text
        assert f"--key-file trustee-{made.id}-{i}.json" in text

    after = html.unescape(client.get(manage).text)
    assert WARNING in after
    assert "Key ceremony 1:" in after
    assert "waiting for every trustee to join" in after
    assert "Chiara Rossi" in after
    assert "--invitation" not in after  # never shown again
    assert "Name the trustees again (new ceremony)" in after


def test_the_page_shows_a_complete_ceremony(client, clock):
    made, _ = f.ready_to_freeze(client, clock)
    signed_in(client, clock)  # after the clock moved past the deadline
    shown = html.unescape(client.get(f"/organiser/ballots/{made.id}").text)
    assert "complete: the election key is fixed" in shown
    assert "Election key:" in shown
