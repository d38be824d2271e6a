"""Candidacies: who may submit, until when, and what a dossier must be."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from inmc_vote.domain.errors import Invalid, TooLarge
from inmc_vote.domain.text import check_text

# What a candidacy's texts may be, part of what a candidacy is rather than a server
# setting (config.Limits, which holds the dossier's size): the dates and venue are as
# wide as their columns (db/models.py).
MAX_SUMMARY = 5_000
MAX_FIELD = 300
# How long a candidacy-portal link is valid, in days.
MIN_LINK_DAYS = 1
MAX_LINK_DAYS = 366


class CandidacyStatus(StrEnum):
    SUBMITTED = "submitted"  # waiting for the organiser's decision
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


def _over_limit(size: int, limit: int) -> tuple[str, str]:
    """The size in MB with as many decimals as it takes to differ from the limit (20.04,
    not 20.0 against 20), and by how much it is over, in the unit that shows it."""
    mb = 1_048_576
    decimals = next((d for d in (1, 2, 3) if round(size / mb, d) > limit / mb), 3)
    excess = size - limit
    if excess >= mb // 100:
        over = f"{excess / mb:.2f} MB"
    else:
        over = f"{excess // 1024} kB" if excess >= 1024 else "less than 1 kB"
    return f"{size / mb:.{decimals}f}", over


def check_dossier(content: bytes, max_bytes: int) -> None:
    """A dossier is a PDF of at most `max_bytes` (the server's `LIMITS.dossier_bytes`),
    judged by its bytes and not by its name."""
    if len(content) > max_bytes:
        size, over = _over_limit(len(content), max_bytes)
        raise TooLarge(
            "The dossier is {size} MB, {over} over the limit of {max_bytes} MB. "
            "Please send a smaller PDF.",
            size=size,
            over=over,
            max_bytes=max_bytes // 1_048_576,
        )
    if not content:
        raise Invalid("The dossier file is empty.")
    # A PDF starts with its header within the first 1024 bytes and ends with %%EOF.
    if b"%PDF-" not in content[:1024] or b"%%EOF" not in content[-2048:]:
        raise Invalid("The dossier is not a PDF file (its content is not a PDF document).")


def check_candidacy_text(summary: str, dates: str, venue: str) -> None:
    if not summary.strip():
        raise Invalid("The candidacy needs a summary.")
    if len(summary) > MAX_SUMMARY:
        raise Invalid("The summary is longer than {maximum} characters.", maximum=MAX_SUMMARY)
    if not dates.strip():
        raise Invalid("The candidacy needs the proposed dates.")
    if not venue.strip():
        raise Invalid("The candidacy needs the proposed venue.")
    if len(dates) > MAX_FIELD:
        raise Invalid("The proposed dates are longer than {maximum} characters.", maximum=MAX_FIELD)
    if len(venue) > MAX_FIELD:
        raise Invalid("The venue is longer than {maximum} characters.", maximum=MAX_FIELD)
    check_text("the summary", summary, lines=True)
    check_text("the proposed dates", dates)
    check_text("the venue", venue)


def check_summary_translations(summary_fr: str, summary_en: str) -> tuple[str, str]:
    """The summary in French and in English (optional), stripped, or Invalid."""
    if len(summary_fr) > MAX_SUMMARY:
        raise Invalid(
            "The summary in French is longer than {maximum} characters.", maximum=MAX_SUMMARY
        )
    if len(summary_en) > MAX_SUMMARY:
        raise Invalid(
            "The summary in English is longer than {maximum} characters.", maximum=MAX_SUMMARY
        )
    check_text("the summary in French", summary_fr, lines=True)
    check_text("the summary in English", summary_en, lines=True)
    return summary_fr.strip(), summary_en.strip()


def link_validity(days: int) -> timedelta:
    """How long a new portal link is valid: between MIN_LINK_DAYS and MAX_LINK_DAYS days."""
    if not MIN_LINK_DAYS <= days <= MAX_LINK_DAYS:
        raise Invalid(
            "A portal link is valid for between {minimum} and {maximum} days; "
            "{days} were asked for.",
            minimum=MIN_LINK_DAYS,
            maximum=MAX_LINK_DAYS,
            days=days,
        )
    return timedelta(days=days)
