"""A live server with a ballot frozen and its tokens not yet issued, for the browser test
of issuing them (`python -m tests.browser.tokens_server --port P --folder F`): built
through the services with times in the past, so that voting opens only in some days;
writes F/facts.json (the ballot id and an organiser's e-mail and password), then serves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inmc_vote.db.engine import Database
from inmc_vote.demo.sample_network import key_ceremony
from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions
from inmc_vote.services.actions.ballots import BallotForm
from inmc_vote.services.actions.lifecycle import ActionRequest
from inmc_vote.services.actors import organiser
from tests.browser.serve import accept_candidacy, serve

WHO = organiser("organiser@example.org")


async def build(url: str, secret_key: bytes) -> dict[str, object]:
    now = datetime.now(UTC)
    start = now - timedelta(days=2)
    db = Database(url, at_rest_key=secret_key)
    try:
        towns = [
            await actions.cities.add_city(db, actions.cities.fields_of(name, country), start)
            for name, country in [("Nyíregyháza", "HU"), ("Cuneo", "IT"), ("Troyes", "FR")]
        ]
        account = await actions.accounts.add_account(db, "organiser@example.org", start)
        made = await actions.ballots.create_ballot(
            db,
            WHO,
            BallotForm(
                title="Host city (tokens)",
                question="Which city should host the next meetings?",
                method="plurality",
                timezone="Europe/Paris",
                candidacy_deadline=start + timedelta(days=1),
                opens_at=now + timedelta(days=5),
                closes_at=now + timedelta(days=20),
                credential_authority="server",
            ),
            start,
        )
        await actions.lifecycle.perform(
            db, WHO, made.id, Action.OPEN_CANDIDACIES, ActionRequest(start)
        )
        await key_ceremony(db, WHO, made.id, start)
        for town in towns[:2]:
            await accept_candidacy(db, WHO, made.id, town, start)
        frozen_at = start + timedelta(days=1, hours=1)
        await actions.lifecycle.perform(db, WHO, made.id, Action.FREEZE, ActionRequest(frozen_at))
        return {"ballot_id": made.id, "email": account.email, "password": account.password}
    finally:
        await db.dispose()


def main() -> None:
    serve("tokens.sqlite3", build)


if __name__ == "__main__":
    main()
