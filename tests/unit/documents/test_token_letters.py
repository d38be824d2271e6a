"""documents/token_letters.py: what a letter promises about a lost token depends on who
issued it (the server can replace its own tokens; an offline roll's cannot be)."""

from __future__ import annotations

from inmc_vote.documents.token_letters import Letter, letters_html

LETTER = Letter("Lyon", "FR", "ab12cd.EFGH-JKLM-NPQR-STUV", "fp-lyon")


def letters(manifest_hash: bytes | None) -> str:
    return letters_html(
        title="Host city 2029",
        question="Which city?",
        closes="",
        manifest_hash=manifest_hash,
        base_url="https://vote.example.org",
        ballot_id="b1",
        letters=[LETTER],
    )


def test_a_letter_the_server_issued_says_the_organiser_replaces_a_lost_token() -> None:
    page = letters(b"\x01" * 32)
    assert "Lost token: tell\n    the organiser, who replaces it" in page
    assert "signalez-le à l’organisateur, qui le remplace" in page
    assert "cannot be replaced" not in page


def test_a_letter_issued_offline_says_a_lost_token_cannot_be_replaced() -> None:
    page = letters(None)
    assert "issued offline: if it is lost, it cannot be replaced." in page
    assert "perdu, il ne peut pas être remplacé." in page
    assert "who replaces it" not in page
