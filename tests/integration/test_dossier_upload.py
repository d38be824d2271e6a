"""Dossier uploads, by the organiser and through a city's portal link: only a PDF of at most
20 MB before the deadline is stored; every refusal says why and stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from inmc_vote.config import LIMITS
from inmc_vote.domain.lifecycle import Action
from tests import factories as f
from tests.conftest import FakeClock

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)
Send = Callable[[bytes, str], Any]


@pytest.fixture(params=["organiser", "portal"])
def send(request: pytest.FixtureRequest, client: f.Client, clock: FakeClock) -> Send:
    """Upload a dossier for the first member city, one way or the other."""
    key = f.bearer(f.account(client, clock))
    towns = f.member_cities(client, clock, 2)
    ballot = f.ballot(client, clock)
    f.act(client, clock, ballot.id, Action.OPEN_CANDIDACIES)
    if request.param == "organiser":
        address = f"/api/v1/ballots/{ballot.id}/candidacies"
        fields = {"city_id": str(towns[0].id), **f.candidacy_fields()}
        headers = key
    else:
        token = f.portal_tokens(client, key, ballot.id)[towns[0].id]
        address = f"/api/v1/portal/{token}/candidacy"
        fields = f.candidacy_fields()
        headers = {}

    def upload(content: bytes, filename: str = "dossier.pdf") -> Any:
        files = f.dossier_file(content, filename)
        return client.post(address, data=fields, files=files, headers=headers)

    return upload


def padded_pdf(size: int) -> bytes:
    """A PDF-looking file of exactly `size` bytes."""
    head, tail = b"%PDF-1.4\n", b"\n%%EOF\n"
    return head + b"0" * (size - len(head) - len(tail)) + tail


def test_a_pdf_is_stored(client: f.Client, send: Send) -> None:
    sent = send(f.pdf(), "Our dossier.PDF")
    assert sent.status_code in (200, 201), sent.text
    assert sent.json()["dossier"]["filename"] == "Our dossier.PDF"


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_file_that_is_not_a_pdf_is_refused(client: f.Client, send: Send) -> None:
    before = f.snapshot_of(client)
    for content, filename in [
        (PNG, "dossier.png"),
        (PNG, "dossier.pdf"),  # a PNG named .pdf
        (b"Just some text, not a PDF.\n", "dossier.pdf"),
        (f.pdf()[: len(f.pdf()) // 2], "dossier.pdf"),  # a PDF cut in the middle
    ]:
        detail = f.problem(send(content, filename), 422)
        assert detail == "The dossier is not a PDF file (its content is not a PDF document).", (
            content[:20]
        )
    assert f.snapshot_of(client) == before


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_an_empty_file_is_refused(client: f.Client, send: Send) -> None:
    before = f.snapshot_of(client)
    assert f.problem(send(b"", "dossier.pdf"), 422) == "The dossier file is empty."
    assert f.snapshot_of(client) == before


def test_a_pdf_of_exactly_20_mb_is_stored(client: f.Client, send: Send) -> None:
    sent = send(padded_pdf(LIMITS.dossier_bytes), "big.pdf")
    assert sent.status_code in (200, 201), sent.text
    assert sent.json()["dossier"]["size"] == LIMITS.dossier_bytes


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_dossier_over_20_mb_is_refused(client: f.Client, send: Send) -> None:
    before = f.snapshot_of(client)
    detail = f.problem(send(padded_pdf(LIMITS.dossier_bytes + 512 * 1024), "big.pdf"), 413)
    assert detail == (
        "The dossier is 20.5 MB, 0.50 MB over the limit of 20 MB. Please send a smaller PDF."
    )
    assert f.snapshot_of(client) == before


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_body_far_over_the_limit_is_refused(client: f.Client, send: Send) -> None:
    before = f.snapshot_of(client)
    detail = f.problem(send(padded_pdf(LIMITS.dossier_bytes + 3 * 1_048_576), "huge.pdf"), 413)
    assert "larger than" in detail
    assert f.snapshot_of(client) == before


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_late_submission_is_refused(client: f.Client, clock: FakeClock, send: Send) -> None:
    assert send(f.pdf("on time"), "dossier.pdf").status_code in (200, 201)
    clock.advance(days=7)  # the deadline: 2027-01-18 09:00 UTC
    before = f.snapshot_of(client)
    for content in (f.pdf("late update"), f.pdf("another")):
        detail = f.problem(send(content, "dossier.pdf"), 409)
        assert detail == (
            "The candidacy deadline passed on 18 January 2027, 10:00 (Europe/Paris, UTC+1); "
            "nothing more can be submitted."
        )
    assert f.snapshot_of(client) == before
