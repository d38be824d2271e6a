"""`inmc-vote verify`: the auditor's command (also `python -m inmc_vote.verify`)."""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = """\
Check a ballot's audit bundle (GET /api/v1/ballots/ID/audit) with nothing but the
bundle: the manifests and their signatures, the roll and every credential's
signature, the event log's chain with its lost tokens replayed, the trustees' key
ceremony, every board entry's hash and chain, every ballot's proof of knowledge and
signature by a credential on the roll at the time and its tracker, one ballot per
credential a round, the seals, and once the results are published the mix (every
shuffle's proof), every trustee's decryption (every factor's proof), the votes they
give, the lot's seed from the trustees' reveals, each verdict and the count redone.
One line per check says what it counted; the exit status is 1 if any check fails.

With two bundles, OLD NEW (the older first), it also proves that NEW only added to
OLD: same manifests and roll, OLD's event log and boards the first lines of NEW's,
OLD's signed head inside NEW's chains, OLD's seals, shuffles, decryptions and tallies
unchanged. Keep each bundle you download during voting and check the next one
against it."""

EPILOG = """\
examples:
  inmc-vote verify inmc-vote-ab12cd-audit.zip
  inmc-vote verify monday.zip tuesday.zip          (tuesday only adds to monday)
  inmc-vote verify bundle.zip --receipt receipt.json
  inmc-vote verify bundle.zip --json > report.json"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("bundle", metavar="BUNDLE", help="the bundle to check (with NEW: OLD)")
    parser.add_argument(
        "new",
        metavar="NEW",
        nargs="?",
        help="a later bundle of the same ballot: check it, and that it only adds to BUNDLE",
    )
    parser.add_argument(
        "--receipt",
        metavar="FILE",
        action="append",
        default=[],
        help="a voter's receipt file ({receipt, ballot}, as saved by the voting page or "
        "`inmc-vote cast --receipt-out`): check that it is signed by the authority, that "
        "its tracker is the voter's own ballot's, and that it is on the board; may be repeated",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="processes checking signatures and proofs (default: every core)",
    )
    parser.add_argument(
        "--progress", action="store_true", help="show the progress bar even when not on a terminal"
    )


def run(args: argparse.Namespace) -> int:
    from inmc_vote.verify.run import verify

    target, old = (args.new, args.bundle) if args.new else (args.bundle, None)
    report = verify(
        target,
        old=old,
        receipt_files=args.receipt,
        jobs=args.jobs,
        show_progress=args.progress,
    )
    if args.json:
        json.dump(report.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        if old is not None:
            print(f"Checking that {target} only adds to {old}.")
        print(report.text())
    return 0 if report.ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="inmc-vote verify")
    add_arguments(parser)
    return run(parser.parse_args(argv))
