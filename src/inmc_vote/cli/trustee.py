"""`inmc-vote trustee keygen`: under trustee custody the tally key is made away from the
server, which only ever sees its public half."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inmc_vote.cli.common import Subparsers, actions, fail


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    trustee_sub = actions(
        subparsers,
        "trustee",
        help="a trustee's tally key (trustee custody)",
        description="Tally keys kept by a trustee rather than by the server.",
    )
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
    keygen.set_defaults(func=cmd_trustee_keygen)


def cmd_trustee_keygen(args: argparse.Namespace) -> int:
    from inmc_vote.domain.protocol.encoding import b64url
    from inmc_vote.tools.keyfiles import KeyFileError, new_tally_key

    try:
        made = new_tally_key(Path(args.out))
    except KeyFileError as error:
        return fail(error.args[0])
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
