"""documents/emails.py: each message as a mail reader gets it — the token only in the
link's fragment, the QR code inline, both languages, and no header a name can add."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage

import pytest

from inmc_vote.documents.emails import (
    CLOSING_REMINDER,
    portal_link_message,
    reminder_message,
    token_letter_message,
)
from inmc_vote.documents.token_letters import InBoth, Letter, letters_html
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.protocol.manifest import short_fingerprint

TOKEN = "b1.ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345-6789-ABCD-EFGH-JKMN-PQRS-TVWX-ABCD"
HASH = b"\x07" * 32
LETTER = Letter("Nyíregyháza", "HU", TOKEN, "FP12-FP34-FP56-FP78", "Anna", "anna@example.org")


def sent_and_read(message: EmailMessage) -> EmailMessage:
    """The message as bytes on the wire, parsed back as a mail reader would."""
    parsed = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def letter(closes: str | InBoth = "2029-05-01 18:00 CEST (16:00 UTC)") -> EmailMessage:
    return sent_and_read(
        token_letter_message(
            sender="INMC vote <vote@inmc.example>",
            to=LETTER.contact_email,
            letter=LETTER,
            title="Host city 2029",
            question="Which city?",
            closes=closes,
            manifest_hash=HASH,
            base_url="https://vote.example.org",
            ballot_id="b1",
        )
    )


def test_a_token_letter_puts_the_token_in_the_fragment_and_the_qr_inline() -> None:
    message = letter()
    assert message["To"] == "anna@example.org"
    assert "Nyíregyháza" in str(message["Subject"])
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = f"https://vote.example.org/vote/b1#t={TOKEN}"
    assert link in text
    assert f'href="{link}"' in html
    assert "?t=" not in text + html
    assert short_fingerprint(HASH) in text
    assert b64url(HASH) in html
    assert "Le vote ferme le 2029-05-01 18:00 CEST" in text
    assert "Voting closes\n2029-05-01 18:00 CEST" in text
    (qr,) = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert f'src="cid:{qr["Content-ID"][1:-1]}"' in html
    assert qr.get_content().startswith(b"\x89PNG")


CLOSES = InBoth.time(datetime(2029, 5, 1, 16, 0, tzinfo=UTC), "Europe/Paris")


def test_each_half_gives_the_closing_time_in_its_own_language() -> None:
    for html_or_text in (
        letter(CLOSES).get_body(preferencelist=("plain",)).get_content(),
        letter(CLOSES).get_body(preferencelist=("html",)).get_content(),
        letters_html(
            title="Host city 2029",
            question="Which city?",
            closes=CLOSES,
            manifest_hash=HASH,
            base_url="https://vote.example.org",
            ballot_id="b1",
            letters=[LETTER],
        ),
    ):
        flat = " ".join(html_or_text.split())
        assert "Le vote ferme le 1 mai 2029 à 18:00 (Europe/Paris, UTC+2)" in flat
        assert "Voting closes 1 May 2029, 18:00 (Europe/Paris, UTC+2)" in flat
        assert "1 May 2029" not in flat.split("Voting closes")[0]  # no English in the French


def test_a_portal_link_message_has_the_link_and_no_other_secret() -> None:
    message = sent_and_read(
        portal_link_message(
            sender="vote@inmc.example",
            to="anna@example.org",
            city="Lyon",
            title="Host city 2029",
            link="https://vote.example.org/portal/1.2.sig",
            deadline="2029-01-01 12:00 CET (11:00 UTC)",
            expires="2029-02-01 12:00 CET (11:00 UTC)",
        )
    )
    text = message.get_content()
    assert text.count("https://vote.example.org/portal/1.2.sig") == 2
    assert "Votre ville peut déposer sa candidature" in text
    assert "Your city can submit" in text


def test_a_reminder_names_the_public_page_only() -> None:
    message = sent_and_read(
        reminder_message(
            sender="vote@inmc.example",
            to="anna@example.org",
            kind=CLOSING_REMINDER,
            city="Lyon",
            title="Host city 2029",
            deadline="2029-05-01 18:00 CEST (16:00 UTC)",
            page="https://vote.example.org/ballots/b1",
        )
    )
    text = message.get_content()
    assert "https://vote.example.org/ballots/b1" in text
    assert "si votre ville a déjà voté" in text.lower()


def test_a_title_with_a_line_break_cannot_add_a_header() -> None:
    message = sent_and_read(
        reminder_message(
            sender="vote@inmc.example",
            to="anna@example.org",
            kind=CLOSING_REMINDER,
            city="Lyon",
            title="Host\r\nBcc: everyone@example.org",
            deadline="soon",
            page="https://vote.example.org/ballots/b1",
        )
    )
    assert message["Bcc"] is None
    assert "Bcc: everyone@example.org" in str(message["Subject"])


@pytest.mark.parametrize("bad", ["anna@example.org\r\nBcc: x@example.org"])
def test_an_address_with_a_line_break_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        reminder_message(
            sender="vote@inmc.example",
            to=bad,
            kind=CLOSING_REMINDER,
            city="Lyon",
            title="t",
            deadline="soon",
            page="https://vote.example.org/ballots/b1",
        )
