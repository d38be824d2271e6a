"""The roll of credentials, inside a transaction: the one rule for when a ballot's tokens
may be issued (by the server, or offline and uploaded as a roll) and the one way a
credential goes on the roll; and, before the transaction, the one way a file the offline
registrar signed (a roll, a revocation) is read for a ballot."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.models import Ballot, RollEntry
from inmc_vote.domain.errors import Conflict, Invalid
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.protocol import credentials
from inmc_vote.domain.timefmt import Zoned


class _ForBallot(Protocol):
    @property
    def ballot_id(self) -> str: ...


RegistrarFile = TypeVar("RegistrarFile", bound=_ForBallot)


def read_registrar_file(
    parse: Callable[[Any], RegistrarFile],
    refusal: type[ValueError],
    body: Any,
    ballot_id: str,
    what: str,
) -> RegistrarFile:
    """The uploaded `body` read by `parse` (its `refusal` answered 422) and checked to be
    for `ballot_id`; `what` names the file for the person uploading it."""
    try:
        made = parse(body)
    except refusal as error:
        raise Invalid.as_written(str(error)) from None
    if made.ballot_id != ballot_id:
        raise Invalid(
            "This {what} is for ballot «{other}», not «{ballot_id}»: upload it to its own ballot.",
            what=what,
            other=made.ballot_id,
            ballot_id=ballot_id,
        )
    return made


def check_tokens_can_be_issued(ballot: Ballot) -> None:
    """Tokens are issued once, online or offline, and only for a frozen ballot: the
    manifest fixes one roll, and a second set of tokens would not match it (an issuance
    that no voter used can be cancelled first, with a reason: `tokens.cancel_issuance`)."""
    if ballot.tokens_issued_at is not None:
        raise Conflict(
            "The tokens were issued on {time}"
            "; they are issued once, online or offline. If their letters were lost before "
            "voting opened (a failed download), cancel that issuance with a reason, then "
            "issue again; a single lost token is revoked and replaced by its fingerprint.",
            time=Zoned(ballot.tokens_issued_at, ballot.timezone),
        )
    if ballot.state != State.FROZEN.value:
        raise Conflict(
            "The ballot is {state}: tokens are issued (or an offline roll uploaded) "
            "once it is frozen, and only once.",
            state=ballot.state,
        )


def add(
    session: AsyncSession, ballot_id: str, lines: Iterable[credentials.RollLine], *, initial: bool
) -> None:
    """Put signed credentials on the roll, in the order of their public keys; `initial`
    for the roll the manifest fixes, not for a lost token's replacement."""
    for line in sorted(lines, key=lambda line: line.pk):
        session.add(
            RollEntry(
                ballot_id=ballot_id,
                pk=line.pk,
                sig=line.sig,
                fingerprint=credentials.fingerprint(line.pk),
                initial=initial,
            )
        )
