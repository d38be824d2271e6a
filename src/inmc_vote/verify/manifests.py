"""The bundle's contents, its manifests, and the head the authority signed."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from typing import Any

from inmc_vote.domain.codes import RoundKind, parse
from inmc_vote.domain.counting.rules import Rules
from inmc_vote.domain.protocol import bundle, bundle_zip, keys, manifest
from inmc_vote.domain.protocol.manifest import Manifest, ManifestError, Previous
from inmc_vote.verify.bundle_file import BundleError, BundleFile, numbered, round_member
from inmc_vote.verify.context import Audit, Round
from inmc_vote.verify.report import Problems, Report, plural

ALWAYS = (bundle.AUDITORS, bundle.HEAD, bundle.HEAD_SIG, bundle.EVENTS, bundle.ROLL)
EVERY_ROUND = ("manifest.json", "manifest.sig", "board.jsonl")
SEALED = ("seal.json",)
TALLIED = ("tally.json", "tally.sig", "votes.jsonl", "result.txt")


def check_contents(file: BundleFile, report: Report) -> bundle.Head | None:
    """Every file a bundle has, nothing else, and a readable bundle.json."""
    problems = Problems()
    for name in file.duplicates:
        problems.add(f"{name} is in the bundle twice")
    for name in file.unknown():
        problems.add(f"{name} is not a file of a bundle")
    head = None
    try:
        head = bundle.Head.from_bytes(file.read(bundle.HEAD))
    except (BundleError, ValueError) as error:
        problems.add(str(error))
    expected = list(ALWAYS)
    if head is not None:
        numbers = [r.round for r in head.rounds]
        if numbers != list(range(1, len(numbers) + 1)):
            problems.add(f"bundle.json lists rounds {numbers}, not 1, 2, ... in order")
        for r in head.rounds:
            files = EVERY_ROUND + (SEALED if r.sealed else ()) + (TALLIED if r.tallied else ())
            expected += [bundle.round_member(r.round, f) for f in files]
        listed = {r.round: r for r in head.rounds}
        for name in sorted(file.names):
            member = round_member(name)
            if member is None or name in expected:
                continue
            if member[0] not in listed or numbered(member[1]) is None:
                problems.add(f"{name} is in the bundle but bundle.json does not list it")
            elif not listed[member[0]].sealed:
                problems.add(f"{name} is in the bundle but its round is not sealed")
            elif name.endswith(".json") and "decryption-" in name and not listed[member[0]].tallied:
                problems.add(f"{name} is in the bundle but its round's results are not published")
        for r in head.rounds:
            count = len(_numbered(file, r.round, "shuffle"))
            if _numbered(file, r.round, "shuffle") != tuple(range(1, count + 1)):
                problems.add(f"round {r.round}'s shuffles are not numbered 1, 2, ... in order")
    for name in expected:
        if not file.has(name):
            problems.add(f"the bundle has no {name}")
    if head is not None and not problems:
        _check_texts(file, head, problems)
        _check_container(file, head, problems)
    report.judged(
        "bundle",
        "bundle contents",
        len(file.names),
        problems,
        f"{plural(len(file.names), 'file')}, each one a bundle has, as bundle.json lists them.",
    )
    if head is not None:
        report.ballot, report.exported_at, report.state = head.ballot, head.exported_at, head.state
    return head if head is not None and file.has(bundle.HEAD) else None


def _numbered(file: BundleFile, number: int, kind: str) -> tuple[int, ...]:
    """The numbers of a round's shuffle-K.json or decryption-L.json files, in order."""
    found = []
    for name in file.names:
        member = round_member(name)
        which = numbered(member[1]) if member and member[0] == number else None
        if which is not None and which[0] == kind:
            found.append(which[1])
    return tuple(sorted(found))


def _check_texts(file: BundleFile, head: bundle.Head, problems: Problems) -> None:
    """The files written for people are the ones whose hashes the signed head lists."""
    names = bundle.text_members(head.rounds)
    if sorted(head.texts) != sorted(names):
        problems.add("bundle.json does not list the hashes of exactly " + ", ".join(names))
        return
    for name in names:
        try:
            if hashlib.sha256(file.read(name)).digest() != head.texts[name]:
                problems.add(f"{name} is not the text whose hash bundle.json lists")
        except BundleError as error:
            problems.add(str(error))


def _check_container(file: BundleFile, head: bundle.Head, problems: Problems) -> None:
    """The file is exactly the ZIP the protocol makes of its members: no byte of it (a
    date, an attribute, a size, something added before or after) is left unchecked."""
    if not bundle.TIME.fullmatch(head.exported_at):
        problems.add("bundle.json's export time is not a UTC time")
        return
    try:
        expected = bundle_zip.canonical_digest(
            head.exported_at, ((name, file.pieces(name)) for name in file.order())
        )
        if expected != file.digest():
            problems.add(
                "the file is not the ZIP the protocol makes of its members: a byte outside "
                "their content was changed"
            )
    except (BundleError, OSError) as error:
        problems.add(str(error))


def check_manifests(audit: Audit) -> bool:
    """Each round's manifest: canonical, its hash the one bundle.json names, signed by the
    authority (the same key in every round and in bundle.json)."""
    problems = Problems()
    for listed in audit.head.rounds:
        name = bundle.round_member(listed.round, "manifest.json")
        try:
            data = audit.bundle.read(name)
            value = bundle.canonical_object(data, name)
            signature = bundle.read_signature_text(
                audit.bundle.read(bundle.round_member(listed.round, "manifest.sig"))
            )
        except (BundleError, ValueError, UnicodeDecodeError) as error:
            problems.add(str(error))
            continue
        digest = manifest.manifest_hash(data)
        try:
            fixed = Manifest.parse(value)
        except ManifestError as wrong:
            problems.add(f"{name} is not a manifest ({manifest.FORMAT}): {wrong}")
            continue
        found = Round(listed.round, listed, fixed, data, digest)
        found.shuffles = len(_numbered(audit.bundle, listed.round, "shuffle"))
        found.decryptions = _numbered(audit.bundle, listed.round, "decryption")
        if fixed.ballot != audit.ballot or fixed.round != listed.round:
            problems.add(f"{name} is for ballot {fixed.ballot} round {fixed.round}")
        if digest != listed.manifest:
            problems.add(f"{name}'s hash is not the one bundle.json names")
        if listed.round == 1 and fixed.previous is not None:
            problems.add(f"{name} names a previous round, but it is round 1")
        authority, registrar = fixed.keys.authority, fixed.keys.registrar
        if not keys.verify(authority, signature, manifest.signed_message(digest)):
            problems.add(f"{name} is not signed by its authority key")
        if audit.authority and authority != audit.authority:
            problems.add(f"{name} names another authority key than round 1")
        if authority != audit.head.authority:
            problems.add(f"{name}'s authority key is not the one bundle.json names")
        audit.authority = audit.authority or authority
        audit.registrar = audit.registrar or registrar
        audit.rounds.append(found)
        audit.report.fingerprints[listed.round] = manifest.short_fingerprint(digest)
    readable = bool(audit.rounds) and len(audit.rounds) == len(audit.head.rounds)
    if not audit.head.rounds:
        problems.add("the bundle has no manifest: it exists once the tokens are issued")
    audit.report.judged(
        "manifests",
        "manifests",
        len(audit.rounds),
        problems,
        f"{plural(len(audit.rounds), 'manifest')}, canonical, hashed as bundle.json says, "
        "signed by the authority.",
    )
    return readable


def check_signed_head(audit: Audit) -> None:
    """bundle.sig: the authority's signature over bundle.json, the head an auditor keeps."""
    problems = Problems()
    try:
        signature = bundle.read_signature_text(audit.bundle.read(bundle.HEAD_SIG))
        head_bytes = audit.bundle.read(bundle.HEAD)
    except (BundleError, ValueError, UnicodeDecodeError) as error:
        problems.add(str(error))
    else:
        if not keys.verify(audit.authority, signature, bundle.signed_message(head_bytes)):
            problems.add("bundle.sig is not the authority's signature of bundle.json")
    head = audit.head
    boards = sum(r.board_count for r in head.rounds)
    audit.report.judged(
        "signed-head",
        "signed head",
        1,
        problems,
        f"the authority signed this bundle's head ({plural(head.events_count, 'event')}, "
        f"{plural(boards, 'board entry', 'board entries')}) at {head.exported_at}: keep "
        "bundle.json and bundle.sig to prove later that nothing was taken back.",
    )


SAME_IN_EVERY_ROUND = ("ballot", "title", "question", "method", "eligible", "registrar", "roll")


def check_rounds(audit: Audit) -> None:
    """An exhaustive ballot's rounds: each names the one before it (its manifest and its
    published result) and has the candidates and rules that result called for. (The
    election key and the trustees are the ceremony's in every round: `ceremony` checks it.)"""
    if len(audit.rounds) < 2:
        return
    problems = Problems()
    for before, now in itertools.pairwise(audit.rounds):
        name = now.name
        if before.record is None:
            problems.add(f"{name} follows {before.name}, whose results are not in the bundle")
            continue
        expected = Previous(before.manifest_hash, before.record_hash)
        if now.manifest.previous != expected:
            problems.add(f"{name}'s manifest does not name {before.name}'s manifest and result")
        for key in SAME_IN_EVERY_ROUND:
            if getattr(now.manifest, key) != getattr(before.manifest, key):
                problems.add(f"{name}'s «{key}» is not {before.name}'s")
        keys_now, keys_before = now.manifest.keys, before.manifest.keys
        if (keys_now.authority, keys_now.registrar) != (
            keys_before.authority,
            keys_before.registrar,
        ):
            problems.add(f"{name}'s authority or registrar key is not {before.name}'s")
        _follows_result(before, now, problems)
    audit.report.judged(
        "rounds",
        "rounds follow each other",
        len(audit.rounds),
        problems,
        f"{plural(len(audit.rounds), 'round')}: each names the one before it and its "
        "published result, and takes the candidates that result called for.",
    )


def _follows_result(before: Round, now: Round, problems: Problems) -> None:
    result = (before.record or {}).get("result") or {}
    plan = result.get("next_round")
    if not isinstance(plan, dict):
        problems.add(f"{before.name}'s result calls for no further round")
        return
    ids = list(now.manifest.candidate_ids)
    known = {c.id: c for c in before.manifest.candidates}
    if not isinstance(plan.get("candidates"), list) or sorted(ids) != sorted(plan["candidates"]):
        problems.add(f"{now.name}'s candidates are not the ones {before.name}'s result named")
    if any(known.get(c.id) != c for c in now.manifest.candidates):
        problems.add(f"{now.name} names a candidate differently from {before.name}")
    if now.manifest.rules != _rules_called_for(before, plan):
        problems.add(f"{now.name}'s rules are not {before.name}'s with what its result called for")


def _rules_called_for(before: Round, plan: dict[str, Any]) -> Rules | None:
    """The previous round's rules with the kind of round its result called for (None when
    the result's plan cannot be read, which no manifest's rules then match)."""
    try:
        kind = parse(RoundKind, plan.get("kind"))
        listed = plan.get("continuing")
        if kind is RoundKind.REGULAR:
            continuing: tuple[str, ...] = ()
        elif isinstance(listed, list):
            continuing = tuple(listed)
        else:
            return None
        return dataclasses.replace(before.manifest.rules, round_kind=kind, continuing=continuing)
    except (TypeError, ValueError):
        return None
