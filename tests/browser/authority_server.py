"""A live server with one ballot frozen and its tokens to be made offline, for the
credential authority's page.

Run as `python -m tests.browser.authority_server --port P --folder F`: it builds a fresh
SQLite database through the services (the real write path), with an organiser account
whose password it writes with the ballot's id to F/facts.json, then serves. The ballot's
opening time is past, so that the clock opens it as soon as the roll is uploaded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inmc_vote.db.engine import Database
from inmc_vote.demo.sample_network import key_ceremony
from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.ballots import BallotForm
from inmc_vote.services.actions.lifecycle import ActionRequest
from inmc_vote.services.actors import organiser
from tests.browser.serve import accept_candidacy, serve

# Names a letter must escape, and a spreadsheet must not take for a formula.
CITIES = [
    ("Nyíregyháza", "HU"),
    ("Troyes", "FR"),
    ("O'Higgins & <Co>", "CL"),
    ("=Sum", "US"),
    ("Vitoria-Gasteiz", "ES"),
]
EMAIL = "organiser@example.org"
WHO = organiser(EMAIL)


async def build(url: str, secret_key: bytes) -> dict[str, object]:
    start = datetime.now(UTC) - timedelta(days=10)
    db = Database(url, at_rest_key=secret_key)
    try:
        account = await actions.accounts.add_account(db, EMAIL, start)
        for name, country in CITIES:
            await actions.cities.add_city(db, actions.cities.fields_of(name, country), start)
        made = await actions.ballots.create_ballot(
            db,
            WHO,
            BallotForm(
                title="Host city 2028",
                question="Which city should host the next meetings?",
                method="plurality",
                timezone="Europe/Paris",
                candidacy_deadline=start + timedelta(days=1),
                opens_at=start + timedelta(days=2),
                closes_at=start + timedelta(days=40),
                credential_authority="offline",
                registrar_party="Troyes",
            ),
            start,
        )
        await actions.lifecycle.perform(
            db, WHO, made.id, Action.OPEN_CANDIDACIES, ActionRequest(start)
        )
        await key_ceremony(db, WHO, made.id, start)
        by_name = {c.name: c for c in await queries.cities.list_cities(db)}
        for name in ("Troyes", "Vitoria-Gasteiz"):
            await accept_candidacy(
                db,
                WHO,
                made.id,
                by_name[name],
                start,
                venue=f"{name} congress centre",
                pdf_title=f"Candidacy of {name}",
            )
        frozen_at = start + timedelta(days=1, hours=1)
        await actions.lifecycle.perform(db, WHO, made.id, Action.FREEZE, ActionRequest(frozen_at))
        return {
            "id": made.id,
            "email": EMAIL,
            "password": account.password,
            "candidates": {c.slug: c.name for c in by_name.values() if c.name in ("Troyes",)},
        }
    finally:
        await db.dispose()


def main() -> None:
    serve("authority.sqlite3", build)


if __name__ == "__main__":
    main()
