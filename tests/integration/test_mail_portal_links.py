"""E-mailing each city its candidacy-portal link through a real SMTP server (aiosmtpd):
delivered to the contact address, one refused address failing alone and sent again, the
event log holding the outcome but never the link, and a clear refusal without mail."""

from __future__ import annotations

import json

from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions, queries
from tests import factories as f
from tests.conftest import BASE_URL, SECRET_KEY
from tests.mail_helpers import event_rows, links, log_text, to_address


def candidacies_open(client, clock):
    new = f.account(client, clock)
    f.sign_in(client, new.email, new.password)
    towns = f.member_cities(client, clock, 4)
    made = f.ballot(client, clock)
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    f.call(
        client, actions.portal.make_links, f.db(client), SECRET_KEY, f.ORGANISER, made.id, clock()
    )
    return made, towns, client.cookies["csrftoken"]


def current_links(client, ballot_id):
    return f.call(client, queries.portal.current_links, f.db(client), SECRET_KEY, ballot_id)


def test_each_city_gets_its_own_link_and_the_log_keeps_no_secret(
    mail_client, clock, mailbox
) -> None:
    made, towns, csrf = candidacies_open(mail_client, clock)
    manage = mail_client.get(f"/organiser/ballots/{made.id}")
    assert "E-mail each city its link" in manage.text

    sent = mail_client.post(f"/organiser/ballots/{made.id}/links/mail", data={"_csrf_token": csrf})
    assert sent.status_code == 200, sent.text
    assert "4 links were e-mailed." in sent.text

    by_address = {to_address(m): m for m in mailbox.messages}
    assert set(by_address) == {t.contact_email for t in towns}
    for link in current_links(mail_client, made.id):
        message = by_address[link.contact_email]
        assert links(message, BASE_URL) == [BASE_URL + link.path] * 2  # French, then English
        assert link.city_name in str(message["Subject"])

    timeline = mail_client.get(f"/organiser/ballots/{made.id}").text
    assert "E-mailed the candidacy links: 4 sent." in timeline
    (event,) = [e for e in event_rows(mail_client, made.id) if e.action == "mail-sent"]
    assert json.loads(event.data) == {
        "kind": "portal-link",
        "messages": [{"city": t.name, "outcome": "sent"} for t in towns],
    }
    logged = log_text(mail_client, made.id)
    for link in current_links(mail_client, made.id):
        secret = link.path.rsplit("/", 1)[-1]
        assert secret not in logged
        assert link.contact_email not in logged


def test_a_refused_address_fails_alone_and_is_sent_again(mail_client, clock, mailbox) -> None:
    made, towns, csrf = candidacies_open(mail_client, clock)
    mailbox.refuse(towns[1].contact_email)
    sent = mail_client.post(f"/organiser/ballots/{made.id}/links/mail", data={"_csrf_token": csrf})
    assert sent.status_code == 200
    assert "3 links were e-mailed." in sent.text
    assert "1 could not be sent." in sent.text
    assert "Refused by the mail server (550)" in sent.text
    assert f'<input type="hidden" name="city" value="{towns[1].id}">' in sent.text
    assert len(mailbox.messages) == 3

    mailbox.refuse()  # the address is fixed at the other end
    mailbox.clear()
    again = mail_client.post(
        f"/organiser/ballots/{made.id}/links/mail",
        data={"_csrf_token": csrf, "city": str(towns[1].id)},
    )
    assert again.status_code == 200
    assert "1 link was e-mailed." in again.text
    assert [to_address(m) for m in mailbox.messages] == [towns[1].contact_email]
    outcomes = [
        json.loads(e.data)["messages"]
        for e in event_rows(mail_client, made.id)
        if e.action == "mail-sent"
    ]
    assert outcomes[0][1] == {"city": towns[1].name, "outcome": "refused", "code": 550}
    assert outcomes[1] == [{"city": towns[1].name, "outcome": "sent"}]


def test_a_city_without_an_address_is_listed_as_not_sendable(mail_client, clock, mailbox):
    made, towns, csrf = candidacies_open(mail_client, clock)
    fields = actions.cities.fields_of(towns[0].name, towns[0].country, "Region", "", "")
    f.call(mail_client, actions.cities.edit_city, f.db(mail_client), towns[0].id, fields, clock())
    sent = mail_client.post(f"/organiser/ballots/{made.id}/links/mail", data={"_csrf_token": csrf})
    assert "3 links were e-mailed." in sent.text
    assert "1 city has no contact address." in sent.text
    assert "Not sent: the city has no contact address" in sent.text
    assert len(mailbox.messages) == 3


def test_without_mail_set_up_the_page_says_how_and_offers_the_file(client, clock) -> None:
    made, _towns, csrf = candidacies_open(client, clock)
    manage = client.get(f"/organiser/ballots/{made.id}")
    assert "Mail is not set up on this server" in manage.text
    assert f"/organiser/ballots/{made.id}/links/links.csv" in manage.text
    refused = client.post(f"/organiser/ballots/{made.id}/links/mail", data={"_csrf_token": csrf})
    assert refused.status_code == 409
    assert "INMC_SMTP_HOST" in refused.text
    assert "links.csv" in refused.text
    assert not [e for e in event_rows(client, made.id) if e.action == "mail-sent"]


def test_the_links_csv_has_a_bom_and_the_contact_columns(client, clock) -> None:
    made, towns, _csrf = candidacies_open(client, clock)
    answer = client.get(f"/organiser/ballots/{made.id}/links/links.csv")
    assert answer.content.startswith("\ufeff".encode())
    header, *rows = answer.content.decode("utf-8-sig").splitlines()
    assert header == "city,country,contact_name,contact_email,link,expires_at"
    assert sorted(r.split(",")[2] for r in rows) == sorted(t.contact_name for t in towns)
