"""The HTML pages, rendered on the server from `templates/` (they work without JavaScript)."""

from __future__ import annotations

from inmc_vote.web.pages.public import PublicPages
from inmc_vote.web.pages.signin import SignInPages

ROUTES = [PublicPages, SignInPages]
