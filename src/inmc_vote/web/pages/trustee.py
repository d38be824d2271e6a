"""The trustee's own page: each step of the key ceremony and the decryption share, done
in the trustee's browser (static/trustee/*.js), as `inmc-vote trustee` does them.

The trustee reaches it from its invitation link, `/ballots/<id>/trustee#invitation=…`:
the invitation is a bearer secret, so it travels in the fragment, which the browser never
sends; nothing here sees it. The page itself is public and holds no secret: its script
reads the ceremony's public state and sends only what the trustee signs."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template

from inmc_vote.web.i18n import _
from inmc_vote.web.pages.common import BallotPage, current_ballot, page
from inmc_vote.web.pages.visibility import is_public, sees_drafts

_VOTE_TEMPLATE = Path(__file__).parent.parent / "templates" / "vote.html"
_IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.S)


@cache
def import_map() -> str:
    """The vote page's import map, text for text: this page and the authority's load the
    same vendored modules, pinned by the same hashes, and the site's script policy allows
    exactly this text (security_headers.py hashes it from vote.html)."""
    found = _IMPORT_MAP.search(_VOTE_TEMPLATE.read_text(encoding="utf-8"))
    if found is None:
        raise RuntimeError(f"{_VOTE_TEMPLATE} has no import map")
    return found.group(1)


def invitation_link(base_url: str, ballot_id: str, invitation: str) -> str:
    """The trustee's page with its invitation in the fragment (never sent to a server)."""
    return f"{base_url.rstrip('/')}/ballots/{ballot_id}/trustee#invitation={invitation}"


class TrusteePages(Controller):
    path = "/ballots"
    include_in_schema = False

    @get("/{ballot_id:str}/trustee")
    async def trustee(
        self,
        at: NamedDependency[BallotPage],
    ) -> Template:
        ballot = await current_ballot(at.db, at.ballot_id, at.now)
        # Trustees are named while the ballot may still be a draft, which the public does
        # not see: its title is then not shown, only its id (which the invitation names).
        shown = is_public(ballot) or await sees_drafts(at.request)
        title = ballot.title if shown else _("ballot {ballot_id}").format(ballot_id=ballot.id)
        response = await page(
            at.request,
            "trustee.html",
            ballot_id=ballot.id,
            title=title,
            server=at.settings.base_url.rstrip("/"),
            import_map=import_map(),
        )
        response.headers["Cache-Control"] = "no-store"
        return response
