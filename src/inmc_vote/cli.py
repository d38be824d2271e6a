"""The `inmc-vote` command."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from inmc_vote import __version__


def _now() -> datetime:
    return datetime.now(UTC)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from inmc_vote.config import Settings
    from inmc_vote.db.migrate import pending

    settings = Settings.from_env()
    if pending(settings.database_url):
        print(
            "The database schema is not up to date: run `inmc-vote db upgrade` first.",
            file=sys.stderr,
        )
        return 2
    from inmc_vote.web.app import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from inmc_vote.config import Settings
    from inmc_vote.db.migrate import upgrade

    upgrade(Settings.from_env().database_url)
    print("The database schema is up to date.")
    return 0


def cmd_organiser_add(args: argparse.Namespace) -> int:
    from inmc_vote.config import Settings
    from inmc_vote.db.engine import Database
    from inmc_vote.domain.accounts import Role
    from inmc_vote.domain.errors import RuleError
    from inmc_vote.services.actions.accounts import add_account

    async def run() -> int:
        settings = Settings.from_env()
        db = Database(settings.database_url, at_rest_key=settings.secret_key)
        try:
            account = await add_account(db, args.email, Role(args.role), _now())
        except RuleError as error:
            print(error.message, file=sys.stderr)
            return 1
        finally:
            await db.dispose()
        print(f"{account.role.value.capitalize()} account created for {account.email}.")
        print(f"password: {account.password}")
        print(f"API key:  {account.api_key}")
        print("Both are shown only now: keep them somewhere safe.")
        return 0

    return asyncio.run(run())


def cmd_demo(args: argparse.Namespace) -> int:
    from inmc_vote.demo.sample_network import run_demo

    return run_demo(host=args.host, port=args.port, database_file=args.database_file)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def cmd_trustee_keygen(args: argparse.Namespace) -> int:
    from inmc_vote.domain.protocol.encoding import b64url
    from inmc_vote.tools.keyfiles import KeyFileError, new_tally_key

    try:
        made = new_tally_key(Path(args.out))
    except KeyFileError as error:
        return _fail(error.args[0])
    public = b64url(made.public)
    print(public)
    print(
        f"The tally private key is in {args.out} (mode 600): keep it offline until the "
        "tally; without it the votes cannot be decrypted.\n"
        "Give the organiser the public key above, to freeze the ballot with it:\n"
        f'  POST /api/v1/ballots/<id>/freeze  {{"tally_public_key": "{public}"}}',
        file=sys.stderr,
    )
    return 0


def cmd_cast(args: argparse.Namespace) -> int:
    from inmc_vote.domain.protocol.encoding import from_b64url
    from inmc_vote.domain.protocol.manifest import short_fingerprint
    from inmc_vote.tools.voter import CastError, Choice, cast, split_ids, write_receipt

    if args.choice is not None:
        choice = Choice("choice", split_ids(args.choice)[:1] or ("",))
    elif args.rank is not None:
        choice = Choice("rank", split_ids(args.rank))
    elif args.approve is not None:
        choice = Choice("approve", split_ids(args.approve))
    else:
        choice = Choice("blank")
    receipt_path = Path(args.receipt) if args.receipt else None
    if receipt_path is not None:
        if receipt_path.exists():
            return _fail(f"{receipt_path} already exists: choose another file for the receipt.")
        if not receipt_path.parent.is_dir():
            return _fail(f"{receipt_path.parent} is not a folder: the receipt cannot go there.")
    try:
        result = cast(args.server, args.token, choice, expect_fingerprint=args.fingerprint)
    except CastError as error:
        return _fail(str(error))
    receipt = result.receipt
    print("Ballot received and recorded on the public board. Keep this receipt:")
    print(f"  entry:          {receipt['seq']} (round {receipt['round']})")
    print(f"  received at:    {receipt['received_at']}")
    tracker = receipt["hash"]
    print(f"  tracker:        {short_fingerprint(from_b64url(tracker))}")
    print(f"  tracker (full): {tracker}")
    print("  signature:      checked against the ballot's authority key")
    print(
        f"Find it on the public board: {args.server.rstrip('/')}/ballots/{receipt['ballot']}/board"
    )
    if receipt_path is not None:
        try:
            write_receipt(receipt_path, result.receipt_file)
        except OSError as error:
            return _fail(f"The vote counted, but the receipt could not be written: {error}")
        print(f"Receipt written to {receipt_path}.")
    return 0


def cmd_tokens_issue(args: argparse.Namespace) -> int:
    from inmc_vote.tools.offline_tokens import OfflineError, issue, read_cities

    try:
        data = Path(args.cities).read_bytes()
    except OSError as error:
        return _fail(f"Cannot read {args.cities}: {error.strerror}.")
    try:
        cities = read_cities(data, args.cities)
        issued = issue(
            ballot_id=args.ballot,
            cities=cities,
            base_url=args.base_url,
            out_dir=Path(args.out),
            title=args.title,
            question=args.question,
            closes=args.closes,
        )
    except OfflineError as error:
        return _fail(str(error))
    from inmc_vote.domain.protocol.encoding import b64url

    base = args.base_url.rstrip("/")
    print(f"{issued.count} tokens issued offline for ballot {args.ballot}, one per city listed.")
    print(f"  {issued.tokens_zip}  letters.html and tokens.csv: the only copy of the tokens")
    print(f"  {issued.registrar_key}  the registrar's private key: keep it offline")
    print(f"  {issued.roll_json}  the public roll (no token in it)")
    print(f"Roll hash: {b64url(issued.roll_hash)}")
    print("Next, once the ballot is frozen, upload the roll as an organiser:")
    print(
        '  curl -H "Authorization: Bearer $API_KEY" -H "Content-Type: application/json" '
        f"--data-binary @{issued.roll_json} {base}/api/v1/ballots/{args.ballot}/roll"
    )
    print(
        "Its answer gives the ballot's fingerprint: announce it to the cities (the letters "
        "say it is shown on the voting page and published by the organiser)."
    )
    return 0


def cmd_count(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from inmc_vote.domain.ballots import Method, parse_quorum
    from inmc_vote.domain.counting import LotNeeded, Rules, count
    from inmc_vote.domain.counting.explain import explain
    from inmc_vote.domain.counting.files import (
        FileError,
        candidates_named,
        detect_format,
        jsonl_verdicts,
        parse_jsonl,
        preflib_verdicts,
        read_preflib,
    )
    from inmc_vote.domain.counting.votes import Verdict
    from inmc_vote.domain.errors import RuleError
    from inmc_vote.domain.protocol.encoding import canonical_json
    from inmc_vote.domain.protocol.manifest import FORMAT

    method, rules, eligible = args.method, Rules(), args.eligible
    candidates: tuple[str, ...] | None = None
    names: dict[str, str] = {}
    if args.manifest:
        try:
            manifest = json.loads(Path(args.manifest).read_text(encoding="utf-8"))
            if not isinstance(manifest, dict) or manifest.get("format", FORMAT) != FORMAT:
                raise ValueError(f"not an {FORMAT} manifest")
            rules = Rules.from_json(manifest["rules"])
            candidates = tuple(c["id"] for c in manifest["candidates"])
            names = {c["id"]: f"{c['city']}, {c['country']}" for c in manifest["candidates"]}
            if method is not None and method != manifest["method"]:
                raise ValueError(f"the manifest's method is {manifest['method']}, not {method}")
            method = manifest["method"]
            eligible = eligible if eligible is not None else manifest["eligible"]
        except OSError as error:
            return _fail(f"Cannot read {args.manifest}: {error.strerror}.")
        except (ValueError, KeyError, TypeError) as error:
            return _fail(f"{args.manifest} is not a usable manifest: {error}.")
    if method is None:
        return _fail("Say which counting method to use with --method (or give --manifest).")
    if method not in {m.value for m in Method}:
        return _fail(f"{method} is not a counting method: {', '.join(Method)}.")
    if eligible is not None and (type(eligible) is not int or eligible < 0):
        return _fail("The number of eligible cities must be a whole number, 0 or more.")
    if args.quorum is not None:
        try:
            rules = dataclasses.replace(rules, quorum=parse_quorum(args.quorum))
        except RuleError as error:
            return _fail(error.message)
    if rules.quorum is not None and eligible is None:
        return _fail("A quorum is a share of the eligible cities: give --eligible N too.")
    if args.candidates is not None:
        candidates = tuple(c.strip() for c in args.candidates.split(",") if c.strip())
    try:
        seed = bytes.fromhex(args.seed) if args.seed is not None else None
    except ValueError:
        return _fail("The seed must be hexadecimal, as published in the tally record.")

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except OSError as error:
        return _fail(f"Cannot read {args.file}: {error.strerror}.")
    except UnicodeDecodeError:
        return _fail(f"{args.file} is not UTF-8 text: expected JSON Lines or a PrefLib file.")
    notes: list[str] = []
    title = None
    try:
        if detect_format(args.file, text) == "preflib":
            election = read_preflib(text)
            title, names = election.title or None, names or election.names
            candidates = candidates or election.candidates
            stray = [c for c in candidates if c not in election.candidates]
            if stray:
                raise FileError(f"{', '.join(stray)}: not an alternative of this file")
            verdicts = preflib_verdicts(election, method, candidates, rules)
            if election.overvotes:
                notes.append(
                    f"{election.overvotes:,} ballots tie candidates (an overvote) and are cut "
                    f"at their first tie; {election.emptied:,} of them tie in first place and "
                    "are left empty."
                )
        else:
            votes = parse_jsonl(text.splitlines())
            if votes and all(isinstance(v, Verdict) for v in votes):
                raise FileError("no line is JSON: expected one vote per line")
            candidates = candidates or candidates_named(votes)
            if not candidates:
                raise FileError("no candidate is named: give them with --candidates")
            verdicts = jsonl_verdicts(votes, method, candidates, rules)
        result = count(
            method,
            candidates,
            rules,
            verdicts,
            eligible=eligible if eligible is not None else len(verdicts),
            seed=seed,
        )
    except LotNeeded as needed:
        tied = ", ".join(f"{names[c]} [{c}]" if c in names else c for c in needed.tied)
        place = "first" if needed.purpose == "winner" else "last"
        print(
            f"A lot is needed: in round {needed.round}, {tied} tie for {place} place, and "
            "the rules settle that by lot. Give the ballot's tie-break seed with --seed HEX "
            "(the tally record publishes it) to draw it.",
            file=sys.stderr,
        )
        return 2
    except ValueError as error:  # FileError, and counting arguments that contradict
        return _fail(f"{args.file}: {error}.")
    if args.json:
        print(canonical_json(result.to_json()).decode())
    else:
        print("\n".join(explain(result, names, title=title, notes=notes)))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from inmc_vote.verify.command import run

    return run(args)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="inmc-vote",
        description="The host-city ballot of an international network of cities. "
        "Configuration comes from the environment: INMC_DATABASE_URL (default: "
        "sqlite:///./inmc-vote.sqlite3), INMC_SECRET_KEY or INMC_SECRET_KEY_FILE (default: "
        "./inmc-vote-secret.key, created with mode 600 on first start), INMC_BASE_URL "
        "(default: http://127.0.0.1:8000).",
    )
    top.add_argument("--version", action="version", version=f"inmc-vote {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser(
        "serve",
        help="run the service",
        description="Run the web service (the schema must be up to date).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    serve.set_defaults(run=cmd_serve)

    db = sub.add_parser("db", help="database schema", description="Manage the database schema.")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = db_sub.add_parser(
        "upgrade",
        help="apply the migrations",
        description="Apply every migration to INMC_DATABASE_URL.",
    )
    up.set_defaults(run=cmd_db_upgrade)

    organiser = sub.add_parser(
        "organiser", help="organiser and auditor accounts", description="Manage accounts."
    )
    org_sub = organiser.add_subparsers(dest="organiser_command", required=True, metavar="ACTION")
    add = org_sub.add_parser(
        "add",
        help="create an account; prints its password and API key",
        description="Create an account and print its password and API key (shown only once).",
    )
    add.add_argument("email", metavar="EMAIL")
    add.add_argument(
        "--role",
        choices=["organiser", "auditor"],
        default="organiser",
        help="organisers run ballots; auditors read them (default: organiser)",
    )
    add.set_defaults(run=cmd_organiser_add)

    demo = sub.add_parser(
        "demo",
        help="a sample network and ballot, then serve",
        description="Recreate a demo database (a SQLite file) with about 40 sample member "
        "cities and a sample ballot with three candidacies, print an organiser's "
        "credentials and the addresses to open, then serve.",
    )
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    demo.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    demo.add_argument(
        "--database-file",
        default="inmc-demo.sqlite3",
        help="the SQLite file to recreate (inmc-demo.sqlite3)",
    )
    demo.set_defaults(run=cmd_demo)

    trustee = sub.add_parser(
        "trustee",
        help="a trustee's tally key (trustee custody)",
        description="Tally keys kept by a trustee rather than by the server.",
    )
    trustee_sub = trustee.add_subparsers(dest="trustee_command", required=True, metavar="ACTION")
    keygen = trustee_sub.add_parser(
        "keygen",
        help="make a tally key pair; prints the public key for freeze",
        description="Make an X25519 tally key pair (HPKE) on this machine. The private key "
        "goes to FILE (mode 600, never overwritten) as JSON "
        '{"format": "inmc-vote/tally-key/v1", "private": ..., "public": ...}; keep it '
        "offline and bring it to the tally. The public key (base64url) is printed alone on "
        "standard output: the organiser freezes the ballot with it "
        '(POST /api/v1/ballots/ID/freeze with {"tally_public_key": KEY}), and every vote '
        "is then encrypted to it. The tally reveals the key, so each further round of an "
        "exhaustive ballot needs a new one (next-round takes its public key).",
    )
    keygen.add_argument(
        "--out", required=True, metavar="FILE", help="the private key file to create"
    )
    keygen.set_defaults(run=cmd_trustee_keygen)

    tokens = sub.add_parser(
        "tokens",
        help="issue the tokens offline",
        description="Voting tokens made on the organiser's machine, without the server.",
    )
    tokens_sub = tokens.add_subparsers(dest="tokens_command", required=True, metavar="ACTION")
    issue = tokens_sub.add_parser(
        "issue",
        help="one token per city, offline; writes the letters and the roll to upload",
        description="Issue a ballot's tokens offline, so that the server never sees a token. "
        "Makes a registrar key (OUT/registrar.key, mode 600) and one credential per city "
        "listed in the CSV, and writes OUT/tokens.zip (letters.html, one printable letter "
        "per city, and tokens.csv, mode 600: the only copy of the tokens) and OUT/roll.json "
        "(the registrar-signed public keys). Once the ballot is frozen, upload roll.json "
        "(POST /api/v1/ballots/ID/roll, as an organiser): the server checks it, keeps the "
        "roll and the registrar's public key only, and fixes the manifest; its answer gives "
        "the ballot's fingerprint to announce (the letters cannot print it, the manifest "
        "does not exist yet: they say it is shown on the voting page and published by the "
        "organiser). The CSV needs one city per eligible city, exactly the ballot's "
        "electorate. A lost token is replaced with the registrar key, offline.",
    )
    issue.add_argument("--ballot", required=True, metavar="ID", help="the ballot's id")
    issue.add_argument(
        "--cities",
        required=True,
        metavar="FILE.csv",
        help="the eligible cities: a CSV with a header naming a «name» and a «country» "
        "column (e.g. the member-city list)",
    )
    issue.add_argument(
        "--base-url",
        required=True,
        metavar="URL",
        help="the service's public address, for the letters' links (e.g. https://vote.example.org)",
    )
    issue.add_argument("--out", required=True, metavar="DIR", help="the folder to write into")
    issue.add_argument("--title", default="", help="the ballot's title, printed on the letters")
    issue.add_argument("--question", default="", help="the ballot's question, for the letters")
    issue.add_argument("--closes", default="", help="when voting closes, in words, for the letters")
    issue.set_defaults(run=cmd_tokens_issue)

    cast = sub.add_parser(
        "cast",
        help="vote with a token from the command line; prints the receipt",
        description="Vote with a city's token, as the voting page does: fetch the ballot's "
        "manifest (the ballot's id is in the token) and check the authority's signature, "
        "show its fingerprint and question, check the token's registrar-signed roll line "
        "and the candidate ids, encrypt the vote to the tally key, sign it with the token, "
        "send it, then check the receipt's signature and print it (entry number, time, "
        "tracker). The token never leaves this machine. Exit status 1, with the reason, "
        "when anything is refused.",
    )
    cast.add_argument("--server", required=True, metavar="URL", help="the service's address")
    cast.add_argument("--token", required=True, metavar="T", help="the token from the letter")
    how = cast.add_mutually_exclusive_group(required=True)
    how.add_argument("--choice", metavar="ID", help="one candidate (plurality, exhaustive)")
    how.add_argument(
        "--rank", metavar="ID,ID,...", help="candidates in order of preference (irv, schulze)"
    )
    how.add_argument("--approve", metavar="ID,ID,...", help="the candidates approved (approval)")
    how.add_argument("--blank", action="store_true", help="a blank vote")
    cast.add_argument(
        "--receipt", metavar="FILE", help="also write the receipt as JSON to FILE (a new file)"
    )
    cast.add_argument(
        "--fingerprint",
        metavar="FP",
        help="refuse to vote unless the ballot's fingerprint is FP (as on the letter)",
    )
    cast.set_defaults(run=cmd_cast)

    count = sub.add_parser(
        "count",
        help="count a file of votes round by round, as the tally does",
        description="Count a file of votes with the service's own counting code and print "
        "the result round by round in plain words: every round's table, who was eliminated "
        "or elected and why, every lot with its keys, the winner or why there is none. "
        'FILE is JSON Lines of vote plaintexts (one per line, e.g. {"v":1,"choice":"lyon"}, '
        '{"v":1,"ranking":["lyon","porto"]}, {"v":1,"approve":[...]}, '
        '{"v":1,"blank":true}; a line that is not JSON is an invalid ballot) or a PrefLib '
        "election (.soi/.toi, preflib.org: candidates are the alternatives' numbers, a ballot "
        "is cut at its first tie; plurality and exhaustive read its first choice, approval "
        "approves every candidate it ranks, irv and schulze read the ranking). The format "
        "comes from the extension, else from the first line; - reads standard input. "
        "Ties the rules leave open are settled by lot: SHA256(seed ‖ candidate id), so "
        "give the ballot's seed to redo a published tally. An exhaustive ballot is counted "
        "one round of voting at a time; the output says what the next round is (with a "
        "PrefLib file, count it by giving that round's candidates with --candidates). "
        "Options on the command line win over the manifest's. Exit status: 0 counted "
        "(with or without a winner), 1 a file or option that cannot be used, 2 a lot is "
        "needed and no --seed was given (or the command line is wrong). "
        "The rules are in docs/counting.md.",
    )
    count.add_argument("file", metavar="FILE", help="the votes: .jsonl, or PrefLib .soi/.toi")
    count.add_argument(
        "--method",
        choices=["plurality", "exhaustive", "irv", "schulze", "approval"],
        help="the counting method (required unless --manifest gives it)",
    )
    count.add_argument(
        "--seed",
        metavar="HEX",
        help="the tie-break seed in hexadecimal (revealed in the tally record); without it a "
        "count that needs a lot stops with exit status 2",
    )
    count.add_argument(
        "--json",
        action="store_true",
        help="print the result as canonical JSON (as in the tally record) instead of words",
    )
    count.add_argument(
        "--candidates",
        metavar="ID,ID,...",
        help="this round's candidates, in order (default: the manifest's; for PrefLib every "
        "alternative, and a subset keeps only those in each ranking; for JSON Lines every id "
        "the votes name)",
    )
    count.add_argument(
        "--manifest",
        metavar="FILE",
        help="a round's manifest (JSON): its method, candidates (named by city), rules and "
        "number of eligible cities",
    )
    count.add_argument(
        "--quorum",
        metavar="N/D",
        help="a quorum: the share of the eligible cities that must cast a ballot, e.g. 1/2",
    )
    count.add_argument(
        "--eligible",
        type=int,
        metavar="N",
        help="the number of eligible cities (default: the manifest's, else the ballots counted)",
    )
    count.set_defaults(run=cmd_count)

    verify = sub.add_parser(
        "verify",
        help="check an audit bundle offline; with OLD NEW, that NEW only adds to OLD",
    )
    from inmc_vote.verify.command import add_arguments  # stdlib only: cheap

    add_arguments(verify)
    verify.set_defaults(run=cmd_verify)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
