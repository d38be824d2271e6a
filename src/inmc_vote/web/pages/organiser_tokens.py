"""The organiser's token pages: issue the tokens (once, through a confirmation page that
says the download is the only copy) and download the letters or, for a `server-mail`
ballot, have the server mail them; send again the letters that could not be sent; cancel
an issuance whose letters were lost before voting opened (a second click on "issue" lands
on the page that offers it, not on a bare refusal); replace a lost token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from inmc_vote.domain.codes import SERVER_MADE, Custody
from inmc_vote.domain.errors import Invalid, RuleError
from inmc_vote.domain.lifecycle import State
from inmc_vote.services import actions, queries
from inmc_vote.services.actors import Actor
from inmc_vote.web.auth import organisers_only
from inmc_vote.web.i18n import refusal
from inmc_vote.web.letters_download import (
    issue_letters,
    replacement_letter,
    unsent_letters,
    zip_response,
)
from inmc_vote.web.pages.common import BallotPage, current_ballot, page, see_other
from inmc_vote.web.pages.mail_words import OUTCOME_WORDS
from inmc_vote.web.pages.organiser_ballots import refused_page
from inmc_vote.web.pages.voting import voting_facts


@dataclass
class LostTokenForm:
    fingerprint: str = ""
    city: str = ""  # the replacement letter is addressed to it (never logged)
    country: str = ""


@dataclass
class CancelIssuanceForm:
    reason: str = ""


def returned_letters(form: Any) -> list[tuple[int, str]]:
    """The `letter` fields a report page gives back, each "<city id>:<token>"."""
    found = []
    for value in form.getall("letter") if "letter" in form else []:
        city, _sep, token = str(value).partition(":")
        if not city.isdigit() or not token:
            raise Invalid("A letter given back is not «city id:token».")
        found.append((int(city), token))
    return found


async def tokens_page(
    at: BallotPage,
    refused: RuleError | None = None,
    *,
    downloaded: bool = False,
) -> Template:
    """The issuing page: what issuing does and the ways to do it, or, once the tokens are
    issued, when, and what to do if the letters did not arrive (cancel and issue again
    while voting has not opened). A refused click (a second one, say) shows its reason
    here, with the way forward, rather than a bare error page."""
    ballot = await current_ballot(at.db, at.ballot_id, at.now)
    state = State(ballot.state)
    return await page(
        at.request,
        "organiser_tokens.html",
        status_code=refused.status if refused else 200,
        ballot=ballot,
        electorate_size=await queries.ballots.electorate_size(at.db, at.ballot_id),
        facts=await voting_facts(at.db, ballot),
        refused=refusal(refused) if refused else "",
        downloaded=downloaded,
        mail_ready=at.settings.smtp is not None,
        mail_custody=ballot.credential_authority == Custody.SERVER_MAIL,
        server_custody=ballot.credential_authority in SERVER_MADE,
        without_address=await queries.mail.cities_without_address(at.db, at.ballot_id),
        can_cancel=state is State.FROZEN
        and ballot.round == 1
        and ballot.tokens_issued_at is not None,
    )


async def mailed_page(at: BallotPage, mailed: actions.mailing.MailedLetters) -> Template:
    """What happened to each letter, and what to do with those not sent: the page holds
    their tokens (the only copy) in its forms, to send again or download."""
    ballot = await current_ballot(at.db, at.ballot_id, at.now)
    report = mailed.report
    failed = {d.city_id for d in report.failed}
    shown = await page(
        at.request,
        "organiser_tokens_mailed.html",
        ballot=ballot,
        report=report,
        retry=[x for x in mailed.unsent if x.city_id in failed],
        unsent=mailed.unsent,
        outcome_words=OUTCOME_WORDS,
        can_cancel=State(ballot.state) is State.FROZEN and ballot.round == 1,
    )
    shown.headers["Cache-Control"] = "no-store"  # it holds the unsent letters' tokens
    return shown


async def mailed_or_refused(
    at: BallotPage, send: Callable[[], Awaitable[actions.mailing.MailedLetters]]
) -> Template:
    """Mail letters with `send` and show what became of them, or the refusal (nothing
    sent) on the issuing page."""
    try:
        mailed = await send()
    except RuleError as refused:
        return await tokens_page(at, refused)
    return await mailed_page(at, mailed)


class OrganiserTokens(Controller):
    path = "/organiser/ballots/{ballot_id:str}"
    guards = [organisers_only]
    include_in_schema = False

    @get("/tokens")
    async def confirm_issue(
        self,
        at: NamedDependency[BallotPage],
    ) -> Template:
        downloaded = at.request.query_params.get("downloaded") == "1"
        return await tokens_page(at, downloaded=downloaded)

    @post("/tokens")
    async def issue(
        self,
        at: NamedDependency[BallotPage],
        actor: NamedDependency[Actor],
    ) -> Response[bytes] | Template:
        try:
            answer = zip_response(
                await issue_letters(at.db, at.settings, actor, at.ballot_id, at.now)
            )
        except RuleError as refused:
            return await tokens_page(at, refused)
        # For letters-download.js: the download began, so the page may move on.
        answer.set_cookie(
            "inmc_letters",
            at.ballot_id,
            path=f"/organiser/ballots/{at.ballot_id}",
            max_age=120,
            httponly=False,
            samesite="strict",
            secure=at.settings.secure_cookies,
        )
        return answer

    @post("/tokens/mail")
    async def issue_and_mail(
        self,
        at: NamedDependency[BallotPage],
        actor: NamedDependency[Actor],
    ) -> Template:
        return await mailed_or_refused(
            at,
            lambda: actions.mailing.issue_and_mail_letters(
                at.db, at.settings, actor, at.ballot_id, at.now
            ),
        )

    @post("/tokens/mail-again")
    async def mail_again(
        self,
        at: NamedDependency[BallotPage],
        actor: NamedDependency[Actor],
    ) -> Template:

        async def send() -> actions.mailing.MailedLetters:
            returned = returned_letters(await at.request.form())
            return await actions.mailing.mail_letters_again(
                at.db, at.settings, actor, at.ballot_id, returned, at.now
            )

        return await mailed_or_refused(at, send)

    @post("/tokens/unsent")
    async def download_unsent(
        self,
        at: NamedDependency[BallotPage],
    ) -> Response[bytes] | Template:
        try:
            returned = returned_letters(await at.request.form())
            return zip_response(await unsent_letters(at.db, at.settings, at.ballot_id, returned))
        except RuleError as refused:
            return await tokens_page(at, refused)

    @post("/tokens/cancel")
    async def cancel_issuance(
        self,
        at: NamedDependency[BallotPage],
        data: URLEncodedBody[CancelIssuanceForm],
        actor: NamedDependency[Actor],
    ) -> Redirect | Template:
        try:
            await actions.tokens.cancel_issuance(at.db, actor, at.ballot_id, data.reason, at.now)
        except RuleError as refused:
            return await refused_page(
                at,
                refused,
                "cancel",
                cancel_reason=data.reason,
            )
        return see_other(f"/organiser/ballots/{at.ballot_id}?done=tokens-cancelled#tokens")

    @post("/lost-token")
    async def lost_token(
        self,
        at: NamedDependency[BallotPage],
        data: URLEncodedBody[LostTokenForm],
        actor: NamedDependency[Actor],
    ) -> Response[bytes] | Template:
        try:
            if not data.city.strip():
                raise Invalid("Name the city that lost its token: its replacement letter names it.")
            download = await replacement_letter(
                at.db,
                at.settings,
                actor,
                at.ballot_id,
                data.fingerprint,
                at.now,
                data.city,
                data.country,
            )
        except RuleError as refused:
            return await refused_page(
                at,
                refused,
                "lost",
                lost_fingerprint=data.fingerprint,
            )
        return zip_response(download)
