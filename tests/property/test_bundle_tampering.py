"""No tampered bundle is ever accepted, whatever hypothesis changes: a byte of the file;
a line dropped, duplicated, moved or replaced; a decrypted vote, a count or the lot
seed changed by an authority that then signs everything again; any signature; and,
by a trustee who signs its message again (and a server that derives everything else
from it), any part of a shuffle proof, any mixed ciphertext, the order of a shuffle's
output, or any decryption factor or its proof."""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from inmc_vote.domain.protocol import bundle, group, shuffle
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.verify import verify
from tests.unit.audit import builder

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINES = ("events.jsonl", "roll.jsonl", "round-1/board.jsonl", "round-1/votes.jsonl")
VOTES = [
    {"v": 1, "choice": "lyon"},
    {"v": 1, "choice": "porto"},
    {"v": 1, "choice": "lyon"},
    {"v": 1, "blank": True},
    builder.UNKNOWN,
    None,
]


@cache
def honest_model() -> builder.Model:
    """A tallied ballot with a lost token replaced, a blank and an invalid vote, decrypted
    by all three trustees (so that a refused decryption still leaves two)."""
    model = builder.honest(VOTES, voters=6)
    new = builder.new_voter(model.ballot, model.registrar)
    model.replacements.append((5, new, builder.at(days=2, hours=1)))
    r = model.rounds[0]
    model.cast(r, new, {"v": 1, "choice": "turin"}, builder.at(days=4))
    r.decrypters = [1, 2, 3]
    model.tally(r, r.tallied_at)
    return model


@cache
def honest_members() -> dict[str, bytes]:
    return honest_model().members()


@cache
def honest_bytes() -> bytes:
    members = honest_members()
    return builder.zip_bytes(members, json.loads(members["bundle.json"])["exported_at"])


def accepted(data: bytes) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundle.zip"
        path.write_bytes(data)
        return verify(path, jobs=1).ok


def accepted_members(members: dict[str, bytes]) -> bool:
    """Whether the verifier accepts these members, in a ZIP made for them as the export
    makes it (so that only their content can be wrong)."""
    exported_at = json.loads(honest_members()["bundle.json"])["exported_at"]
    try:
        stated = json.loads(members["bundle.json"])["exported_at"]
        if bundle.TIME.fullmatch(stated):
            exported_at = stated
    except (KeyError, ValueError, TypeError):
        pass
    return accepted(builder.zip_bytes(members, exported_at))


def accepted_model(model: builder.Model) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        return verify(model.write(Path(folder) / "bundle.zip"), jobs=1).ok


def test_the_honest_bundle_is_accepted() -> None:
    assert accepted(honest_bytes())
    assert accepted_model(copy.deepcopy(honest_model()))


@SETTINGS
@given(st.data())
def test_flipping_any_byte(data: st.DataObject) -> None:
    original = honest_bytes()
    where = data.draw(st.integers(0, len(original) - 1), label="offset")
    mask = data.draw(st.integers(1, 255), label="xor")
    changed = bytearray(original)
    changed[where] ^= mask
    assert not accepted(bytes(changed))


@SETTINGS
@given(st.data())
def test_flipping_any_byte_of_any_member_in_a_well_made_zip(data: st.DataObject) -> None:
    members = dict(honest_members())
    name = data.draw(st.sampled_from(sorted(members)), label="member")
    where = data.draw(st.integers(0, len(members[name]) - 1), label="offset")
    changed = bytearray(members[name])
    changed[where] ^= data.draw(st.integers(1, 255), label="xor")
    members[name] = bytes(changed)
    assert not accepted_members(members)


@SETTINGS
@given(st.data())
def test_dropping_duplicating_moving_or_replacing_a_line(data: st.DataObject) -> None:
    members = dict(honest_members())
    name = data.draw(st.sampled_from(LINES), label="member")
    lines = members[name].splitlines(keepends=True)
    op = data.draw(st.sampled_from(["drop", "duplicate", "move", "replace"]), label="op")
    i = data.draw(st.integers(0, len(lines) - 1), label="line")
    j = data.draw(st.integers(0, len(lines) - 1), label="other")
    if op == "drop":
        del lines[i]
    elif op == "duplicate":
        lines.insert(j, lines[i])
    elif op == "move":
        lines.insert(j, lines.pop(i))
    else:
        source = data.draw(st.sampled_from(LINES), label="from")
        pool = honest_members()[source].splitlines(keepends=True)
        lines[i] = pool[data.draw(st.integers(0, len(pool) - 1), label="source line")]
    changed = b"".join(lines)
    assume(changed != members[name])
    members[name] = changed
    assert not accepted_members(members)


def signed_again(change) -> bool:
    """Whether the verifier accepts the ballot after `change`, made by an authority that
    then derives and signs everything else again, as an honest one would."""
    model = copy.deepcopy(honest_model())
    change(model)
    return accepted_model(model)


CHOICES = [{"v": 1, "choice": c} for c in ("lyon", "porto", "turin", "#9")] + [
    {"v": 1, "blank": True},
    {"v": 1, "ranking": ["lyon"]},
]


@SETTINGS
@given(st.integers(0, 5), st.sampled_from(CHOICES), st.booleans())
def test_changing_a_decrypted_vote(index: int, new_vote: dict, recount: bool) -> None:
    def change(model: builder.Model) -> None:
        r = model.rounds[0]
        line = json.loads(r.votes[index])
        assume(line["vote"] != new_vote)
        line["vote"] = new_vote
        r.votes[index] = json.dumps(line, sort_keys=True, separators=(",", ":")).encode() + b"\n"
        if recount:
            r.result = model.recount(r)

    assert not signed_again(change)


def _numbers(value: object, path: tuple = ()) -> list[tuple]:
    """The paths of every whole number inside a JSON value."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _numbers(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _numbers(v, (*path, i))]
    return []


@SETTINGS
@given(st.data())
def test_changing_a_count(data: st.DataObject) -> None:
    result = honest_model().rounds[0].result
    path = data.draw(st.sampled_from(_numbers(result)), label="number")
    delta = data.draw(st.integers(-3, 3).filter(bool), label="delta")

    def change(model: builder.Model) -> None:
        target = model.rounds[0].result
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] += delta

    assert not signed_again(change)


@SETTINGS
@given(st.binary(min_size=1, max_size=64))
def test_changing_the_seed(seed: bytes) -> None:
    def change(model: builder.Model) -> None:
        r = model.rounds[0]
        assume(seed != r.seed)
        r.record_patch = lambda record: record.update(lot={"seed": b64url(seed)})

    assert not signed_again(change)


def _signatures(members: dict[str, bytes]) -> list[tuple[str, int, str]]:
    """(member, line, field) of every signature in the bundle; field "" for a .sig file."""
    found = [(name, 0, "") for name in members if name.endswith(".sig")]
    found += [("roll.jsonl", i, "sig") for i in range(len(members["roll.jsonl"].splitlines()))]
    board_lines = members["round-1/board.jsonl"].splitlines()
    found += [("round-1/board.jsonl", i, "ballot.signature") for i in range(len(board_lines))]
    found.append(("round-1/seal.json", 0, "signature"))
    found += [(name, 0, "signature") for name in members if name.startswith("round-1/shuffle-")]
    found += [(name, 0, "signature") for name in members if name.startswith("round-1/decrypt")]
    events = members["events.jsonl"].splitlines()
    for i, line in enumerate(events):
        data = json.loads(line)["data"]
        for field in ("registrar_sig", "sig", "signature"):
            if field in data:
                found.append(("events.jsonl", i, field))
    return found


@SETTINGS
@given(st.data())
def test_changing_a_signature(data: st.DataObject) -> None:
    members = dict(honest_members())
    name, index, field = data.draw(st.sampled_from(_signatures(members)), label="signature")
    bit = data.draw(st.integers(0, 511), label="bit")

    def flipped(text: str) -> str:
        raw = bytearray(from_b64url(text))
        raw[bit // 8 % len(raw)] ^= 1 << (bit % 8)
        return b64url(bytes(raw))

    if not field:
        members[name] = flipped(members[name].decode().strip()).encode() + b"\n"
    else:
        lines = members[name].splitlines(keepends=True)
        value = json.loads(lines[index])
        holder = value["data"] if name == "events.jsonl" else value
        if field == "ballot.signature":
            holder, field = value["ballot"], "signature"
        holder[field] = flipped(holder[field])
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        lines[index] = text.encode() + (b"\n" if name.endswith(".jsonl") else b"")
        members[name] = b"".join(lines)
    assert not accepted_members(members)


# --- a trustee who tampers with the mix, then signs again --------------------------------

SCALAR_FIELDS = ("s1", "s2", "s3", "s4", "s_hat", "s_prime")


def _scalar(n: int) -> str:
    return b64url(group.scalar_of(n % (group.L - 1) + 1))


def _point(n: int) -> str:
    return b64url(group.base_mul(group.scalar_of(n % (group.L - 1) + 1)))


def _tamper_shuffle(data: st.DataObject) -> Callable[[int, dict], None]:
    kind = data.draw(st.sampled_from(["proof", "ciphertext", "swap"]), label="what")
    target = data.draw(st.integers(1, 2), label="shuffle")
    field = data.draw(st.sampled_from(shuffle.FIELDS), label="proof field")
    i = data.draw(st.integers(0, 6), label="position")
    j = data.draw(st.integers(0, 6), label="other position")
    n = data.draw(st.integers(1, 2**256), label="value")

    def patch(index: int, message: dict) -> None:
        if index != target:
            return
        out, proof = message["output"], message["proof"]
        if kind == "swap":
            assume(out[i % len(out)] != out[j % len(out)])
            out[i % len(out)], out[j % len(out)] = out[j % len(out)], out[i % len(out)]
        elif kind == "ciphertext":
            out[i % len(out)][j % 2] = _point(n)
        else:
            new = _scalar(n) if field in SCALAR_FIELDS else _point(n)
            if isinstance(proof[field], list):
                proof[field][i % len(proof[field])] = new
            else:
                proof[field] = new

    return patch


def _tamper_decryption(data: st.DataObject) -> Callable[[int, dict], None]:
    target = data.draw(st.integers(1, 3), label="trustee")
    part = data.draw(st.sampled_from(["factor", "commitment", "response"]), label="part")
    i = data.draw(st.integers(0, 6), label="position")
    n = data.draw(st.integers(1, 2**256), label="value")

    def patch(who: int, message: dict) -> None:
        if who != target:
            return
        item = message["factors"][i % len(message["factors"])]
        if part == "factor":
            item["factor"] = _point(n)
        elif part == "commitment":
            item["proof"]["commitment"][n % 2] = _point(n)
        else:
            item["proof"]["response"] = _scalar(n)

    return patch


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_tampered_shuffle_or_decryption_is_accepted(data: st.DataObject) -> None:
    """A shuffle proof's part, a mixed ciphertext, two outputs swapped, a decryption
    factor or its proof: changed by the trustee who then signs its message again, the
    rest of the tally derived from it as the server would."""
    model = copy.deepcopy(honest_model())
    r = model.rounds[0]
    in_shuffle = data.draw(st.booleans(), label="in a shuffle")
    if in_shuffle:
        r.shuffle_patch = _tamper_shuffle(data)
    else:
        r.decryption_patch = _tamper_decryption(data)
    model.tally(r, r.tallied_at)
    with tempfile.TemporaryDirectory() as folder:
        report = verify(model.write(Path(folder) / "bundle.zip"), jobs=1)
    # refused, by the check of what was changed (everything else was derived honestly)
    failed = {(c.code, c.round) for c in report.failed()}
    assert failed == {("shuffles" if in_shuffle else "decryption", 1)}, report.text()
