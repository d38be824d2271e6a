"""A round's decryption, its lot and its votes: each trustee's decryption of the mix's
last output (every factor proved with Chaum–Pedersen, `decryption.read_decryption`),
any t of them combined into the votes (`decryption.combine`, `tally.judge`), which must
be `votes.jsonl`, line for line; each trustee's lot reveal against its commitment, and
the lot's seed recomputed from them and the sealed board's head (`lot.seed`)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from inmc_vote.domain.codes import VerdictKind
from inmc_vote.domain.counting.votes import Verdict, classify
from inmc_vote.domain.protocol import bundle, lot
from inmc_vote.domain.protocol.encoding import b64url, canonical_json
from inmc_vote.verify.bundle_file import BundleError
from inmc_vote.verify.context import Audit, Round
from inmc_vote.verify.mix import Mixed
from inmc_vote.verify.pool import Workers
from inmc_vote.verify.report import Problems, plural
from inmc_vote.verify.worker import (
    CombineTask,
    DecryptionFile,
    DecryptionTask,
    check_decryption_file,
    combine_chunk,
)

CHUNK = 500  # positions a combination task
VOTE_FIELDS = {"position", "outcome", "reason", "vote"}


@dataclass
class Votes:
    """votes.jsonl, read once: its count and hash (the record's), and what each line's
    vote is worth (the count takes it), with the lines whose verdict is not their vote's."""

    count: int = 0
    hash: bytes = b""
    verdicts: Counter[Verdict] = field(default_factory=Counter)
    problems: Problems = field(default_factory=Problems)


def read_votes(audit: Audit, found: Round) -> Votes:
    """Each vote line judged again from its vote (`counting.votes.classify`): the line's
    verdict and reason are what the counting code makes of its vote."""
    done = Votes()
    digest = hashlib.sha256()
    manifest = found.manifest
    try:
        for position, raw in enumerate(_lines(audit, found), start=1):
            digest.update(raw)
            done.count += 1
            try:
                line = bundle.canonical_object(raw.removesuffix(b"\n"), "the line")
                if set(line) != VOTE_FIELDS or not raw.endswith(b"\n"):
                    raise ValueError("not {position, outcome, reason, vote}")
                if line["position"] != position:
                    raise ValueError(f"it says position {line['position']}")
            except ValueError as error:
                done.problems.add(f"vote line {position:,} cannot be read ({error})")
                continue
            claimed = line["vote"]
            if claimed is None:
                verdict = Verdict(VerdictKind.INVALID, line["reason"])
                if (line["outcome"], line["reason"]) != (VerdictKind.INVALID, "malformed"):
                    done.problems.add(f"vote line {position:,} has no vote but is not malformed")
            else:
                try:
                    verdict = classify(
                        claimed, manifest.method, manifest.candidate_ids, manifest.rules
                    )
                except (TypeError, ValueError, AttributeError) as error:
                    done.problems.add(f"vote line {position:,}'s vote cannot be judged ({error})")
                    continue
                if (verdict.kind, verdict.reason) != (line["outcome"], line["reason"]):
                    done.problems.add(
                        f"vote line {position:,}'s vote is {_said(verdict.kind, verdict.reason)}, "
                        f"the line says {_said(line['outcome'], line['reason'])}"
                    )
            done.verdicts[verdict] += 1
    except BundleError as error:
        done.problems.add(str(error))
    done.hash = digest.digest()
    return done


def _lines(audit: Audit, found: Round) -> Iterator[bytes]:
    return audit.bundle.lines(found.member("votes.jsonl"))


def _said(kind: object, reason: object) -> str:
    return str(kind) if reason is None else f"{kind} ({reason})"


def check_decryption(
    audit: Audit, found: Round, mixed: Mixed, workers: Workers
) -> dict[int, DecryptionFile]:
    """Each trustee's decryption checked as the server checked it; at least t of them;
    the record names them by their hashes; and the votes their factors give, combined
    over the t lowest indices, are votes.jsonl's, in order, position by position."""
    problems = Problems()
    trustees = found.manifest.trustees
    tasks = []
    for index in found.decryptions:
        try:
            member = trustees.member(index)
        except KeyError:
            problems.add(f"decryption-{index}.json names no trustee of the manifest")
            continue
        tasks.append(
            DecryptionTask(
                str(audit.bundle.path),
                found.member(f"decryption-{index}.json"),
                audit.ballot,
                found.number,
                found.manifest_hash,
                member,
                mixed.output,
            )
        )
    files = {f.trustee: f for f in workers.map(check_decryption_file, tasks)}
    for file in files.values():
        if file.factors is None:
            problems.add(file.error)
    passed = {who: f.factors for who, f in sorted(files.items()) if f.factors is not None}
    if mixed.output and len(passed) < trustees.threshold:
        problems.add(f"{plural(len(passed), 'decryption')} passed, {trustees.threshold} are needed")
    stated = (found.record or {}).get("decryptions")
    if found.record is not None and stated != [
        {"trustee": who, "hash": b64url(files[who].hash)} for who in sorted(files)
    ]:
        problems.add("the tally record does not name the bundle's decryption files")
    if not mixed.output:
        _no_votes(audit, found, problems)
    elif found.record is not None and len(passed) >= trustees.threshold:
        _compare_votes(audit, found, mixed, passed, workers, problems)
    audit.report.judged(
        "decryption",
        f"{found.name}, decryption",
        len(mixed.output),
        problems,
        f"{plural(len(files), 'trustee')} decrypted the mix's "
        f"{plural(len(mixed.output), 'ciphertext')}, "
        f"each factor proved (Chaum–Pedersen); any {trustees.threshold} combined give "
        "votes.jsonl's votes, in order.",
        found.number,
    )
    found.decryption_refs = tuple((who, files[who].hash) for who in sorted(files))
    return files


def _no_votes(audit: Audit, found: Round, problems: Problems) -> None:
    """Nothing was mixed (no counted ballot): nothing to decrypt, and no vote line."""
    if next(_lines(audit, found), None) is not None:
        problems.add("votes.jsonl has votes, but the mix had no ciphertext")


def _compare_votes(
    audit: Audit,
    found: Round,
    mixed: Mixed,
    passed: dict[int, Any],
    workers: Workers,
    problems: Problems,
) -> None:
    manifest = found.manifest
    threshold = manifest.trustees.threshold
    chosen = sorted(passed)[:threshold]
    n = len(mixed.output)

    def tasks() -> Iterator[CombineTask]:
        for start in range(0, n, CHUNK):
            stop = min(start + CHUNK, n)
            yield CombineTask(
                start + 1,
                mixed.output[start:stop],
                {who: passed[who][start:stop] for who in chosen},
                threshold,
                manifest.method,
                manifest.candidate_ids,
                manifest.rules,
            )

    lines = _lines(audit, found)
    position = 0
    try:
        for expected in workers.map(combine_chunk, tasks()):
            for want in expected:
                position += 1
                got = next(lines, None)
                if got is None:
                    problems.add(f"votes.jsonl stops at line {position - 1:,}, the mix has {n:,}")
                    return
                said = _vote_of(got, position)
                if said != want:
                    problems.add(
                        f"vote line {position:,} is not what the decryption gives "
                        f"({_words(want)}; the line says {_words(said)})"
                    )
        if next(lines, None) is not None:
            problems.add(f"votes.jsonl has more lines than the mix's {n:,} ciphertexts")
    except BundleError as error:
        problems.add(str(error))


def _vote_of(line: bytes, position: int) -> bytes | None:
    """The vote a line shows at its position, as canonical JSON; None when the line is
    not a vote line for that position (`verdicts` says why)."""
    try:
        value = bundle.canonical_object(line.removesuffix(b"\n"), "the line")
        if value.get("position") != position or "vote" not in value:
            return None
        return canonical_json(value["vote"])
    except (ValueError, TypeError):
        return None


def _words(vote: bytes | None) -> str:
    if vote is None:
        return "an unreadable line"
    return "no readable vote" if vote == b"null" else vote.decode()


def check_lot(audit: Audit, found: Round, files: dict[int, DecryptionFile]) -> bytes | None:
    """Each trustee's reveal for this round against the lot commitment of its certificate
    (`lot.reveal_matches`), and the seed recomputed from the sealed board's head and the
    reveals of the decryptions in (`lot.seed`) is the record's. Returns that seed."""
    problems = Problems()
    trustees = found.manifest.trustees
    stated = _stated_seed(found)
    reveals: dict[int, bytes] = {}
    for index, file in sorted(files.items()):
        commitment = trustees.member(index).lot_commitment
        if file.reveal is None or not lot.reveal_matches(file.reveal, found.number, commitment):
            problems.add(f"trustee {index}'s lot reveal does not match its lot commitment")
        elif file.factors is not None:
            reveals[index] = file.reveal
    seed = None
    if found.seal is None:
        problems.add("the round has no seal, whose head the lot takes")
    elif reveals:
        seed = lot.seed(found.seal.head, reveals)
    elif files:
        problems.add("no trustee's decryption is in to reveal the lot")
    if stated != (b64url(seed) if seed else None):
        problems.add("the tally record's lot seed is not the one the reveals give")
    words = (
        f"{plural(len(reveals), 'reveal')}, each the link its trustee committed to before the "
        f"vote; the seed ({b64url(seed)[:10]}…) is the sealed board's head and the reveals "
        "hashed."
        if seed
        else "no decryption, so no reveal: the round has no vote, and no lot (its seed is null)."
    )
    audit.report.judged("lot", f"{found.name}, lot", len(files), problems, words, found.number)
    return seed


def _stated_seed(found: Round) -> Any:
    lot_value = (found.record or {}).get("lot")
    return lot_value.get("seed") if isinstance(lot_value, dict) else "(none)"
