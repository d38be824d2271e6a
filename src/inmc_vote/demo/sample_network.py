"""`inmc-vote demo`: a fresh database with a sample network and ballot, then serve.

Everything it makes is sample data: the contacts are not real people and the
e-mail addresses are under example.org.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from inmc_vote.config import Settings
from inmc_vote.db.engine import Database
from inmc_vote.db.migrate import upgrade
from inmc_vote.db.models import City
from inmc_vote.demo.mailbox import Mailbox
from inmc_vote.demo.sample_pdf import sample_pdf
from inmc_vote.documents.token_letters import InBoth, letters_zip, vote_link
from inmc_vote.domain.codes import CeremonyMessage, VoteKind
from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol import ballot as ballots
from inmc_vote.domain.protocol import credentials
from inmc_vote.domain.protocol.manifest import Manifest
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.ballots import BallotForm
from inmc_vote.services.actions.candidacies import CandidacyForm, Upload
from inmc_vote.services.actions.lifecycle import ActionRequest
from inmc_vote.services.actors import Actor, organiser
from inmc_vote.services.actors import city as city_actor
from inmc_vote.tools import mixing as mixing_tool
from inmc_vote.tools.trustee import TrusteeFile, create_key_file, run_ceremony

# (name, country, region): 40 member cities in 23 countries, as in the 2017 network.
SAMPLE_CITIES = [
    ("Clermont-Ferrand", "FR", "Europe"),
    ("Cholet", "FR", "Europe"),
    ("Roanne", "FR", "Europe"),
    ("Troyes", "FR", "Europe"),
    ("Vitoria-Gasteiz", "ES", "Europe"),
    ("Valladolid", "ES", "Europe"),
    ("Aranda de Duero", "ES", "Europe"),
    ("Lasarte-Oria", "ES", "Europe"),
    ("Cuneo", "IT", "Europe"),
    ("Alessandria", "IT", "Europe"),
    ("Torino", "IT", "Europe"),
    ("Karlsruhe", "DE", "Europe"),
    ("Bad Kreuznach", "DE", "Europe"),
    ("Homburg", "DE", "Europe"),
    ("Oranienburg", "DE", "Europe"),
    ("Olsztyn", "PL", "Europe"),
    ("Nyíregyháza", "HU", "Europe"),
    ("Zalău", "RO", "Europe"),
    ("Pirot", "RS", "Europe"),
    ("Stoke-on-Trent", "GB", "Europe"),
    ("Greenville", "US", "Americas"),
    ("Spartanburg", "US", "Americas"),
    ("Lexington", "US", "Americas"),
    ("Waterville", "CA", "Americas"),
    ("León", "MX", "Americas"),
    ("Querétaro", "MX", "Americas"),
    ("Resende", "BR", "Americas"),
    ("Campo Grande", "BR", "Americas"),
    ("Bogotá", "CO", "Americas"),
    ("Shenyang", "CN", "Asia"),
    ("Shanghai", "CN", "Asia"),
    ("Ota", "JP", "Asia"),
    ("Phra Pradaeng", "TH", "Asia"),
    ("Chennai", "IN", "Asia"),
    ("Pune", "IN", "Asia"),
    ("Singapore", "SG", "Asia"),
    ("Port Harcourt", "NG", "Africa"),
    ("Durban", "ZA", "Africa"),
    ("Casablanca", "MA", "Africa"),
    ("Abidjan", "CI", "Africa"),
]

SAMPLE_CANDIDACIES = [
    (
        "Vitoria-Gasteiz",
        "ES",
        "Three days in the Europa congress centre, with site visits to the city's green ring.",
        "12–14 May 2027",
        "Palacio de Congresos Europa",
        True,
    ),
    (
        "Greenville",
        "US",
        "A meeting on the riverfront, with workshops on mobility and water.",
        "2–4 June 2027",
        "Greenville Convention Center",
        True,
    ),
    (
        "Ota",
        "JP",
        "The first meetings in Asia, on industrial cities and their neighbourhoods.",
        "6–8 October 2027",
        "Ota City Industrial Plaza",
        False,
    ),
]


@dataclass(frozen=True)
class DemoFacts:
    ballot_id: str
    email: str
    password: str
    api_key: str
    portal_path: str
    open_ballot_id: str
    issued: actions.tokens.IssuedTokens
    finished_ballot_id: str
    finished_issued: actions.tokens.IssuedTokens  # its letters: which city holds which token
    trustee_files: dict[str, list[TrusteeFile]]  # ballot id -> its trustees' key files


async def build(db: Database, secret_key: bytes, now: datetime) -> DemoFacts:
    """Fill an empty, migrated database with the sample network and ballot."""
    for name, country, region in SAMPLE_CITIES:
        slug = name.lower().replace(" ", "-")
        await actions.cities.add_city(
            db,
            actions.cities.fields_of(
                name,
                country,
                region,
                "Sample contact (not a real person)",
                f"contact@{slug}.example.org",
            ),
            now,
        )
    account = await actions.accounts.add_account(db, "organiser@example.org", now)
    who = organiser(account.email)
    ballot = await actions.ballots.create_ballot(
        db,
        who,
        BallotForm(
            title="Host city of the 2027 meetings (sample)",
            question="Which city should host the network's 2027 meetings?",
            method="irv",
            description="Sample data for a demonstration: these candidacies and contacts are "
            "made up. Rank the candidate cities in your order of preference.",
            quorum="1/2",
            blank_allowed=True,
            timezone="Europe/Paris",
            candidacy_deadline=now + timedelta(days=3),
            opens_at=now + timedelta(days=7),
            closes_at=now + timedelta(days=21),
            # the demo's server issues the tokens and, once frozen, e-mails the letters
            credential_authority="server-mail",
        ),
        now,
    )
    await actions.lifecycle.perform(db, who, ballot.id, Action.OPEN_CANDIDACIES, ActionRequest(now))
    links = await actions.portal.make_links(db, secret_key, who, ballot.id, now)
    by_name = {c.name: c for c in await queries.cities.list_cities(db)}
    for name, country, summary, dates, venue, accept in SAMPLE_CANDIDACIES:
        city = by_name[name]
        pdf = sample_pdf(
            f"Candidacy of {name} ({country}) - sample",
            [
                summary[:90],
                f"Dates: {dates}",
                f"Venue: {venue}",
                "Sample dossier made by inmc-vote demo.",
            ],
        )
        candidacy = await actions.candidacies.submit(
            db,
            city_actor(city.slug),
            ballot.id,
            city.id,
            CandidacyForm(summary, dates, venue),
            Upload(f"{city.slug}-dossier.pdf", pdf),
            now,
        )
        if accept:
            await actions.candidacies.decide(db, who, ballot.id, candidacy.id, True, "", now)
    portal_path = next(link.path for link in links if link.city_name == "Clermont-Ferrand")
    open_id, issued = await _ballot_open_for_voting(db, who, now, by_name)
    finished_id, finished_issued = await _finished_ballot(db, who, now, by_name)
    return DemoFacts(
        ballot.id,
        account.email,
        account.password,
        account.api_key,
        portal_path,
        open_id,
        issued,
        finished_id,
        finished_issued,
        {b: list(files) for b, files in _TRUSTEE_FILES.items()},
    )


async def _frozen_in_the_past(
    db: Database,
    who: Actor,
    by_name: dict[str, City],
    *,
    year: int,
    method: str,
    status: str,
    description: str,
    candidates: tuple[str, ...],
    start: datetime,
    closes_at: datetime,
) -> tuple[str, actions.tokens.IssuedTokens]:
    """A sample ballot whose steps are dated from `start`: candidacies accepted, frozen
    and its tokens issued a day later, opening by the clock the day after."""
    made = await actions.ballots.create_ballot(
        db,
        who,
        BallotForm(
            title=f"Host city of the {year} meetings (sample, {status})",
            question=f"Which city should host the network's {year} meetings?",
            method=method,
            description=description,
            quorum="1/2",
            blank_allowed=True,
            timezone="Europe/Paris",
            candidacy_deadline=start + timedelta(days=1),
            opens_at=start + timedelta(days=2),
            closes_at=closes_at,
            credential_authority="server",
        ),
        start,
    )
    await actions.lifecycle.perform(db, who, made.id, Action.OPEN_CANDIDACIES, ActionRequest(start))
    _TRUSTEE_FILES[made.id] = await key_ceremony(db, who, made.id, start)
    for name in candidates:
        city = by_name[name]
        candidacy = await actions.candidacies.submit(
            db,
            city_actor(city.slug),
            made.id,
            city.id,
            CandidacyForm(
                f"The {year} meetings in {name} (sample).", f"May {year}", f"{name} congress centre"
            ),
            Upload(
                f"{city.slug}-{year}.pdf",
                sample_pdf(f"Candidacy of {name} - sample", ["Sample dossier."]),
            ),
            start,
        )
        await actions.candidacies.decide(db, who, made.id, candidacy.id, True, "", start)
    frozen_at = start + timedelta(days=1, hours=1)
    await actions.lifecycle.perform(db, who, made.id, Action.FREEZE, ActionRequest(frozen_at))
    return made.id, await actions.tokens.issue_tokens(db, who, made.id, frozen_at)


# Every sample ballot has three trustees, any two of whom can decrypt (docs/protocol.md,
# "Trustees"). Their key files, which real trustees keep on their own machines, are written next to
# the demo's
# database (`run_demo`), so that one can run `inmc-vote trustee status --key-file ...`.
DEMO_TRUSTEES = ("Ana Costa (Lyon)", "Bram de Vries (Évora)", "Chiara Rossi (Torino)")
DEMO_THRESHOLD = 2
DEMO_SERVER = "http://127.0.0.1:8000"
_TRUSTEE_FILES: dict[str, list[TrusteeFile]] = {}


async def key_ceremony(db: Database, who: Actor, ballot_id: str, at: datetime) -> list[TrusteeFile]:
    """Name the demo's trustees and play their whole ceremony in-process
    (tools/trustee.run_ceremony), as each would with `inmc-vote trustee` on its machine."""
    named = await actions.ceremony.name_trustees(
        db, who, ballot_id, DEMO_TRUSTEES, DEMO_THRESHOLD, now=at
    )

    async def state() -> dict[str, Any]:
        return await queries.ceremony.state_json(db, ballot_id)

    async def send(invitation: str, kind: str, body: bytes) -> object:
        return await actions.ceremony.receive(
            db, ballot_id, invitation, CeremonyMessage(kind), body, now=at
        )

    return await run_ceremony(
        DEMO_SERVER, ballot_id, [x.invitation for x in named.trustees], state, send
    )


async def _trustees_mix_and_decrypt(
    db: Database,
    ballot_id: str,
    at: datetime,
    shufflers: tuple[int, ...] = (1, 2, 3),
    decrypters: tuple[int, ...] = (1, 2),
) -> None:
    """The trustees' part of a closed round, in-process: each shuffles the last list in
    turn, then two decrypt it (tools/mixing.py builds their messages, as the CLI does)."""
    files = {x.trustee: x for x in _TRUSTEE_FILES[ballot_id]}
    current = await queries.manifests.manifest(db, ballot_id)
    stated = Manifest.parse(current.data)
    for index in shufflers:
        mix, cts = await queries.mixing.last_list(db, ballot_id, None)
        body = mixing_tool.make_shuffle(
            ballot_id=ballot_id,
            round_number=mix.round,
            index=len(mix.shuffles) + 1,
            manifest_hash=current.hash,
            election_key=stated.keys.election,
            cts_in=cts,
            secrets=mixing_tool.secrets_of(files[index]),
        )
        await actions.mixing.add_shuffle(db, ballot_id, files[index].invitation, body, at)
    for index in decrypters:
        mix, cts = await queries.mixing.last_list(db, ballot_id, None)
        body = mixing_tool.make_decryption(
            ballot_id=ballot_id,
            round_number=mix.round,
            manifest_hash=current.hash,
            verification_key=stated.trustees.member(index).verification_key,
            cts=cts,
            secrets=mixing_tool.secrets_of(files[index]),
        )
        await actions.decrypting.add_decryption(db, ballot_id, files[index].invitation, body, at)


async def _ballot_open_for_voting(
    db: Database, who: Actor, now: datetime, by_name: dict[str, City]
) -> tuple[str, actions.tokens.IssuedTokens]:
    """A second sample ballot, opened by the clock since: its tokens (the only copy) go
    to the demo's letters file."""
    ballot_id, issued = await _frozen_in_the_past(
        db,
        who,
        by_name,
        year=2025,
        method="plurality",
        status="voting open",
        description="Sample data for a demonstration: vote with one of the printed links.",
        candidates=("Vitoria-Gasteiz", "Greenville"),
        start=now - timedelta(days=10),
        closes_at=now + timedelta(days=14),
    )
    await actions.schedule.catch_up_one(db, ballot_id, now)  # opened by the clock since
    return ballot_id, issued


# The finished sample ballot: how the 40 cities ranked its three candidates (first
# choice first; the rest are blank votes). Pirot leads on first choices but Torino wins
# once Valladolid is eliminated: the results page shows why, round by round.
FINISHED_CANDIDATES = ("Torino", "Valladolid", "Pirot")
FINISHED_RANKINGS: list[tuple[int, tuple[str, ...]]] = [
    (13, ("Pirot", "Torino")),
    (2, ("Pirot",)),
    (12, ("Torino", "Valladolid")),
    (8, ("Valladolid", "Torino", "Pirot")),
    (1, ("Valladolid", "Pirot")),
]
FINISHED_BLANK = 2


async def _finished_ballot(
    db: Database, who: Actor, now: datetime, by_name: dict[str, City]
) -> tuple[str, actions.tokens.IssuedTokens]:
    """A third sample ballot, voted, closed by the clock, tallied and published, so that a
    newcomer sees a results page and can download its audit bundle at once."""
    start = now - timedelta(days=60)
    ballot_id, issued = await _frozen_in_the_past(
        db,
        who,
        by_name,
        year=2023,
        method="irv",
        status="results published",
        description="Sample data for a demonstration: a finished instant-runoff ballot.",
        candidates=FINISHED_CANDIDATES,
        start=start,
        closes_at=start + timedelta(days=16),
    )
    voting = start + timedelta(days=3)
    await actions.schedule.catch_up_one(db, ballot_id, voting)  # the clock opens it
    current = await queries.manifests.manifest(db, ballot_id)
    manifest = Manifest.parse(current.data)
    ids = {c.city: c.id for c in manifest.candidates}
    votes = [
        {"v": 1, VoteKind.RANKING.value: [ids[name] for name in ranking]}
        for n, ranking in FINISHED_RANKINGS
        for _ in range(n)
    ] + [{"v": 1, VoteKind.BLANK.value: True}] * FINISHED_BLANK
    for i, (letter, choice) in enumerate(zip(issued.letters, votes, strict=False)):
        _, seed = credentials.parse_token(letter.token, ballot_id)
        sent = ballots.make_ballot(
            choice, seed, [c.id for c in manifest.candidates], current.hash, manifest.keys.election
        )
        await actions.casting.cast(db, ballot_id, sent.to_json(), voting + timedelta(minutes=7 * i))
    await actions.schedule.catch_up_one(db, ballot_id, start + timedelta(days=17))  # closed, sealed
    await _trustees_mix_and_decrypt(db, ballot_id, start + timedelta(days=17, hours=2))
    tallied_at = start + timedelta(days=18)
    await actions.lifecycle.perform(db, who, ballot_id, Action.TALLY, ActionRequest(tallied_at))
    await actions.lifecycle.perform(db, who, ballot_id, Action.PUBLISH, ActionRequest(tallied_at))
    return ballot_id, issued


TRUSTEES_README = """\
The sample trustees' key files of the inmc-vote demo (sample data, not secrets of any
real ballot): one folder per ballot, one file per trustee (mode 600). Each holds the
trustee's key share, signing key and lot secret; any 2 of a ballot's 3 trustees can
decrypt its votes. Try: inmc-vote trustee status --key-file BALLOT/trustee-1.json
"""


def write_trustee_files(folder: Path, facts: DemoFacts) -> Path:
    """Write every sample ballot's trustee key files under `folder` (made afresh), with a
    README saying what they are."""
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "README.txt").write_text(TRUSTEES_README, encoding="utf-8")
    for ballot_id, files in facts.trustee_files.items():
        (folder / ballot_id).mkdir()
        for file in files:
            create_key_file(folder / ballot_id / f"trustee-{file.trustee}.json", file)
    return folder


def keep_previous(path: Path) -> str:
    """The demo starts from a fresh database every time: an earlier one is not wiped but
    renamed to `<file>.bak` (replacing an older .bak), and the start-up output says so."""
    backup = path.with_name(f"{path.name}.bak")
    existed = path.exists()
    for suffix in ("", "-wal", "-shm"):  # SQLite's journals go with it, under its new name
        old, new = Path(f"{path}{suffix}"), Path(f"{backup}{suffix}")
        new.unlink(missing_ok=True)
        if existed and old.exists():
            old.replace(new)
        old.unlink(missing_ok=True)
    if not existed:
        return "A new demo database (none was there before)."
    return (
        f"The previous demo database was moved to {backup} (this run starts afresh; "
        "the next run replaces that copy)."
    )


def run_demo(host: str, port: int, database_file: str) -> int:
    import uvicorn

    from inmc_vote.web.app import create_app

    path = Path(database_file)
    kept = keep_previous(path)
    url = f"sqlite+aiosqlite:///{path.resolve()}"
    env = dict(os.environ, INMC_DATABASE_URL=url)
    env.setdefault("INMC_BASE_URL", f"http://{host}:{port}")
    # A local SMTP server that writes what it is sent into <demo>.mail/ as .eml files.
    mail_dir = path.parent / f"{path.stem}.mail"
    shutil.rmtree(mail_dir, ignore_errors=True)
    mailbox = Mailbox(mail_dir).start()
    env.update(mailbox.env())
    settings = Settings.from_env(env)
    upgrade(url)

    async def fill() -> DemoFacts:
        db = Database(url, at_rest_key=settings.secret_key)
        try:
            return await build(db, settings.secret_key, datetime.now(UTC))
        finally:
            await db.dispose()

    facts = asyncio.run(fill())
    mailed = asyncio.run(mail_portal_links(url, settings, facts))
    base = settings.base_url
    trustees_dir = write_trustee_files(path.parent / f"{path.stem}.trustees", facts)
    letters_file = path.with_suffix(".tokens.zip")
    letters_file.write_bytes(
        letters_zip(
            title=facts.issued.title,
            question=facts.issued.question,
            closes=InBoth.time(datetime.fromisoformat(facts.issued.closes_at), "Europe/Paris"),
            manifest_hash=facts.issued.manifest_hash,
            base_url=base,
            ballot_id=facts.open_ballot_id,
            letters=facts.issued.letters,
        )
    )
    vote_lines = "\n".join(
        f"    {x.city:<18} {vote_link(base, facts.open_ballot_id, x.token)}"
        for x in facts.issued.letters[:3]
    )
    print(
        f"""
inmc-vote demo (sample data) in {path}
  {kept}

  Ballots:            {base}/
  The sample ballot:  {base}/ballots/{facts.ballot_id}
  Organiser sign-in:  {base}/login
      e-mail    {facts.email}
      password  {facts.password}
      API key   {facts.api_key}
  Candidacy portal of Clermont-Ferrand (a city's view):
                      {base}{facts.portal_path}
  API description:    {base}/schema/openapi.json

  A finished sample ballot, its results and audit bundle:
                      {base}/ballots/{facts.finished_ballot_id}/results
                      {base}/api/v1/ballots/{facts.finished_ballot_id}/audit
  A sample ballot open for voting: {base}/ballots/{facts.open_ballot_id}
  Vote as one of its cities (each link votes once):
{vote_lines}
  All {len(facts.issued.letters)} token letters (the only copy): {letters_file}
  The sample trustees' key files (any 2 of 3 decrypt): {trustees_dir}/

  E-mail goes to a local SMTP server started for the demo (smtp://{mailbox.host}:{mailbox.port});
  every message it receives is written to {mail_dir.resolve()}/ as an .eml file
  (open one in a mail program or a text editor). {mailed} candidacy links were mailed at start.
""",
        flush=True,
    )
    try:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
    finally:
        mailbox.stop()
    return 0


async def mail_portal_links(url: str, settings: Settings, facts: DemoFacts) -> int:
    """Mail the sample ballot's candidacy links, so that the demo's mailbox shows them."""
    db = Database(url, at_rest_key=settings.secret_key)
    try:
        report = await actions.mailing.mail_portal_links(
            db, settings, organiser(facts.email), facts.ballot_id, datetime.now(UTC)
        )
        return len(report.sent)
    finally:
        await db.dispose()
