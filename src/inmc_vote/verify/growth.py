"""`verify OLD NEW`: NEW only adds to OLD. OLD's head, signed by the authority, must be
inside NEW's chains, and every line OLD had must be in NEW, unchanged, in its place."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

from inmc_vote.domain.protocol import bundle, keys
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.verify.bundle_file import BundleError, BundleFile, numbered, round_member
from inmc_vote.verify.context import Audit
from inmc_vote.verify.report import Check, Problems, plural


def check_growth(new: Audit, old_path: Path) -> None:
    report = new.report
    try:
        old = BundleFile(old_path)
    except BundleError as error:
        report.add(Check("old-signed-head", "old bundle", False, 0, str(error)))
        return
    with old:
        head = _old_head(new, old)
        if head is None:
            return
        _same_ballot(new, old, head)
        _prefix(
            new,
            old,
            bundle.EVENTS,
            head.events_count,
            head.events_head,
            "events-grew",
            "event log only grew",
            "event",
            None,
        )
        for listed in head.rounds:
            if listed.round > len(new.head.rounds):
                report.add(
                    Check(
                        "board-grew",
                        f"round {listed.round}, board only grew",
                        False,
                        0,
                        f"OLD has round {listed.round}, NEW does not",
                        listed.round,
                    )
                )
                continue
            _prefix(
                new,
                old,
                bundle.round_member(listed.round, "board.jsonl"),
                listed.board_count,
                listed.board_head,
                "board-grew",
                f"round {listed.round}, board only grew",
                "entry",
                listed.round,
                empty_head=listed.manifest,
            )
            _kept(new, old, listed)


def _old_head(new: Audit, old: BundleFile) -> bundle.Head | None:
    problems = Problems()
    head = None
    try:
        data = old.read(bundle.HEAD)
        head = bundle.Head.from_bytes(data)
        signature = bundle.read_signature_text(old.read(bundle.HEAD_SIG))
        if not keys.verify(new.authority, signature, bundle.signed_message(data)):
            problems.add("OLD's bundle.sig is not NEW's authority's signature of its bundle.json")
        if head.ballot != new.ballot:
            problems.add(f"OLD is a bundle of ballot {head.ballot}, NEW of {new.ballot}")
        if head.exported_at > new.head.exported_at:
            problems.add(
                f"OLD was exported at {head.exported_at}, after NEW ({new.head.exported_at}): "
                "give the older bundle first"
            )
    except (BundleError, ValueError, UnicodeDecodeError) as error:
        problems.add(f"OLD cannot be read: {error}")
    new.report.judged(
        "old-signed-head",
        "old bundle's signed head",
        1,
        problems,
        f"OLD (exported at {head.exported_at if head else '?'}) is signed by the same authority.",
    )
    return head if not problems else None


def _same_ballot(new: Audit, old: BundleFile, head: bundle.Head) -> None:
    problems = Problems()
    names = [bundle.ROLL] + [bundle.round_member(r.round, "manifest.json") for r in head.rounds]
    for name in names:
        try:
            if _digest(old, name) != _digest(new.bundle, name):
                problems.add(f"{name} is not the same in OLD and NEW")
        except BundleError as error:
            problems.add(str(error))
    new.report.judged(
        "same-ballot",
        "same ballot",
        len(names),
        problems,
        f"the same roll and {plural(len(head.rounds), 'manifest')} in OLD and NEW.",
    )


def _digest(file: BundleFile, name: str) -> bytes | None:
    if not file.has(name):
        return None
    digest = hashlib.sha256()
    for line in file.lines(name):
        digest.update(line)
    return digest.digest()


def _prefix(
    new: Audit,
    old: BundleFile,
    name: str,
    old_count: int,
    old_head: bytes,
    code: str,
    title: str,
    noun: str,
    number: int | None,
    empty_head: bytes | None = None,
) -> None:
    """OLD's lines are NEW's first lines, byte for byte, and OLD's signed head is the hash
    of the last of them (for an empty board: the manifest hash)."""
    problems = Problems()
    last = b""
    compared = 0
    try:
        pairs = itertools.zip_longest(old.lines(name), new.bundle.lines(name))
        for seq, (before, after) in enumerate(pairs, start=1):
            if seq > old_count or before is None:
                break
            compared = seq
            if after is None:
                problems.add(
                    f"NEW stops at {noun} {seq - 1:,}: OLD's {noun} {seq:,} to {old_count:,} "
                    "were removed"
                )
                break
            if before != after:
                problems.add(f"{noun} {seq:,} was changed, removed or moved")
                break
            last = after
    except BundleError as error:
        problems.add(str(error))
    if not problems:
        if compared != old_count:
            problems.add(f"OLD's {name} has {compared:,} lines, its signed head says {old_count:,}")
        elif (_hash_of(last) if old_count else empty_head) != old_head:
            problems.add(f"OLD's signed head is not in NEW's chain at {noun} {old_count:,}")
    new.report.judged(
        code,
        title,
        old_count,
        problems,
        f"OLD's {plural(old_count, noun, noun + 's' if noun != 'entry' else 'entries')} are "
        f"NEW's first, unchanged, and OLD's signed head ({b64url(old_head)[:10]}…) is in "
        "NEW's chain.",
        number,
    )


def _hash_of(line: bytes) -> bytes | None:
    try:
        return from_b64url(json.loads(line)["hash"])
    except (KeyError, TypeError, ValueError):
        return None


def _kept(new: Audit, old: BundleFile, listed: bundle.RoundHead) -> None:
    """A seal, shuffle, decryption or tally that OLD had is in NEW, byte for byte: the
    mix and the tally are append-only too."""
    problems = Problems()
    mixing = sorted(
        (numbered(member[1]) or ("", 0), member[1])
        for member in (round_member(n) for n in old.names)
        if member is not None and member[0] == listed.round and numbered(member[1])
    )
    files = (
        (["seal.json"] if listed.sealed else [])
        + [file for _, file in mixing]
        + (["tally.json", "tally.sig", "votes.jsonl"] if listed.tallied else [])
    )
    for file in files:
        name = bundle.round_member(listed.round, file)
        try:
            if _digest(old, name) != _digest(new.bundle, name):
                problems.add(f"{name} is not the same in OLD and NEW")
        except BundleError as error:
            problems.add(str(error))
    new.report.judged(
        "round-kept",
        f"round {listed.round}, seal and tally kept",
        len(files),
        problems,
        f"{plural(len(files), 'file')} of OLD's (seal, shuffles, decryptions, tally) "
        "unchanged in NEW."
        if files
        else "OLD had no seal or tally for this round yet.",
        listed.round,
    )
