"""Each round's checks, one per step from the ballots to the result, from what the pass
over its board found (`board_pass`) and the round's seal and tally record."""

from __future__ import annotations

from collections import Counter
from typing import Any

from inmc_vote.domain.codes import VerdictKind
from inmc_vote.domain.counting import count
from inmc_vote.domain.counting.votes import Verdict
from inmc_vote.domain.protocol import board, bundle, keys, tally
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url
from inmc_vote.domain.protocol.manifest import tiebreak_commitment
from inmc_vote.verify.board_pass import Pass, Verdicts
from inmc_vote.verify.bundle_file import BundleError
from inmc_vote.verify.context import Audit, Round
from inmc_vote.verify.report import Problems, Report, plural

RECORD_FIELDS = {
    "format",
    "ballot",
    "round",
    "manifest",
    "board",
    "tally_key",
    "seed",
    "outcomes",
    "result",
    "tallied_at",
}


def report_round(audit: Audit, found: Round, done: Pass, seal: Problems, record: Problems) -> None:
    report, n, name = audit.report, found.number, found.name
    problems = done.problems
    _board(report, found, done)
    report.judged(
        "signatures",
        f"{name}, ballot signatures",
        done.count,
        problems["signatures"],
        f"{plural(done.count, 'ballot')}, each signed by its own credential for this "
        "round's manifest, each of the round's size.",
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
    if found.head.tallied:
        _record(audit, found, done, record)
        _seed(report, found)
        _decryptions(report, found, done)
        report.judged(
            "verdicts",
            f"{name}, verdicts",
            done.outcomes_count,
            problems["verdicts"],
            _verdict_words(done.verdicts),
            n,
        )
        _count(report, found, done)
    else:
        report.passed(
            "tally-record",
            f"{name}, tally",
            0,
            "not in this bundle: the round's results are not published yet.",
            n,
        )


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


def _record(audit: Audit, found: Round, done: Pass, problems: Problems) -> None:
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
        stated = record.get("outcomes") or {}
        if stated.get("count") != done.outcomes_count or done.outcomes_count != done.count:
            problems.add(
                f"tally.json says {stated.get('count')} outcome lines, outcomes.jsonl has "
                f"{done.outcomes_count:,} for {plural(done.count, 'entry', 'entries')}"
            )
        if stated.get("hash") != b64url(done.outcomes_hash):
            problems.add("outcomes.jsonl's hash is not the one tally.json states")
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
        f"signed by the authority; it counts the sealed board and its "
        f"{plural(done.outcomes_count, 'outcome line')} (their hash is the record's).",
        found.number,
    )


def _seed(report: Report, found: Round) -> None:
    problems = Problems()
    record = found.record or {}
    try:
        seed = from_b64url(record.get("seed"))
        if tiebreak_commitment(seed) != found.manifest.tiebreak_commitment:
            problems.add("SHA-256 of the revealed seed is not the manifest's commitment")
    except (TypeError, ValueError):
        problems.add("the tally record reveals no readable seed")
    report.judged(
        "seed",
        f"{found.name}, tie-break seed",
        1,
        problems,
        "the revealed seed is the one committed to in the manifest (its SHA-256).",
        found.number,
    )


def _decryptions(report: Report, found: Round, done: Pass) -> None:
    problems = Problems()
    record = found.record or {}
    try:
        key = from_b64url(record.get("tally_key"))
        if keys.x25519_public(key) != found.manifest.keys.tally:
            problems.add("the revealed tally key is not the manifest's")
    except (TypeError, ValueError):
        problems.add("the tally record reveals no readable tally key")
    if done.undecrypted:
        problems.add(done.undecrypted)
    problems.absorb(done.problems["decryptions"].count, done.problems["decryptions"].quoted)
    report.judged(
        "decryptions",
        f"{found.name}, decryptions",
        done.count,
        problems,
        f"{plural(done.count, 'ballot')} decrypted again with the revealed tally key, each "
        "to the vote its outcome line shows.",
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
        + ": each outcome line's verdict and reason judged again from its vote."
    )


def _count(report: Report, found: Round, done: Pass) -> None:
    problems = Problems()
    record = found.record or {}
    manifest = found.manifest
    try:
        redone = count(
            manifest.method,
            manifest.candidate_ids,
            manifest.rules,
            Verdicts(done.verdicts),
            eligible=manifest.eligible,
            seed=from_b64url(record.get("seed")),
        )
        stated = record.get("result")
        if canonical_json(redone.to_json()) != canonical_json(stated):
            problems.add(_difference(redone.to_json(), stated))
        winner = redone.winner
    except (KeyError, TypeError, ValueError) as error:
        problems.add(f"the count cannot be redone: {error}")
        winner = None
    report.judged(
        "count",
        f"{found.name}, count",
        len(Verdicts(done.verdicts)),
        problems,
        f"redone with the shared counting code: the record's result ({_outcome(winner, record)}).",
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
