"""`inmc-vote tokens issue`: tokens made on the organiser's machine, so that the server
never sees one; the server gets only the signed public roll."""

from __future__ import annotations

import argparse
from pathlib import Path

from inmc_vote.cli.common import Subparsers, actions, fail


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    tokens_sub = actions(
        subparsers,
        "tokens",
        help="issue the tokens offline",
        description="Voting tokens made on the organiser's machine, without the server.",
    )
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
        "electorate. A lost token of such a ballot cannot be replaced yet: only the "
        "server replaces lost tokens (the organiser's lost-token action), and only for "
        "tokens it issued itself, as the replacement must be signed with the registrar "
        "key, which stays offline here.",
    )
    issue.add_argument("--ballot", required=True, metavar="ID", help="the ballot's id")
    issue.add_argument(
        "--cities",
        required=True,
        metavar="FILE.csv",
        help="the eligible cities: a CSV with a header naming a «name» and a «country» "
        "column (e.g. the member-city list), checked by the rules of the server's CSV import",
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
    issue.set_defaults(func=cmd_tokens_issue)


def cmd_tokens_issue(args: argparse.Namespace) -> int:
    from inmc_vote.tools.offline_tokens import OfflineError, issue, read_cities

    try:
        data = Path(args.cities).read_bytes()
    except OSError as error:
        return fail(f"Cannot read {args.cities}: {error.strerror}.")
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
        return fail(str(error))
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
