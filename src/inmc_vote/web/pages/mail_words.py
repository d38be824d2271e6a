"""The words the mail pages show for what became of a message (`steps.mailer`)."""

from __future__ import annotations

from inmc_vote.services.steps.mailer import NO_ADDRESS, REFUSED, SENT, UNREACHABLE
from inmc_vote.web.pages.words import N_

OUTCOME_WORDS: dict[str, str] = {
    SENT: N_("Sent"),
    REFUSED: N_("Refused by the mail server"),
    UNREACHABLE: N_("Not sent: the mail server could not be reached"),
    NO_ADDRESS: N_("Not sent: the city has no contact address"),
}
