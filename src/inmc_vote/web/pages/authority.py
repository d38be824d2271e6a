"""The credential authority's page: the tokens and letters made in the authority's own
browser (static/authority/*.js), and a lost token replaced there, with the files that
`inmc-vote tokens issue` and `tokens revoke` write. The server hands out only public
things (the ballot's facts, the electorate, the letter's wording with markers where each
city's values go); only the roll and a revocation, which hold no token, come back."""

from __future__ import annotations

import re
import secrets
from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template
from markupsafe import escape

from inmc_vote.documents.token_letters import Letter, letters_csv, letters_html, vote_link
from inmc_vote.domain.codes import Custody
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.timefmt import show_time
from inmc_vote.services import queries
from inmc_vote.web.auth import principal
from inmc_vote.web.pages.common import BallotPage, current_ballot, page
from inmc_vote.web.pages.trustee import import_map

_SECTION = '\n<section class="letter">'
_SECTION_END = "</section>\n"
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def _markers(names: tuple[str, ...]) -> dict[str, str]:
    """A random word per value, which no template, title or spreadsheet rule can hold."""
    tag = secrets.token_hex(6)
    return {name: f"mark{tag}{name}end" for name in names}


def letter_parts(
    *, title: str, question: str, closes: str, base_url: str, ballot_id: str
) -> dict[str, Any]:
    """letters.html cut around one letter rendered with markers instead of its values:
    the page repeats the letter part per city and puts the values in place of the
    markers, so that its letters are the command's, from the one template. The QR code
    (an SVG) is a marker too: the page makes none (docs/browser-v2.md)."""
    markers = _markers(("city", "country", "token", "fingerprint", "link", "qr"))
    text = letters_html(
        title=title,
        question=question,
        closes=closes,
        manifest_hash=None,
        base_url=base_url,
        ballot_id=ballot_id,
        letters=[
            Letter(markers["city"], markers["country"], markers["token"], markers["fingerprint"])
        ],
    )
    start = text.index(_SECTION)
    end = text.rindex(_SECTION_END) + len(_SECTION_END)
    link = str(escape(vote_link(base_url, ballot_id, markers["token"])))
    letter = _SVG.sub(markers["qr"], text[start:end].replace(link, markers["link"]), count=1)
    return {"head": text[:start], "letter": letter, "tail": text[end:], "markers": markers}


def csv_parts(base_url: str, ballot_id: str) -> dict[str, Any]:
    """tokens.csv as the command writes it, cut into its head (byte-order mark, header) and
    one row with markers in place of each cell the page fills (the contacts, which the
    command does not know either, stay empty)."""
    markers = _markers(("city", "country", "fingerprint", "token", "link"))
    letter = Letter(markers["city"], markers["country"], markers["token"], markers["fingerprint"])
    text = letters_csv(base_url, ballot_id, [letter])
    row = text.index(markers["city"])
    link = vote_link(base_url, ballot_id, markers["token"])
    return {
        "head": text[:row],
        "row": text[row:].replace(link, markers["link"]),
        "markers": markers,
    }


class AuthorityPages(Controller):
    path = "/ballots/{ballot_id:str}/authority"
    include_in_schema = False

    @get("/")
    async def authority(
        self,
        at: NamedDependency[BallotPage],
    ) -> Template:
        ballot = await current_ballot(at.db, at.ballot_id, at.now)
        fixed = ballot.state not in (State.DRAFT, State.CANDIDACIES, State.CANCELLED)
        electorate = await queries.ballots.electorate(at.db, at.ballot_id) if fixed else []
        title = ballot.title or f"Ballot {ballot.id}"
        closes = show_time(ballot.closes_at, ballot.timezone) if ballot.closes_at else ""
        return await page(
            at.request,
            "authority.html",
            ballot=ballot,
            offline=ballot.credential_authority == Custody.OFFLINE,
            can_issue=ballot.state == State.FROZEN.value and ballot.tokens_issued_at is None,
            can_replace=ballot.tokens_issued_at is not None
            and ballot.state in (State.FROZEN.value, State.OPEN.value),
            organiser=await principal(at.request) is not None,
            base_url=at.settings.base_url,
            import_map=import_map(),
            letter_facts={
                "ballot": ballot.id,
                "baseUrl": at.settings.base_url,
                "title": title,
                "question": ballot.question,
                "closes": closes,
                "cities": [{"name": c["name"], "country": c["country"]} for c in electorate],
                "templates": {
                    "csv": csv_parts(at.settings.base_url, ballot.id),
                    "letters": letter_parts(
                        title=title,
                        question=ballot.question,
                        closes=closes,
                        base_url=at.settings.base_url,
                        ballot_id=ballot.id,
                    ),
                },
            },
        )
