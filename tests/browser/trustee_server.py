"""A live server with a ballot whose trustees are named but have done nothing yet, for
the trustee page's browser journey (tests/browser/test_trustee_pages.py).

Run as `python -m tests.browser.trustee_server --port P --folder F`: it builds a fresh
SQLite database through the services with times in the past (candidacies in, their
deadline passed, so that the organiser may freeze once the ceremony is complete), names
three trustees with threshold 2, and names three more on a draft (for a complaint);
writes F/facts.json (the ballots, the invitations, an organiser's API key) and serves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inmc_vote.db.engine import Database
from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions
from inmc_vote.services.actions.ballots import BallotForm
from inmc_vote.services.actions.lifecycle import ActionRequest
from inmc_vote.services.actors import organiser
from tests.browser.serve import accept_candidacy, serve

CITIES = [("Cuneo", "IT"), ("Greenville", "US"), ("Ota", "JP"), ("Troyes", "FR")]
TRUSTEES = ["Ana Costa", "Bram de Vries", "Chiara Rossi"]
WHO = organiser("organiser@example.org")


async def build(url: str, secret_key: bytes) -> dict[str, object]:
    now = datetime.now(UTC)
    start = now - timedelta(days=10)
    db = Database(url, at_rest_key=secret_key)
    try:
        account = await actions.accounts.add_account(db, "organiser@example.org", start)
        towns = [
            await actions.cities.add_city(db, actions.cities.fields_of(name, country), start)
            for name, country in CITIES
        ]
        made = await actions.ballots.create_ballot(
            db,
            WHO,
            BallotForm(
                title="Host city 2029",
                question="Which city should host the 2029 meetings?",
                method="plurality",
                blank_allowed=True,
                timezone="Europe/Paris",
                candidacy_deadline=start + timedelta(days=1),
                closes_at=now + timedelta(days=5),
                credential_authority="server",
            ),
            start,
        )
        await actions.lifecycle.perform(
            db, WHO, made.id, Action.OPEN_CANDIDACIES, ActionRequest(start)
        )
        for town in towns[:2]:
            await accept_candidacy(
                db,
                WHO,
                made.id,
                town,
                start,
                month="May 2029",
                pdf_title=f"Candidacy of {town.name}",
            )
        named = await actions.ceremony.name_trustees(db, WHO, made.id, TRUSTEES, 2, now=now)
        # a draft with its own ceremony, for a trustee who must complain about a deal
        draft = await actions.ballots.create_ballot(
            db,
            WHO,
            BallotForm(
                title="A draft with a dishonest dealer",
                question="Which city?",
                method="plurality",
                candidacy_deadline=now + timedelta(days=5),
                closes_at=now + timedelta(days=9),
                credential_authority="server",
            ),
            now,
        )
        other = await actions.ceremony.name_trustees(db, WHO, draft.id, TRUSTEES, 2, now=now)
        return {
            "ballot": made.id,
            "api_key": account.api_key,
            "invitations": [t.invitation for t in named.trustees],
            "draft": draft.id,
            "draft_invitations": [t.invitation for t in other.trustees],
        }
    finally:
        await db.dispose()


def main() -> None:
    serve("trustee.sqlite3", build)


if __name__ == "__main__":
    main()
