"""domain/candidacies.py: what a dossier must be and what a candidacy must say."""

from __future__ import annotations

import pytest

from inmc_vote.config import LIMITS
from inmc_vote.demo.sample_pdf import sample_pdf
from inmc_vote.domain.candidacies import (
    MAX_FIELD,
    MAX_SUMMARY,
    check_candidacy_text,
)
from inmc_vote.domain.candidacies import (
    check_dossier as check_with_limit,
)
from inmc_vote.domain.errors import Invalid, TooLarge

MAX_DOSSIER_BYTES = LIMITS.dossier_bytes
NOT_A_PDF = "The dossier is not a PDF file (its content is not a PDF document)."


def check_dossier(content: bytes) -> None:
    """The check as the server runs it, with its limit."""
    check_with_limit(content, MAX_DOSSIER_BYTES)


def padded_pdf(size: int) -> bytes:
    """A PDF of exactly `size` bytes: a real one with a comment line before its end."""
    pdf = sample_pdf("Dossier", ["For the size limit."])
    head, tail = pdf[:-6], pdf[-6:]
    assert tail.startswith(b"%%EOF")
    filler = size - len(pdf) - 2
    return head + b"%" + b"x" * filler + b"\n" + tail


def test_a_real_pdf_passes() -> None:
    """Accepted: nothing raised, and nothing returned (the check keeps the bytes as given)."""
    assert check_dossier(sample_pdf("Dossier", ["Lyon would host in May."])) is None


def test_a_pdf_is_judged_by_its_bytes_not_its_name() -> None:
    with pytest.raises(Invalid) as refused:
        check_dossier(b"PK\x03\x04 this is a zip renamed dossier.pdf")
    assert refused.value.message == NOT_A_PDF


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\nno end marker",
        b"%%EOF without a header",
        b"x" * 1024 + b"%PDF-1.4\n%%EOF",
        b"%PDF-1.4\n%%EOF" + b" " * 2048,
        "%PDF-1.4 but in a text file".encode("utf-16"),
    ],
)
def test_content_that_is_not_a_pdf_is_refused(content: bytes) -> None:
    with pytest.raises(Invalid) as refused:
        check_dossier(content)
    assert refused.value.message == NOT_A_PDF


def test_a_header_a_little_after_the_start_is_still_a_pdf() -> None:
    assert check_dossier(b"\xef\xbb\xbf" + b"junk" * 100 + b"%PDF-1.4\n1 0 obj\n%%EOF\n") is None


def test_an_empty_dossier_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        check_dossier(b"")
    assert refused.value.message == "The dossier file is empty."


def test_the_size_limit_is_exact() -> None:
    at_limit = padded_pdf(MAX_DOSSIER_BYTES)
    assert len(at_limit) == MAX_DOSSIER_BYTES
    check_dossier(at_limit)
    over = padded_pdf(MAX_DOSSIER_BYTES + 1)
    with pytest.raises(TooLarge) as refused:
        check_dossier(over)
    assert refused.value.status == 413
    # one byte over: the size alone would read "20.0 MB" against 20 MB, so the excess is said
    assert refused.value.message == (
        "The dossier is 20.000 MB, less than 1 kB over the limit of 20 MB. "
        "Please send a smaller PDF."
    )


def test_candidacy_texts_within_limits_pass() -> None:
    assert check_candidacy_text("s" * MAX_SUMMARY, "d" * MAX_FIELD, "v" * MAX_FIELD) is None


@pytest.mark.parametrize(
    ("summary", "dates", "venue", "message"),
    [
        (" ", "May", "Hall", "The candidacy needs a summary."),
        ("s" * (MAX_SUMMARY + 1), "May", "Hall", "The summary is longer than 5000 characters."),
        ("S", "", "Hall", "The candidacy needs the proposed dates."),
        ("S", "May", "\t", "The candidacy needs the proposed venue."),
        ("S", "d" * (MAX_FIELD + 1), "Hall", "The proposed dates are longer than 300 characters."),
        ("S", "May", "v" * (MAX_FIELD + 1), "The venue is longer than 300 characters."),
    ],
)
def test_candidacy_texts_breaking_a_rule_are_refused(
    summary: str, dates: str, venue: str, message: str
) -> None:
    with pytest.raises(Invalid) as refused:
        check_candidacy_text(summary, dates, venue)
    assert refused.value.message == message
