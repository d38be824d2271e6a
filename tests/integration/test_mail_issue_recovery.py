"""Issuing the tokens can be recovered from: a second click (the download was lost)
lands on the tokens page, which says when they were issued and offers to cancel the
issuance and issue again while voting has not opened, instead of a bare "Conflict"."""

from __future__ import annotations

import io
import zipfile

from inmc_vote.domain.lifecycle import Action
from tests import factories as f


def frozen(client, clock):
    made, towns = f.ready_to_freeze(client, clock, 3)
    f.act(client, clock, made.id, Action.FREEZE)
    new = f.account(client, clock)
    f.sign_in(client, new.email, new.password)
    return made, towns, client.cookies["csrftoken"]


def test_a_second_click_explains_and_offers_to_cancel_and_issue_again(client, clock) -> None:
    made, towns, csrf = frozen(client, clock)
    tokens = f"/organiser/ballots/{made.id}/tokens"
    confirm = client.get(tokens)
    assert f'data-after-download="{tokens}?downloaded=1"' in confirm.text
    assert '<script src="/static/letters-download.js" defer></script>' in confirm.text
    first = client.post(tokens, data={"_csrf_token": csrf})
    assert first.headers["content-type"] == "application/zip"
    # the cookie that tells the page the download began (letters-download.js)
    assert f"inmc_letters={made.id}" in first.headers["set-cookie"]
    assert f"Path=/organiser/ballots/{made.id}" in first.headers["set-cookie"]
    after = client.get(f"{tokens}?downloaded=1")
    assert "is downloading" in after.text
    assert f"tokens-{made.id}.zip" in after.text
    assert "Cancel this issuance and issue again" in after.text
    with zipfile.ZipFile(io.BytesIO(first.content)) as archive:
        names = archive.namelist()
        assert {f"letters/{t.name} ({t.country}).html" for t in towns} <= set(names)
        assert {"letters.html", "tokens.csv"} <= set(names)
        csv_bytes = archive.read("tokens.csv")
    assert csv_bytes.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8
    header = csv_bytes.decode("utf-8-sig").splitlines()[0]
    assert header == "city,country,contact_name,contact_email,credential_fingerprint,token,link"

    # The download was lost: the organiser clicks again.
    second = client.post(tokens, data={"_csrf_token": csrf})
    assert second.status_code == 409
    assert second.headers["content-type"].startswith("text/html")
    assert "The tokens were issued on" in second.text
    assert "Did you not get the letters?" in second.text
    assert f'action="/organiser/ballots/{made.id}/tokens/cancel"' in second.text
    assert "Confirm: issue the tokens" not in second.text

    # The same page, reloaded, still offers the way out.
    assert "Cancel this issuance and issue again" in client.get(tokens).text

    cancelled = client.post(
        f"{tokens}/cancel",
        data={"_csrf_token": csrf, "reason": "the download was interrupted"},
        follow_redirects=False,
    )
    assert cancelled.status_code == 303
    again = client.post(tokens, data={"_csrf_token": csrf})
    assert again.status_code == 200
    assert again.headers["content-type"] == "application/zip"


def test_once_voting_opened_the_page_says_the_issuance_stays(client, clock) -> None:
    made, _towns, csrf = frozen(client, clock)
    tokens = f"/organiser/ballots/{made.id}/tokens"
    assert client.post(tokens, data={"_csrf_token": csrf}).status_code == 200
    clock.advance(days=3)  # voting opens by the clock
    new = f.account(client, clock, "second@example.org")
    f.sign_in(client, new.email, new.password)
    shown = client.get(tokens)
    assert "can no longer be cancelled" in shown.text
    assert "/tokens/cancel" not in shown.text
