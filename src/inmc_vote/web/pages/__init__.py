"""The HTML pages, rendered on the server from `templates/` (they work without JavaScript)."""

from __future__ import annotations

from inmc_vote.web.pages.authority import AuthorityPages
from inmc_vote.web.pages.organiser_accounts import OrganiserAccounts
from inmc_vote.web.pages.organiser_ballots import OrganiserBallots
from inmc_vote.web.pages.organiser_cities import OrganiserCities
from inmc_vote.web.pages.organiser_lifecycle import OrganiserLifecycle
from inmc_vote.web.pages.organiser_links import OrganiserLinks
from inmc_vote.web.pages.organiser_lost_token import OrganiserLostToken
from inmc_vote.web.pages.organiser_tokens import OrganiserTokens
from inmc_vote.web.pages.organiser_trustees import OrganiserTrustees
from inmc_vote.web.pages.portal import PortalPages
from inmc_vote.web.pages.public import PublicPages
from inmc_vote.web.pages.receipt_check import ReceiptCheckPages
from inmc_vote.web.pages.results import ResultsPages
from inmc_vote.web.pages.signin import SignInPages
from inmc_vote.web.pages.trustee import TrusteePages
from inmc_vote.web.pages.turnout_stream import TurnoutStream
from inmc_vote.web.pages.voting import VotingPages

ROUTES = [
    PublicPages,
    ResultsPages,
    SignInPages,
    OrganiserAccounts,
    OrganiserBallots,
    OrganiserCities,
    OrganiserLinks,
    OrganiserLostToken,
    OrganiserLifecycle,
    OrganiserTokens,
    OrganiserTrustees,
    PortalPages,
    VotingPages,
    TurnoutStream,
    ReceiptCheckPages,
    AuthorityPages,
    TrusteePages,
]
