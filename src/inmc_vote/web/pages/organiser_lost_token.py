"""Finding a lost token's fingerprint from the letters file the organiser kept.

A city that lost its letter does not know its fingerprint, and the server never knew
which city holds which credential. The organiser does: the letters file (tokens-….zip,
or its tokens.csv) lists each city next to its fingerprint. The organiser uploads it,
picks the city, confirms, and the replacement (POST …/lost-token, organiser_tokens.py)
goes through with that fingerprint, its letter addressed to the city. With JavaScript
the browser reads the file and sends only the cities, countries and fingerprints
(static/lost-token.js), so no token leaves the organiser's computer; without it the
server reads only those columns from the whole file, and keeps nothing of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import MultipartBody, URLEncodedBody
from litestar.response import Template

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot
from inmc_vote.documents.letters_file import LetterRow, find_city, read_letters_file
from inmc_vote.domain.codes import SERVER_MADE
from inmc_vote.domain.errors import Conflict, Invalid, RuleError
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.protocol import readable
from inmc_vote.services import queries
from inmc_vote.web.auth import organisers_only
from inmc_vote.web.i18n import refusal
from inmc_vote.web.pages.common import BallotPage, current_ballot, page

LETTERS_FILE_BODY = 32 * 1024 * 1024  # a letters ZIP of a few hundred cities, and framing


@dataclass
class LettersUpload:
    letters: UploadFile | None = None
    city: str = ""


@dataclass
class ChosenCity:
    fingerprint: str = ""
    city: str = ""
    country: str = ""


@dataclass(frozen=True)
class ListedCity:
    city: str
    country: str
    fingerprint: str
    replaced: bool


def replaceable(ballot: Ballot) -> None:
    """Refuse up front when no token of this ballot can be replaced from this page."""
    if ballot.tokens_issued_at is None or ballot.state not in (State.FROZEN, State.OPEN):
        raise Conflict(
            "The ballot is {state}: a lost token is replaced after the tokens are issued "
            "and before voting closes.",
            state=ballot.state,
        )
    if ballot.credential_authority not in SERVER_MADE:
        raise Conflict(
            "This ballot's registrar key is offline: only its registrar can replace a "
            "lost token (see the ballot's page)."
        )


def already_replaced(fingerprint: str, city: str) -> Conflict:
    """The same refusal whether the city was picked from the file or confirmed."""
    return Conflict(
        "The token {fingerprint} of {city} was already replaced: use the "
        "replacement letter's fingerprint (in its own file).",
        fingerprint=fingerprint,
        city=city,
    )


async def listed_cities(db: Database, ballot_id: str, rows: list[LetterRow]) -> list[ListedCity]:
    """The file's cities whose credential is on this ballot's roll; a file none of whose
    fingerprints is (another ballot's, or a cancelled issuance's) is the wrong file."""
    states = await queries.lost_tokens.revoked_by_fingerprint(
        db, ballot_id, [r.fingerprint for r in rows]
    )
    if not states:
        raise Invalid(
            "None of the {count} token fingerprints in this file is on this ballot's roll: "
            "it is the letters file of another ballot, or of an issuance that was cancelled.",
            count=len(rows),
        )
    return [
        ListedCity(r.city, r.country, r.fingerprint, states[r.fingerprint])
        for r in rows
        if r.fingerprint in states
    ]


class OrganiserLostToken(Controller):
    path = "/organiser/ballots/{ballot_id:str}/lost-token"
    guards = [organisers_only]
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        ballot: Ballot,
        status_code: int = 200,
        **context: Any,
    ) -> Template:
        return await page(
            request, "organiser_lost_token.html", status_code, ballot=ballot, **context
        )

    @get("/find")
    async def find(
        self,
        at: NamedDependency[BallotPage],
    ) -> Template:
        ballot = await current_ballot(at.db, at.ballot_id, at.now)
        try:
            replaceable(ballot)
        except RuleError as refused:
            return await self._page(at.request, ballot, refused.status, closed=refusal(refused))
        return await self._page(at.request, ballot)

    @post("/letters", request_max_body_size=LETTERS_FILE_BODY)
    async def letters(
        self,
        at: NamedDependency[BallotPage],
        data: MultipartBody[LettersUpload],
    ) -> Template:
        """List the cities of the uploaded letters file; with a city's name, go straight
        to the confirmation for that city."""
        ballot = await current_ballot(at.db, at.ballot_id, at.now)
        try:
            replaceable(ballot)
            if data.letters is None or not data.letters.filename:
                raise Invalid("Choose the letters file you kept (tokens-….zip or tokens.csv).")
            content = await data.letters.read()
            cities = await listed_cities(at.db, at.ballot_id, read_letters_file(content))
            del content  # the tokens in it are not kept, even for the rest of this request
            if data.city.strip():
                chosen = _named(cities, data.city)
                if not chosen:
                    raise Invalid(
                        "No city called «{city}» is in this letters file; it lists {count} "
                        "cities (see the list below the form when no name is given).",
                        city=data.city.strip(),
                        count=len(cities),
                    )
                if len(chosen) == 1 and chosen[0].replaced:
                    raise already_replaced(chosen[0].fingerprint, chosen[0].city)
                if len(chosen) == 1:
                    return await self._page(at.request, ballot, chosen=chosen[0])
                return await self._page(at.request, ballot, cities=chosen, city=data.city)
        except RuleError as refused:
            return await self._page(
                at.request, ballot, refused.status, error=refusal(refused), city=data.city
            )
        return await self._page(at.request, ballot, cities=cities)

    @post("/confirm")
    async def confirm(
        self,
        at: NamedDependency[BallotPage],
        data: URLEncodedBody[ChosenCity],
    ) -> Template:
        """Say what will happen to the chosen city's token; nothing changes yet."""
        ballot = await current_ballot(at.db, at.ballot_id, at.now)
        try:
            replaceable(ballot)
            if not data.city.strip():
                raise Invalid("Name the city that lost its token: its replacement letter names it.")
            fingerprint = readable.grouped(readable.normalise(data.fingerprint))
            states = await queries.lost_tokens.revoked_by_fingerprint(
                at.db, at.ballot_id, [fingerprint]
            )
            if fingerprint not in states:
                raise Invalid(
                    "No credential of this ballot has the fingerprint {fingerprint}.",
                    fingerprint=fingerprint,
                )
            if states[fingerprint]:
                raise already_replaced(fingerprint, data.city.strip())
        except RuleError as refused:
            return await self._page(
                at.request, ballot, refused.status, error=refusal(refused), typed=data
            )
        chosen = ListedCity(data.city.strip(), data.country.strip(), fingerprint, False)
        return await self._page(at.request, ballot, chosen=chosen)


def _named(cities: list[ListedCity], name: str) -> list[ListedCity]:
    rows = [LetterRow(c.city, c.country, c.fingerprint) for c in cities]
    found = {r.fingerprint for r in find_city(rows, name)}
    return [c for c in cities if c.fingerprint in found]
