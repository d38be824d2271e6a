"""What every test server shares: the command line (`--port P --folder F`: a fresh
SQLite database in F, filled by the server's own `build`, its facts written to
F/facts.json, then served) and the steps their builds repeat. One copy, so that the
servers differ only in what they build."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from inmc_vote.config import Settings
from inmc_vote.db.engine import Database
from inmc_vote.db.migrate import upgrade
from inmc_vote.db.models import City
from inmc_vote.demo.sample_pdf import sample_pdf
from inmc_vote.services import actions
from inmc_vote.services.actions.candidacies import CandidacyForm, Upload
from inmc_vote.services.actors import Actor
from inmc_vote.services.actors import city as city_actor

Build = Callable[[str, bytes], Awaitable[dict[str, object]]]


def serve(database_name: str, build: Build) -> None:
    import uvicorn

    from inmc_vote.web.app import create_app

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", type=Path, required=True)
    args = parser.parse_args()
    url = f"sqlite+aiosqlite:///{(args.folder / database_name).resolve()}"
    base = f"http://127.0.0.1:{args.port}"
    env = dict(
        os.environ,
        INMC_DATABASE_URL=url,
        INMC_BASE_URL=base,
        INMC_SECRET_KEY_FILE=str(args.folder / "secret.key"),
    )
    settings = Settings.from_env(env)
    upgrade(url)
    facts = asyncio.run(build(url, settings.secret_key))
    (args.folder / "facts.json").write_text(json.dumps({"base_url": base, **facts}))
    uvicorn.run(create_app(settings), host="127.0.0.1", port=args.port, log_level="warning")


async def accept_candidacy(
    db: Database,
    who: Actor,
    ballot_id: str,
    town: City,
    at: datetime,
    *,
    month: str = "May 2028",
    venue: str = "Congress centre",
    pdf_title: str | None = None,
) -> None:
    """`town` submits a candidacy (through its own actor, as on the portal) and the
    organiser `who` accepts it, so that the town is on the ballot."""
    submitted = await actions.candidacies.submit(
        db,
        city_actor(town.slug),
        ballot_id,
        town.id,
        CandidacyForm(f"The meetings in {town.name}.", month, venue),
        Upload(f"{town.slug}.pdf", sample_pdf(pdf_title or town.name, ["A sample."])),
        at,
    )
    await actions.candidacies.decide(db, who, ballot_id, submitted.id, True, "", at)
