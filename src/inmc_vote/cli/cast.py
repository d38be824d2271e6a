"""`inmc-vote cast`: vote from a terminal exactly as the voting page does, so that a city
(or a test) can vote and check its receipt without a browser."""

from __future__ import annotations

import argparse
from pathlib import Path

from inmc_vote.cli.common import Subparsers, fail


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    cast = subparsers.add_parser(
        "cast",
        help="vote with a token from the command line; prints the receipt",
        description="Vote with a city's token, as the voting page does: fetch the ballot's "
        "manifest (the ballot's id is in the token) and check the authority's signature, "
        "show its fingerprint and question, check the token's registrar-signed roll line "
        "and the candidate ids, encrypt the vote to the trustees' election key with a proof "
        "of knowledge, sign it with the token, print the ballot's tracker, send it, then "
        "check that the receipt names that tracker, that its hash recomputes and that the "
        "authority signed it, and print it (entry number, time, tracker). The token never "
        "leaves this machine. Exit status 1, with the reason, when anything is refused, "
        "including a receipt for another ballot.",
    )
    cast.add_argument("--server", required=True, metavar="URL", help="the service's address")
    cast.add_argument("--token", required=True, metavar="T", help="the token from the letter")
    how = cast.add_mutually_exclusive_group(required=True)
    how.add_argument("--choice", metavar="ID", help="one candidate (plurality, exhaustive)")
    how.add_argument(  # the protocol's word; --rank, its first spelling, still works
        "--ranking",
        "--rank",
        dest="ranking",
        metavar="ID,ID,...",
        help="candidates in order of preference, at most 26 (irv, schulze)",
    )
    how.add_argument("--approve", metavar="ID,ID,...", help="the candidates approved (approval)")
    how.add_argument("--blank", action="store_true", help="a blank vote")
    cast.add_argument(  # --receipt, its first spelling, still works
        "--receipt-out",
        "--receipt",
        dest="receipt",
        metavar="FILE",
        help='also write the receipt file {"receipt": ..., "ballot": ...} to FILE (a new '
        "file), which `inmc-vote verify --receipt` checks",
    )
    cast.add_argument(
        "--fingerprint",
        metavar="FP",
        help="refuse to vote unless the ballot's fingerprint is FP (as on the letter)",
    )
    cast.set_defaults(func=cmd_cast)


def cmd_cast(args: argparse.Namespace) -> int:
    from inmc_vote.domain.codes import VoteKind
    from inmc_vote.domain.protocol.encoding import from_b64url
    from inmc_vote.domain.protocol.manifest import short_fingerprint
    from inmc_vote.tools.voter import CastError, Choice, cast, split_ids, write_receipt

    if args.choice is not None:
        choice = Choice(VoteKind.CHOICE, split_ids(args.choice)[:1] or ("",))
    elif args.ranking is not None:
        choice = Choice(VoteKind.RANKING, split_ids(args.ranking))
    elif args.approve is not None:
        choice = Choice(VoteKind.APPROVE, split_ids(args.approve))
    else:
        choice = Choice(VoteKind.BLANK)
    receipt_path = Path(args.receipt) if args.receipt else None
    if receipt_path is not None:
        if receipt_path.exists():
            return fail(f"{receipt_path} already exists: choose another file for the receipt.")
        if not receipt_path.parent.is_dir():
            return fail(f"{receipt_path.parent} is not a folder: the receipt cannot go there.")
    try:
        result = cast(args.server, args.token, choice, expect_fingerprint=args.fingerprint)
    except CastError as error:
        return fail(str(error))
    receipt = result.receipt
    print("Ballot received and recorded on the public board. Keep this receipt:")
    print(f"  entry:          {receipt['seq']} (round {receipt['round']})")
    print(f"  received at:    {receipt['received_at']}")
    tracker = receipt["tracker"]
    print(f"  tracker:        {short_fingerprint(from_b64url(tracker))}")
    print(f"  tracker (full): {tracker}")
    print("  checked:        it names your ballot's tracker, its hash recomputes, and the")
    print("                  ballot's authority key signed it")
    print(
        f"Find it on the public board: {args.server.rstrip('/')}/ballots/{receipt['ballot']}/board"
    )
    if receipt_path is not None:
        try:
            write_receipt(receipt_path, result.receipt_file)
        except OSError as error:
            return fail(f"The vote counted, but the receipt could not be written: {error}")
        print(f"Receipt written to {receipt_path}.")
    return 0
