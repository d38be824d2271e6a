"""`inmc-vote count`: count a file of votes with the service's own counting code, so that
anyone can redo a published tally or try the rules on their own data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inmc_vote.cli.common import Subparsers, fail


def register(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    count = subparsers.add_parser(
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
    count.set_defaults(func=cmd_count)


def cmd_count(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from inmc_vote.domain.ballots import Method, parse_quorum
    from inmc_vote.domain.codes import LotPurpose
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
            return fail(f"Cannot read {args.manifest}: {error.strerror}.")
        except (ValueError, KeyError, TypeError) as error:
            return fail(f"{args.manifest} is not a usable manifest: {error}.")
    if method is None:
        return fail("Say which counting method to use with --method (or give --manifest).")
    if method not in {m.value for m in Method}:
        return fail(f"{method} is not a counting method: {', '.join(Method)}.")
    if eligible is not None and (type(eligible) is not int or eligible < 0):
        return fail("The number of eligible cities must be a whole number, 0 or more.")
    if args.quorum is not None:
        try:
            rules = dataclasses.replace(rules, quorum=parse_quorum(args.quorum))
        except RuleError as error:
            return fail(error.message)
    if rules.quorum is not None and eligible is None:
        return fail("A quorum is a share of the eligible cities: give --eligible N too.")
    if args.candidates is not None:
        candidates = tuple(c.strip() for c in args.candidates.split(",") if c.strip())
    try:
        seed = bytes.fromhex(args.seed) if args.seed is not None else None
    except ValueError:
        return fail("The seed must be hexadecimal, as published in the tally record.")

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except OSError as error:
        return fail(f"Cannot read {args.file}: {error.strerror}.")
    except UnicodeDecodeError:
        return fail(f"{args.file} is not UTF-8 text: expected JSON Lines or a PrefLib file.")
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
        place = "first" if needed.purpose == LotPurpose.WINNER else "last"
        print(
            f"A lot is needed: in round {needed.round}, {tied} tie for {place} place, and "
            "the rules settle that by lot. Give the ballot's tie-break seed with --seed HEX "
            "(the tally record publishes it) to draw it.",
            file=sys.stderr,
        )
        return 2
    except ValueError as error:  # FileError, and counting arguments that contradict
        return fail(f"{args.file}: {error}.")
    if args.json:
        print(canonical_json(result.to_json()).decode())
    else:
        print("\n".join(explain(result, names, title=title, notes=notes)))
    return 0
