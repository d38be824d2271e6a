"""The words pages show for states, statuses and actions.

Marked with `N_` (kept untranslated here) and translated with `_()` when a page is
rendered, so that a catalogue loaded later still applies.
"""

from __future__ import annotations

from inmc_vote.domain.candidacies import CandidacyStatus
from inmc_vote.domain.errors import N_ as N_  # the one marker, for the pages that import it here
from inmc_vote.domain.lifecycle import Action, State

PUBLISHED = "published"

STATE_WORDS: dict[str, str] = {  # keyed by State, looked up by a stored state's text
    State.DRAFT: N_("Draft"),
    State.CANDIDACIES: N_("Open for candidacies"),
    State.FROZEN: N_("Frozen"),
    State.OPEN: N_("Open for voting"),
    State.CLOSED: N_("Closed"),
    State.TALLIED: N_("Counted, not published yet"),
    State.CANCELLED: N_("Cancelled"),
    # not a state: a tallied round whose results are public (`Ballot.published`)
    PUBLISHED: N_("Results published"),
}


def state_key(state: str, published: bool) -> str:
    """The key of STATE_WORDS for a ballot: a tallied, published round reads "published"."""
    return PUBLISHED if state == State.TALLIED and published else state


CANDIDACY_WORDS: dict[CandidacyStatus, str] = {
    CandidacyStatus.SUBMITTED: N_("Submitted, awaiting decision"),
    CandidacyStatus.ACCEPTED: N_("Accepted"),
    CandidacyStatus.REJECTED: N_("Rejected"),
    CandidacyStatus.WITHDRAWN: N_("Withdrawn"),
}

# The button that leads to an action's confirmation page.
ACTION_BUTTONS: dict[Action, str] = {
    Action.OPEN_CANDIDACIES: N_("Open for candidacies"),
    Action.FREEZE: N_("Freeze candidates and electorate"),
    Action.OPEN: N_("Open voting now"),
    Action.CLOSE: N_("Close voting early"),
    Action.TALLY: N_("Count the votes"),
    Action.PUBLISH: N_("Publish the results"),
    Action.NEXT_ROUND: N_("Call the next round of voting"),
    Action.CANCEL: N_("Cancel the ballot"),
}

# What an action does, and what it cannot undo, for its confirmation page.
ACTION_EXPLAINED: dict[Action, tuple[str, str]] = {
    Action.OPEN_CANDIDACIES: (
        N_(
            "Member cities can then submit, update or withdraw a candidacy through "
            "their portal links until the candidacy deadline. You can still edit the "
            "ballot's settings until it is frozen."
        ),
        N_("The ballot cannot go back to draft."),
    ),
    Action.FREEZE: (
        N_(
            "The accepted candidacies become the candidates and the member cities "
            "active now become the electorate. Every candidacy must have been decided "
            "and the candidacy deadline must have passed."
        ),
        N_("The settings, the candidacies, the candidates and the electorate are fixed for good."),
    ),
    Action.OPEN: (
        N_("Voting opens now and stays open until the closing time."),
        N_("Once open, the vote can only close or be cancelled."),
    ),
    Action.CLOSE: (
        N_(
            "Voting closes now, before its scheduled closing time. No vote is accepted "
            "after this. Your reason is shown on the ballot's public timeline."
        ),
        N_("The vote cannot be reopened."),
    ),
    Action.TALLY: (
        N_(
            "The server combines the trustees' decryptions of their shuffled ballots (the "
            "votes, attached to no ballot), sets aside the blank and the invalid ones (each "
            "with its reason), counts the others by the ballot's method, draws any lot from "
            "the sealed board and the trustees' reveals, and signs the result. The signed "
            "tally record names every shuffle and decryption, so that anyone can check them "
            "and redo the count and every lot. Only organisers see the results until you "
            "publish them."
        ),
        N_("The round is counted once, and its signed record is kept for good."),
    ),
    Action.PUBLISH: (
        N_(
            "The results of this round become public: anyone can read them on the results "
            "page, with every round, every elimination and every lot, and download the signed "
            "tally record and the audit bundle to check them."
        ),
        N_("Published results cannot be taken back."),
    ),
    Action.NEXT_ROUND: (
        N_(
            "No city has more than half the votes, so the cities vote again. The new round "
            "gets its own manifest (a new ballot fingerprint), encrypted to the same trustees' "
            "key; every city votes again with the token it already has. It opens "
            "at its opening time, or when you open it, and closes at its closing time."
        ),
        N_("The new round's candidates and manifest are fixed as soon as you confirm."),
    ),
    Action.CANCEL: (
        N_(
            "The ballot is cancelled for good. Your reason is shown on the ballot's "
            "public page and in its event log."
        ),
        N_("A cancelled ballot cannot be resumed."),
    ),
}

# Actions whose confirmation asks for a reason (the services refuse them without one).
NEEDS_REASON = frozenset({Action.CLOSE, Action.CANCEL})

# The settings named in an "edit" event.
SETTING_WORDS: dict[str, str] = {
    "title": N_("title"),
    "question": N_("question"),
    "translations": N_("title and question in French and English"),
    "description": N_("description"),
    "method": N_("counting method"),
    "rules": N_("rules"),
    "timezone": N_("time zone"),
    "candidacy_deadline": N_("candidacy deadline"),
    "opens_at": N_("opening time"),
    "closes_at": N_("closing time"),
}
