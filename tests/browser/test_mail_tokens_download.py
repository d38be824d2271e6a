"""Issuing the tokens in a browser: once the letters' download begins, the page moves on
to say what happened and what to do next, instead of still offering "Confirm"; and a
second issue (the file was lost) lands on a page that offers to cancel and issue again."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.accessibility import check
from tests.browser.conftest import start_test_server

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tokens_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with start_test_server("tokens_server", tmp_path_factory.mktemp("tokens")) as (_, facts):
        yield facts


def test_the_page_moves_on_once_the_letters_download(page, tokens_server, tmp_path) -> None:
    base, ballot = tokens_server["base_url"], tokens_server["ballot_id"]
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(tokens_server["email"])
    page.get_by_label("Password").fill(tokens_server["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/organiser")

    page.goto(f"{base}/organiser/ballots/{ballot}/tokens")
    check(page, "tokens-confirm-download")
    with page.expect_download() as started:
        page.get_by_role(
            "button", name="Confirm: issue the tokens and download the letters"
        ).click()
    saved = tmp_path / "letters.zip"
    started.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert "letters/Nyíregyháza (HU).html" in archive.namelist()

    page.wait_for_url(f"**/organiser/ballots/{ballot}/tokens?downloaded=1")
    assert "is downloading" in page.content()
    check(page, "tokens-downloaded")
    assert page.get_by_role("button", name="Cancel this issuance and issue again").is_visible()
    assert page.get_by_role("button", name="Confirm: issue the tokens").count() == 0

    # The file was lost: cancel with a reason, and the tokens can be issued again.
    page.get_by_label("Why (for example: the download was interrupted)").fill("file lost")
    page.get_by_role("button", name="Cancel this issuance and issue again").click()
    page.goto(f"{base}/organiser/ballots/{ballot}/tokens")
    assert page.get_by_role(
        "button", name="Confirm: issue the tokens and download the letters"
    ).is_visible()
