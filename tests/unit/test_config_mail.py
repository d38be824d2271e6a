"""config.py's mail settings: off unless INMC_SMTP_HOST is set, and a setting that cannot
work is refused at start with a message for the operator."""

from __future__ import annotations

import pytest

from inmc_vote.config import ConfigurationError, reminder_hours, smtp_settings


def test_mail_is_off_without_a_host() -> None:
    assert smtp_settings({}) is None
    assert smtp_settings({"INMC_SMTP_HOST": "  "}) is None


def test_a_remote_host_uses_starttls_on_587_by_default() -> None:
    smtp = smtp_settings(
        {
            "INMC_SMTP_HOST": "smtp.example.org",
            "INMC_SMTP_USER": "vote",
            "INMC_SMTP_PASSWORD": "s3cret",
            "INMC_MAIL_FROM": "INMC vote <vote@example.org>",
        }
    )
    assert smtp is not None
    assert (smtp.host, smtp.port, smtp.starttls, smtp.user) == (
        "smtp.example.org",
        587,
        True,
        "vote",
    )
    assert "s3cret" not in repr(smtp)


def test_a_local_host_goes_without_tls_on_25_unless_told() -> None:
    local = {"INMC_SMTP_HOST": "127.0.0.1", "INMC_MAIL_FROM": "vote@example.org"}
    smtp = smtp_settings(local)
    assert smtp is not None
    assert (smtp.port, smtp.starttls) == (25, False)
    told = smtp_settings(local | {"INMC_SMTP_STARTTLS": "on", "INMC_SMTP_PORT": "2525"})
    assert told is not None
    assert (told.port, told.starttls) == (2525, True)


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"INMC_SMTP_PORT": "smtp"}, "INMC_SMTP_PORT"),
        ({"INMC_SMTP_PORT": "70000"}, "INMC_SMTP_PORT"),
        ({"INMC_SMTP_STARTTLS": "maybe"}, "neither on nor off"),
        ({"INMC_SMTP_USER": "vote"}, "go together"),
        ({"INMC_MAIL_FROM": ""}, "INMC_MAIL_FROM"),
    ],
)
def test_a_setting_that_cannot_work_is_refused(extra: dict[str, str], words: str) -> None:
    env = {"INMC_SMTP_HOST": "smtp.example.org", "INMC_MAIL_FROM": "vote@example.org"} | extra
    with pytest.raises(ConfigurationError, match=words):
        smtp_settings(env)


def test_reminder_hours() -> None:
    assert reminder_hours("") == 48
    assert reminder_hours("24") == 24
    for wrong in ("0", "-1", "two", "1000"):
        with pytest.raises(ConfigurationError, match="INMC_REMINDER_HOURS"):
            reminder_hours(wrong)
