"""Token letters e-mailed by the server (custody `server-mail`): each city gets its
letter, a city votes with the token found in its delivered message, one refused letter
is sent again or downloaded, the log keeps no token, and issuing can be recovered from
(a second click explains and offers to cancel and issue again)."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import zipfile
from datetime import timedelta

from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol import board
from inmc_vote.domain.protocol.encoding import canonical_json, from_b64url
from inmc_vote.domain.protocol.manifest import Manifest
from inmc_vote.services import queries
from inmc_vote.services.actions.reminders import send_due_reminders
from inmc_vote.verify import verify
from tests import factories as f
from tests.conftest import BASE_URL
from tests.mail_helpers import event_rows, html_text, links, log_text, plain_text, to_address
from tests.voting_helpers import ballot_body, manifest_of, mix_and_decrypt


def frozen(client, clock, custody: str = "server-mail"):
    made, towns = f.ready_to_freeze(client, clock, 4, credential_authority=custody)
    f.act(client, clock, made.id, Action.FREEZE)
    new = f.account(client, clock)
    f.sign_in(client, new.email, new.password)
    return made, towns, client.cookies["csrftoken"]


def token_of(message, ballot_id: str) -> str:
    (link,) = set(links(message, BASE_URL))
    assert link.startswith(f"{BASE_URL}/vote/{ballot_id}#t=")  # the token in the fragment
    assert "?" not in link
    return link.split("#t=", 1)[1]


def test_each_city_gets_its_letter_and_votes_with_the_token_in_it(
    mail_client, clock, mailbox
) -> None:
    made, towns, csrf = frozen(mail_client, clock)
    confirm = mail_client.get(f"/organiser/ballots/{made.id}/tokens")
    assert "see each token once, while it is sent" in confirm.text
    assert "The stronger way is offline." in confirm.text
    assert "inmc-vote tokens issue" in confirm.text

    mailed = mail_client.post(
        f"/organiser/ballots/{made.id}/tokens/mail", data={"_csrf_token": csrf}
    )
    assert mailed.status_code == 200, mailed.text
    assert "4 letters were e-mailed." in mailed.text
    assert "Every city has its letter." in mailed.text
    assert mailed.headers["cache-control"] == "no-store"

    by_address = {to_address(m): m for m in mailbox.messages}
    assert set(by_address) == {t.contact_email for t in towns}
    value, digest = manifest_of(mail_client, made.id)
    assert value["registrar"]["custody"] == "server-mail"
    assert Manifest.parse(value).registrar.custody.value == "server-mail"
    message = by_address[towns[2].contact_email]
    token = token_of(message, made.id)
    assert token in plain_text(message)
    assert towns[2].name in str(message["Subject"])
    assert '<img src="cid:' in html_text(message)
    (qr,) = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert qr.get_content().startswith(b"\x89PNG")

    logged = log_text(mail_client, made.id)
    for each in mailbox.messages:
        secret = token_of(each, made.id)
        assert secret not in logged
        assert secret.split(".", 1)[1] not in logged
        assert to_address(each) not in logged
    (event,) = [e for e in event_rows(mail_client, made.id) if e.action == "mail-sent"]
    assert json.loads(event.data)["kind"] == "token-letter"

    clock.advance(days=3)  # past opens_at: voting opens
    body = ballot_body(mail_client, made.id, token, {"choice": value["candidates"][0]["id"]})
    cast = mail_client.post(f"/api/v1/ballots/{made.id}/cast", json=body)
    assert cast.status_code == 201, cast.text
    receipt = board.Receipt.parse(cast.json())
    authority = from_b64url(value["keys"]["authority"])
    own = hashlib.sha256(canonical_json(body)).digest()  # the voter's tracker
    assert receipt.problem(own, manifest_hash=digest, authority=authority, ballot=made.id) is None
    shown = mail_client.get(f"/api/v1/ballots/{made.id}").json()
    assert shown["turnout"] == {"ballots": 1, "eligible": 4}


def test_a_refused_letter_is_sent_again_or_downloaded(mail_client, clock, mailbox) -> None:
    made, towns, csrf = frozen(mail_client, clock)
    mailbox.refuse(towns[0].contact_email)
    mailed = mail_client.post(
        f"/organiser/ballots/{made.id}/tokens/mail", data={"_csrf_token": csrf}
    )
    assert "3 letters were e-mailed." in mailed.text
    assert "1 could not be sent." in mailed.text
    assert "Refused by the mail server (550)" in mailed.text
    assert "This page holds the only copy of the letters that were not sent." in mailed.text
    (kept,) = set(re.findall(r'name="letter" value="([^"]+)"', mailed.text))
    city_id, token = html.unescape(kept).split(":", 1)
    assert int(city_id) == towns[0].id
    assert len(mailbox.messages) == 3

    download = mail_client.post(
        f"/organiser/ballots/{made.id}/tokens/unsent", data={"_csrf_token": csrf, "letter": kept}
    )
    assert download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert f"letters/{towns[0].name} ({towns[0].country}).html" in archive.namelist()
        assert token in archive.read("tokens.csv").decode("utf-8-sig")

    mailbox.refuse()
    mailbox.clear()
    again = mail_client.post(
        f"/organiser/ballots/{made.id}/tokens/mail-again",
        data={"_csrf_token": csrf, "letter": kept},
    )
    assert again.status_code == 200
    assert "1 letter was e-mailed." in again.text
    (message,) = mailbox.messages
    assert to_address(message) == towns[0].contact_email
    assert token_of(message, made.id) == token

    forged = mail_client.post(
        f"/organiser/ballots/{made.id}/tokens/mail-again",
        data={"_csrf_token": csrf, "letter": f"{towns[0].id}:{made.id}.ABCD"},
    )
    assert forged.status_code == 422
    assert "A token to send again is not this ballot&#39;s" in forged.text
    assert len(mailbox.messages) == 1


def test_a_ballot_whose_letters_are_downloaded_is_not_mailed(mail_client, clock, mailbox):
    made, _towns, csrf = frozen(mail_client, clock, custody="server")
    confirm = mail_client.get(f"/organiser/ballots/{made.id}/tokens")
    assert "e-mail the letters" not in confirm.text
    refused = mail_client.post(
        f"/organiser/ballots/{made.id}/tokens/mail", data={"_csrf_token": csrf}
    )
    assert refused.status_code == 409
    assert "server-mail" in refused.text
    assert not mailbox.messages
    assert not [e for e in event_rows(mail_client, made.id) if e.action == "tokens-issued"]
    # mailing is chosen when the ballot is set up
    form = mail_client.get("/organiser/ballots/new").text
    assert 'name="credential_authority" type="radio" value="server-mail"' in form


def test_without_mail_set_up_nothing_is_issued(client, clock) -> None:
    made, _towns, csrf = frozen(client, clock)
    confirm = client.get(f"/organiser/ballots/{made.id}/tokens")
    assert "Mail is not set up on this server" in confirm.text
    assert "Confirm: issue the tokens and download the letters" in confirm.text
    refused = client.post(f"/organiser/ballots/{made.id}/tokens/mail", data={"_csrf_token": csrf})
    assert refused.status_code == 409
    assert "INMC_SMTP_HOST" in refused.text
    assert not [e for e in event_rows(client, made.id) if e.action == "tokens-issued"]


def test_a_mailed_ballot_s_bundle_verifies(mail_client, clock, mailbox, tmp_path) -> None:
    """The custody `server-mail`, the mail events and a reminder's claim in the log: the
    verifier accepts them all, from the letters' tokens to the published result."""
    made, _towns, csrf = frozen(mail_client, clock)
    mailed = mail_client.post(
        f"/organiser/ballots/{made.id}/tokens/mail", data={"_csrf_token": csrf}
    )
    assert "4 letters were e-mailed." in mailed.text
    tokens = [token_of(m, made.id) for m in mailbox.messages]
    clock.advance(days=3)  # voting opens
    value, _digest = manifest_of(mail_client, made.id)
    settings = mail_client.app.state.settings
    closes = f.call(mail_client, queries.ballots.get_ballot, f.db(mail_client), made.id).closes_at
    (reminded,) = f.call(
        mail_client, send_due_reminders, f.db(mail_client), settings, closes - timedelta(hours=2)
    )
    assert len(reminded.sent) == 4
    for token in tokens[:3]:
        body = ballot_body(mail_client, made.id, token, {"choice": value["candidates"][0]["id"]})
        assert mail_client.post(f"/api/v1/ballots/{made.id}/cast", json=body).status_code == 201
    clock.advance(days=30)  # the clock closes and seals it
    mix_and_decrypt(mail_client, made.id, shufflers=(3, 1), decrypters=(3, 2))
    key = f.bearer(f.account(mail_client, clock, "auditor-helper@example.org"))
    for step in ("tally", "publish"):
        answer = mail_client.post(f"/api/v1/ballots/{made.id}/{step}", headers=key)
        assert answer.status_code == 200, answer.text
    bundle = mail_client.get(f"/api/v1/ballots/{made.id}/audit")
    (tmp_path / "mailed.zip").write_bytes(bundle.content)
    report = verify(tmp_path / "mailed.zip", jobs=1)
    assert report.ok, report.text()


def test_a_mail_server_that_is_down_loses_no_letter(mail_client, clock, mailbox) -> None:
    made, towns, csrf = frozen(mail_client, clock)
    mailbox.stop()  # the mail server goes down
    mailed = mail_client.post(
        f"/organiser/ballots/{made.id}/tokens/mail", data={"_csrf_token": csrf}
    )
    assert mailed.status_code == 200
    assert "0 letters were e-mailed." in mailed.text
    assert "4 could not be sent." in mailed.text
    assert "Not sent: the mail server could not be reached" in mailed.text
    kept = [html.unescape(x) for x in re.findall(r'name="letter" value="([^"]+)"', mailed.text)]
    assert len(set(kept)) == 4
    download = mail_client.post(
        f"/organiser/ballots/{made.id}/tokens/unsent",
        data={"_csrf_token": csrf, "letter": sorted(set(kept))},
    )
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        text = archive.read("tokens.csv").decode("utf-8-sig")
    assert sorted(r.split(",")[0] for r in text.splitlines()[1:]) == sorted(t.name for t in towns)
    (event,) = [e for e in event_rows(mail_client, made.id) if e.action == "mail-sent"]
    assert {m["outcome"] for m in json.loads(event.data)["messages"]} == {"unreachable"}
