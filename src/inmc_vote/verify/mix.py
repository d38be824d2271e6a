"""The mix-net of a round: its input is the sealed board's counted ballots, and each
trustee's shuffle re-encrypts and reorders the list before it, with a proof
(Terelius–Wikström) that no vote was changed, added or dropped. The verifier holds one
list of ciphertexts at a time (the input, then each output in turn) and reads one
shuffle file at a time; every check is the domain's (`mixing.read_shuffle`,
`trustee_message.signature_valid`, `shuffle.list_hash`, `shuffle.verify`), the server's own."""

from __future__ import annotations

import json
from dataclasses import dataclass

from inmc_vote.domain.protocol import mixing, shuffle, trustee_message
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.protocol.shuffle import Ciphertext
from inmc_vote.verify.bundle_file import BundleError
from inmc_vote.verify.context import Audit, Round
from inmc_vote.verify.report import Problems, plural

MIX_LIMIT = 2 * 1024 * 1024 * 1024  # a shuffle or decryption file: tens of MB a million votes


@dataclass
class Mixed:
    """What the mix gave: the last list (the decryptions' input) and its hash."""

    output: list[Ciphertext]
    output_hash: bytes
    shuffles: int  # shuffles that passed every check


def check_mix_input(audit: Audit, found: Round, counted: list[Ciphertext]) -> None:
    """The first shuffle's input is the counted ballots' ciphertexts in seq order (their
    `list_hash`), and the tally record says so, with their number."""
    problems = Problems()
    digest = shuffle.list_hash(counted)
    if found.shuffles:
        try:  # only its `input` here: the shuffle itself is read and checked in `shuffles`
            first = json.loads(_read(audit, found, "shuffle-1.json"))
            if not isinstance(first, dict) or first.get("input") != b64url(digest):
                problems.add(
                    "the first shuffle's input is not the board's "
                    f"{plural(len(counted), 'counted ballot')}"
                )
            del first
        except (BundleError, ValueError) as error:
            problems.add(f"shuffle-1.json: {error}")
    elif found.record is not None and counted:
        problems.add(f"no shuffle mixed the board's {plural(len(counted), 'counted ballot')}")
    if found.record is not None:
        stated = _mix(found).get("input")
        if stated != {"count": len(counted), "hash": b64url(digest)}:
            problems.add("the tally record names another input of the mix than the board's ballots")
    audit.report.judged(
        "mix-input",
        f"{found.name}, mix input",
        len(counted),
        problems,
        f"{plural(len(counted), 'ciphertext')}, one per counted ballot of the sealed board in "
        "seq order, is what the first shuffle took.",
        found.number,
    )


def check_shuffles(audit: Audit, found: Round, counted: list[Ciphertext], jobs: int) -> Mixed:
    """Each shuffle in turn: its form, a distinct trustee of the manifest and its
    signature, its input the list before it, its proof; at least `threshold` of them
    once the results are published (before, the mix may still be under way).
    The next shuffle is checked against this one's output even when this one failed,
    so that each failure is found where it is."""
    problems = Problems()
    trustees = found.manifest.trustees
    current, current_hash = counted, shuffle.list_hash(counted)
    passed, seen = 0, set[int]()
    refs: list[tuple[int, int, bytes]] = []
    for index in range(1, found.shuffles + 1):
        name = f"shuffle-{index}.json"
        try:
            data = _read(audit, found, name)
            message = mixing.read_shuffle(data)
        except (BundleError, ValueError) as error:
            problems.add(f"{name}: {error}")
            continue
        refs.append((index, message.trustee, mixing.message_hash(data)))
        del data
        wrong = _shuffle_problems(audit, found, index, message, current_hash, seen)
        if not wrong and len(message.output) != len(current):
            wrong.append(f"it has {len(message.output):,} ciphertexts for {len(current):,}")
        if not wrong and not shuffle.verify(
            found.manifest_hash,
            found.manifest.keys.election,
            current,
            message.output,
            message.proof,
            workers=jobs,
        ):
            wrong.append("its proof does not show that it re-encrypts the list before it")
        for words in wrong:
            problems.add(f"shuffle {index} (trustee {message.trustee}): {words}")
        passed += not wrong
        seen.add(message.trustee)
        current = list(message.output)
        current_hash = shuffle.list_hash(current)
        del message
    if found.record is not None and counted and passed < trustees.threshold:
        problems.add(
            f"{plural(passed, 'shuffle')} passed, the threshold is {trustees.threshold}: "
            "fewer trustees than can decrypt mixed the votes"
        )
    found.shuffle_refs = tuple(refs)
    if found.record is not None:
        named = [{"index": k, "trustee": who, "hash": b64url(h)} for k, who, h in refs]
        if _mix(found).get("shuffles") != named:
            problems.add("the tally record does not name the bundle's shuffle files")
        if _mix(found).get("output") != b64url(current_hash):
            problems.add("the tally record names another output of the mix than the last shuffle's")
    words = (
        f"{plural(found.shuffles, 'shuffle')} by as many trustees (threshold "
        f"{trustees.threshold}), each signed, each taking the list before it, each proof "
        "checked: the votes were reordered, none changed"
        + ("." if found.record is not None else " (the mix so far).")
        if counted or found.shuffles
        else "no ballot to mix, and no shuffle."
    )
    audit.report.judged(
        "shuffles", f"{found.name}, shuffles", found.shuffles, problems, words, found.number
    )
    return Mixed(current, current_hash, passed)


def _shuffle_problems(
    audit: Audit,
    found: Round,
    index: int,
    message: mixing.ShuffleMessage,
    input_hash: bytes,
    seen: set[int],
) -> list[str]:
    wrong = []
    if (message.ballot, message.round, message.index) != (audit.ballot, found.number, index):
        wrong.append(
            f"it is for ballot {message.ballot}, round {message.round}, index {message.index}"
        )
    try:
        member = found.manifest.trustees.member(message.trustee)
    except KeyError:
        return [*wrong, "it names no trustee of the manifest"]
    if message.trustee in seen:
        wrong.append("this trustee already shuffled this round")
    if not trustee_message.signature_valid(message.value, member.signing_key):
        wrong.append("it is not signed by the trustee")
    if message.input != input_hash:
        wrong.append("its input is not the list before it")
    return wrong


def _read(audit: Audit, found: Round, file: str) -> bytes:
    return audit.bundle.read(found.member(file), MIX_LIMIT)


def _mix(found: Round) -> dict:  # type: ignore[type-arg]
    value = (found.record or {}).get("mix")
    return value if isinstance(value, dict) else {}
