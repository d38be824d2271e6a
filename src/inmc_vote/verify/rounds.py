"""Each round's checks, one per step from the ballots to the result: what the pass over
its board found (`board_pass`), its seal and tally record, then the mix (`mix`), the
decryption and the lot (`decryptions`), each vote's verdict and the count."""

from __future__ import annotations

from collections import Counter
from typing import Any

from inmc_vote.domain.codes import VerdictKind
from inmc_vote.domain.counting import count
from inmc_vote.domain.counting.votes import Verdict
from inmc_vote.domain.protocol import board, bundle, keys, tally
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url
from inmc_vote.verify.board_pass import Pass, Verdicts
from inmc_vote.verify.bundle_file import BundleError
from inmc_vote.verify.context import Audit, Round
from inmc_vote.verify.decryptions import Votes, check_decryption, check_lot, read_votes
from inmc_vote.verify.mix import check_mix_input, check_shuffles
from inmc_vote.verify.pool import Workers
from inmc_vote.verify.report import Problems, Report, plural

RECORD_FIELDS = {
    "format",
    "ballot",
    "round",
    "manifest",
    "board",
    "mix",
    "decryptions",
    "lot",
    "votes",
    "result",
    "tallied_at",
}


def report_round(
    audit: Audit,
    found: Round,
    done: Pass,
    seal: Problems,
    record: Problems,
    workers: Workers,
) -> None:
    """The round's checks in the order of its steps: the board and its ballots, the
    seal, then (once the results are published) the record, the mix, the decryption,
    the lot, each vote's verdict and the count."""
    report, n, name = audit.report, found.number, found.name
    problems = done.problems
    _board(report, found, done)
    report.judged(
        "ballots",
        f"{name}, ballots",
        done.count,
        problems["ballots"],
        f"{plural(done.count, 'ballot')}, each well formed for this round, its ciphertext's "
        "points in the group, its proof of knowledge and its credential's signature checked, "
        "its tracker its hash.",
        n,
    )
    report.judged(
        "on-roll",
        f"{name}, credentials on the roll",
        done.count,
        problems["on-roll"],
        f"{plural(done.count, 'ballot')}, each by a credential on the roll when it was "
        "received (the roll replayed with its lost tokens).",
        n,
    )
    report.judged(
        "one-per-credential",
        f"{name}, one ballot per credential",
        done.count,
        problems["one-per-credential"],
        f"{plural(done.count, 'ballot')} from as many different credentials.",
        n,
    )
    _turnout(audit, found, done)
    _seal(audit, found, done, seal)
    if not found.head.tallied:
        report.passed(
            "tally-record",
            f"{name}, tally",
            0,
            "not in this bundle: the round's results are not published yet.",
            n,
        )
        if found.shuffles:  # mixing has begun: the shuffles in so far
            counted = done.mix_input()
            done.counted = bytearray()
            check_mix_input(audit, found, counted)
            workers.release()  # `shuffle.verify` starts processes of its own
            check_shuffles(audit, found, counted, workers.jobs)
        return
    votes = read_votes(audit, found)
    _record(audit, found, votes, record)
    counted = done.mix_input()
    done.counted = bytearray()  # the list is held once, as `counted`, from here on
    check_mix_input(audit, found, counted)
    workers.release()  # `shuffle.verify` starts processes of its own
    mixed = check_shuffles(audit, found, counted, workers.jobs)
    del counted
    files = check_decryption(audit, found, mixed, workers)
    del mixed
    seed = check_lot(audit, found, files)
    del files
    report.judged(
        "verdicts",
        f"{name}, verdicts",
        votes.count,
        votes.problems,
        _verdict_words(votes.verdicts),
        n,
    )
    _count(report, found, votes, seed)


def _board(report: Report, found: Round, done: Pass) -> None:
    problems = done.problems["board"]
    head = found.head
    if done.count != head.board_count or done.last_hash != head.board_head:
        problems.add(
            f"bundle.json says {plural(head.board_count, 'entry', 'entries')} up to "
            f"{b64url(head.board_head)[:10]}…, the board has {done.count:,}"
            + (f" up to {b64url(done.last_hash)[:10]}…" if done.last_hash else "")
        )
    report.judged(
        "board",
        f"{found.name}, board",
        done.count,
        problems,
        f"{plural(done.count, 'entry', 'entries')}, numbered from 1, each chained to the one "
        "before it from the manifest, each matching its hash, none before voting opened, up "
        "to the head bundle.json names.",
        found.number,
    )


def _turnout(audit: Audit, found: Round, done: Pass) -> None:
    problems = Problems()
    eligible = found.manifest.eligible
    size = found.manifest.roll.size
    if eligible != size or eligible != audit.roll_size:
        problems.add(
            f"the manifest says {eligible} eligible cities but the roll has "
            f"{plural(audit.roll_size, 'credential')}"
        )
    if done.count > eligible:
        problems.add(f"{plural(done.count, 'ballot')} for {eligible} eligible cities")
    audit.report.judged(
        "turnout",
        f"{found.name}, turnout",
        done.count,
        problems,
        f"{plural(done.count, 'ballot')} for {eligible} eligible cities, the size of the roll.",
        found.number,
    )


def _seal(audit: Audit, found: Round, done: Pass, problems: Problems) -> None:
    name, seal = found.name, found.seal
    if not found.head.sealed:
        audit.report.passed(
            "seal",
            f"{name}, seal",
            0,
            "not sealed yet: the board is held to the head the authority signed in bundle.sig.",
            found.number,
        )
        return
    if seal is not None:
        message = board.seal_message(found.manifest_hash, seal.count, seal.head, seal.closed_at)
        if not keys.verify(audit.authority, seal.signature, message):
            problems.add("seal.json is not signed by the authority")
        if seal.count != done.count or seal.head != done.last_hash:
            problems.add(
                f"the seal closes the board at {plural(seal.count, 'entry', 'entries')}, "
                f"the board has {done.count:,} up to another head"
            )
        closes_at = found.manifest.closes_at
        if not bundle.TIME.fullmatch(seal.closed_at):
            problems.add(f"the seal's time «{seal.closed_at}» is not a UTC time")
        elif seal.closed_at > closes_at:
            problems.add(f"the seal's time {seal.closed_at} is after the closing time {closes_at}")
        if done.latest is not None and done.latest > seal.closed_at:
            problems.add(f"a ballot was received at {done.latest}, after the seal")
    audit.report.judged(
        "seal",
        f"{name}, seal",
        done.count,
        problems,
        f"signed by the authority at {seal.closed_at if seal else '?'}: "
        f"{plural(done.count, 'entry', 'entries')} up to the board's head, none after it.",
        found.number,
    )


def _record(audit: Audit, found: Round, votes: Votes, problems: Problems) -> None:
    """The record's fields, for this ballot, round and manifest; it counts the sealed
    board and names votes.jsonl by its count and hash; made after the seal; signed.
    (What it says of the mix, the decryptions and the lot is checked with them.)"""
    record, seal = found.record, found.seal
    if record is not None:
        if set(record) != RECORD_FIELDS or record.get("format") != tally.FORMAT:
            problems.add(f"tally.json is not a tally record ({tally.FORMAT})")
        if (record.get("ballot"), record.get("round"), record.get("manifest")) != (
            audit.ballot,
            found.number,
            b64url(found.manifest_hash),
        ):
            problems.add("tally.json is for another ballot, round or manifest")
        if seal is None:
            problems.add("the round has a tally but no seal")
        elif record.get("board") != {"count": seal.count, "head": b64url(seal.head)}:
            problems.add("tally.json counts another board than the sealed one")
        if record.get("votes") != {"count": votes.count, "hash": b64url(votes.hash)}:
            problems.add(
                f"votes.jsonl ({plural(votes.count, 'line')}) is not the one tally.json names"
            )
        tallied_at = record.get("tallied_at")
        if not isinstance(tallied_at, str) or not bundle.TIME.fullmatch(tallied_at):
            problems.add("tally.json's time is not a UTC time")
        elif seal is not None and tallied_at < seal.closed_at:
            problems.add("tally.json was made before the round was sealed")
        try:
            signature = bundle.read_signature_text(audit.bundle.read(found.member("tally.sig")))
        except (BundleError, ValueError, UnicodeDecodeError) as error:
            problems.add(str(error))
        else:
            message = tally.signed_message(found.record_hash)
            if not keys.verify(audit.authority, signature, message):
                problems.add("tally.sig is not the authority's signature of tally.json")
    audit.report.judged(
        "tally-record",
        f"{found.name}, tally record",
        1,
        problems,
        f"signed by the authority; it counts the sealed board and names its "
        f"{plural(votes.count, 'vote line')} by their hash.",
        found.number,
    )


def _verdict_words(verdicts: Counter[Verdict]) -> str:
    kinds = Counter[str]()
    for verdict, n in verdicts.items():
        kinds[verdict.kind] += n
    reasons = Counter[str]()
    for verdict, n in verdicts.items():
        if verdict.kind == VerdictKind.INVALID:
            reasons[str(verdict.reason)] += n
    why = ", ".join(f"{n:,} {reason}" for reason, n in sorted(reasons.items()))
    counted, blank = kinds[VerdictKind.COUNTED], kinds[VerdictKind.BLANK]
    invalid = kinds[VerdictKind.INVALID]
    return (
        f"{counted:,} counted, {blank:,} blank, {invalid:,} invalid"
        + (f" ({why})" if why else "")
        + ": each vote line's verdict and reason judged again from its vote."
    )


def _count(report: Report, found: Round, votes: Votes, seed: bytes | None) -> None:
    """The count redone from the vote lines' verdicts, with the lot's seed as the
    reveals give it (the record's own when they give none: `lot` failed then)."""
    problems = Problems()
    record = found.record or {}
    manifest = found.manifest
    try:
        if seed is None and (record.get("lot") or {}).get("seed") is not None:
            seed = from_b64url(record["lot"]["seed"])  # `lot` failed: judge the rest alone
        redone = count(
            manifest.method,
            manifest.candidate_ids,
            manifest.rules,
            Verdicts(votes.verdicts),
            eligible=manifest.eligible,
            seed=seed,
        )
        stated = record.get("result")
        if canonical_json(redone.to_json()) != canonical_json(stated):
            problems.add(_difference(redone.to_json(), stated))
        winner = redone.winner
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        problems.add(f"the count cannot be redone: {error}")
        winner = None
    report.judged(
        "count",
        f"{found.name}, count",
        len(Verdicts(votes.verdicts)),
        problems,
        "redone with the shared counting code and the lot's seed: the record's result "
        f"({_outcome(winner, record)}).",
        found.number,
    )


def _outcome(winner: str | None, record: dict[str, Any]) -> str:
    result = record.get("result") or {}
    return f"winner {winner}" if winner else str(result.get("outcome", "?"))


def _difference(redone: dict[str, Any], stated: Any) -> str:
    if not isinstance(stated, dict):
        return "the record's result is not a result"
    keys_ = [k for k in redone if canonical_json(redone[k]) != canonical_json(stated.get(k))]
    extra = sorted(set(stated) - set(redone))
    said = [
        f"{k}: the record says {_short(stated.get(k))}, the count gives {_short(redone[k])}"
        for k in keys_[:3]
    ]
    if extra:
        said.append(f"the record has fields a result does not have: {', '.join(extra)}")
    return "; ".join(said) or "the record's result differs"


def _short(value: Any) -> str:
    text = canonical_json(value).decode() if value is not None else "nothing"
    return text if len(text) <= 80 else text[:77] + "..."
