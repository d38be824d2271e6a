"""Reminders before the candidacy deadline and before voting closes: sent once per
deadline (even by two processes checking at the same moment), with no secret in them,
and only when mail is set up."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import timedelta

import pytest

from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.reminders import send_due_reminders
from tests import factories as f
from tests.conftest import BASE_URL, SECRET_KEY
from tests.mail_helpers import event_rows, plain_text, to_address
from tests.voting_helpers import open_ballot


def with_mail(client, mailbox):
    return dataclasses.replace(client.app.state.settings, smtp=mailbox.settings())


def remind(client, settings, now):
    return f.call(client, send_due_reminders, f.db(client), settings, now)


def test_the_candidacy_reminder_goes_once_to_the_cities_with_a_link(client, clock, mailbox):
    towns = f.member_cities(client, clock, 3)
    made = f.ballot(client, clock)
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    f.call(
        client, actions.portal.make_links, f.db(client), SECRET_KEY, f.ORGANISER, made.id, clock()
    )
    settings = with_mail(client, mailbox)
    deadline = made.candidacy_deadline
    assert deadline is not None

    assert remind(client, settings, deadline - timedelta(hours=49)) == []  # not yet
    (report,) = remind(client, settings, deadline - timedelta(hours=47))
    assert len(report.sent) == 3
    assert sorted(to_address(m) for m in mailbox.messages) == sorted(t.contact_email for t in towns)
    text = plain_text(mailbox.messages[0])
    assert f"{BASE_URL}/ballots/{made.id}" in text
    assert "/portal/" not in text  # a reminder carries no secret link
    assert "Candidacies close" in text
    assert "Les candidatures ferment" in text

    assert remind(client, settings, deadline - timedelta(hours=20)) == []  # sent already
    assert remind(client, settings, deadline + timedelta(hours=1)) == []  # past
    assert len(mailbox.messages) == 3
    claims = [e for e in event_rows(client, made.id) if e.action == "reminder-due"]
    assert [json.loads(c.data)["reminder"] for c in claims] == ["reminder-candidacy"]
    (logged,) = [e for e in event_rows(client, made.id) if e.action == "mail-sent"]
    assert json.loads(logged.data)["kind"] == "reminder-candidacy"
    assert logged.actor == "schedule:clock"


@pytest.mark.both_databases
def test_the_closing_reminder_is_claimed_once_by_two_checks_at_once(client, clock, mailbox):
    ballot_id, _key, rows = open_ballot(client, clock)
    settings = with_mail(client, mailbox)
    closes = f.call(client, queries.ballots.get_ballot, f.db(client), ballot_id).closes_at
    at = closes - timedelta(hours=10)

    async def two_processes():
        return await asyncio.gather(
            send_due_reminders(f.db(client), settings, at),
            send_due_reminders(f.db(client), settings, at),
        )

    first, second = f.call(client, two_processes)
    assert sorted([len(first), len(second)]) == [0, 1]
    assert len(mailbox.messages) == len(rows)
    for message in mailbox.messages:
        text = plain_text(message)
        assert "If your city has already voted, ignore this message." in text
        assert all(row["token"] not in text for row in rows)
    assert remind(client, settings, at + timedelta(hours=1)) == []
    assert len(mailbox.messages) == len(rows)


def test_no_reminder_without_mail(client, clock) -> None:
    f.member_cities(client, clock, 2)
    made = f.ballot(client, clock)
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    assert made.candidacy_deadline is not None
    settings = client.app.state.settings
    assert settings.smtp is None
    assert remind(client, settings, made.candidacy_deadline - timedelta(hours=1)) == []
    assert not [e for e in event_rows(client, made.id) if e.action == "reminder-due"]
