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


def check_dossier(content: bytes, max_bytes: int) -> None:
    """A dossier is a PDF of at most `max_bytes` (the server's `LIMITS.dossier_bytes`),
    judged by its bytes and not by its name."""
    if len(content) > max_bytes:
        raise TooLarge(
            f"The dossier is {len(content) / 1_048_576:.1f} MB; the limit is "
            f"{max_bytes // 1_048_576} MB. Please send a smaller PDF."
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
        raise Invalid(f"The summary is longer than {MAX_SUMMARY} characters.")
    if not dates.strip():
        raise Invalid("The candidacy needs the proposed dates.")
    if not venue.strip():
        raise Invalid("The candidacy needs the proposed venue.")
    for label, value in (("proposed dates are", dates), ("venue is", venue)):
        if len(value) > MAX_FIELD:
            raise Invalid(f"The {label} longer than {MAX_FIELD} characters.")
    check_text("the summary", summary, lines=True)
    check_text("the proposed dates", dates)
    check_text("the venue", venue)


def link_validity(days: int) -> timedelta:
    """How long a new portal link is valid: between MIN_LINK_DAYS and MAX_LINK_DAYS days."""
    if not MIN_LINK_DAYS <= days <= MAX_LINK_DAYS:
        raise Invalid(
            f"A portal link is valid for between {MIN_LINK_DAYS} and {MAX_LINK_DAYS} days; "
            f"{days} were asked for."
        )
    return timedelta(days=days)
