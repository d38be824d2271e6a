"""`inmc-vote tokens issue` and `tokens revoke`: tokens made, and lost ones replaced, by the
registrar on its own machine, so that the server never sees one and cannot make one; the
server gets only the signed public roll and the signed revocations."""

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
        "electorate. A lost token is replaced with `inmc-vote tokens revoke` and the same "
        "registrar key.",
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

    revoke = tokens_sub.add_parser(
        "revoke",
        help="replace a lost token, offline, with the registrar key",
        description="Revoke a lost token by the fingerprint on its letter and make its "
        "replacement, signed with the registrar key that `inmc-vote tokens issue` wrote. "
        "Writes OUT/revocation.json (upload it as an organiser: POST "
        "/api/v1/ballots/ID/revocations; the server checks both signatures against the "
        "manifest's registrar key) and OUT/replacement.zip (mode 600: the replacement's "
        "letter, the only copy of its token). A token that has voted in the current round "
        "cannot be revoked: the server refuses the upload.",
    )
    revoke.add_argument("--ballot", required=True, metavar="ID", help="the ballot's id")
    revoke.add_argument(
        "--registrar-key", required=True, metavar="FILE", help="the registrar.key to sign with"
    )
    revoke.add_argument(
        "--fingerprint", required=True, metavar="F", help="the lost token's fingerprint"
    )
    revoke.add_argument(
        "--roll",
        metavar="FILE",
        help="where to find the credential: roll.json beside the registrar key (the "
        "default), or the server's roll (GET /api/v1/ballots/ID/roll) to revoke a replacement",
    )
    revoke.add_argument(
        "--base-url", required=True, metavar="URL", help="the service's public address"
    )
    revoke.add_argument("--out", required=True, metavar="DIR", help="the folder to write into")
    revoke.add_argument("--title", default="", help="the ballot's title, printed on the letter")
    revoke.add_argument("--question", default="", help="the ballot's question, for the letter")
    revoke.add_argument("--closes", default="", help="when voting closes, in words")
    revoke.set_defaults(func=cmd_tokens_revoke)


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

    print(f"{issued.count} tokens issued offline for ballot {args.ballot}, one per city listed.")
    print(f"  {issued.tokens_zip}  letters.html and tokens.csv: the only copy of the tokens")
    print(f"  {issued.registrar_key}  the registrar's private key: keep it offline")
    print(f"  {issued.roll_json}  the public roll (no token in it)")
    print(f"Roll hash: {b64url(issued.roll_hash)}")
    print("Next, once the ballot is frozen, upload the roll as an organiser:")
    _print_upload(issued.roll_json, args.base_url, f"/api/v1/ballots/{args.ballot}/roll")
    print(
        "Its answer gives the ballot's fingerprint: announce it to the cities (the letters "
        "say it is shown on the voting page and published by the organiser)."
    )
    return 0


def cmd_tokens_revoke(args: argparse.Namespace) -> int:
    from inmc_vote.tools.offline_tokens import OfflineError, revoke

    key = Path(args.registrar_key)
    try:
        done = revoke(
            ballot_id=args.ballot,
            registrar_key=key,
            fingerprint=args.fingerprint,
            roll=Path(args.roll) if args.roll else key.parent / "roll.json",
            base_url=args.base_url,
            out_dir=Path(args.out),
            title=args.title,
            question=args.question,
            closes=args.closes,
        )
    except OfflineError as error:
        return fail(str(error))
    print(f"{done.revoked_fingerprint} revoked; its replacement is {done.fingerprint}.")
    print(f"  {done.letter_zip}  the replacement's letter: the only copy of its token")
    print(f"  {done.revocation_json}  the signed revocation (no token in it)")
    print("Next, upload the revocation as an organiser:")
    _print_upload(done.revocation_json, args.base_url, f"/api/v1/ballots/{args.ballot}/revocations")
    return 0


def _print_upload(file: Path, base_url: str, path: str) -> None:
    """The command that uploads `file` to the service's `path`, with an organiser's key."""
    print(
        '  curl -H "Authorization: Bearer $API_KEY" -H "Content-Type: application/json" '
        f"--data-binary @{file} {base_url.rstrip('/')}{path}"
    )
