"""The trustee's shuffle in the browser (web/static/trustee/shuffle.js and mixgroup.js) in
Chromium, against the Python reference: the independent generators against libsodium's
`from_uniform`, the whole signed shuffle message byte for byte with the same randomness
(domain/protocol/shuffle.py, mixing.py, as tools/mixing.make_shuffle builds it), fresh
proofs accepted by Python's verifier and tampered ones refused, and a real round whose
first shuffle Chromium makes and sends through the mixing API before the tally.

The modules are served under /static/ by a small local server, from a page carrying the
trustee page's import map (vote.html's, as web/pages/trustee.py serves it) and the site's
script policy, as
tests/browser/test_ballot_crypto.py does for the ballot code. Values cross as hex.
"""

from __future__ import annotations

import base64
import json
import random
import re
import time
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from nacl import bindings as sodium

from inmc_vote.domain.protocol import group, keys, mixing, shuffle, trustee_message
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.web.security_headers import SECURITY_HEADERS
from tests.browser.conftest import route_to
from tests.browser.module_page import WEB, ModulePageHandler, open_page, page_html, serve
from tests.voting_helpers import (
    cast_all,
    decrypt_by,
    lifecycle_call,
    manifest_of,
    open_ballot,
    shuffle_by,
    trustee_of,
)

pytestmark = pytest.mark.browser

# The trustee page loads vote.html's import map, text for text (web/pages/trustee.py), which
# the site's script policy allows by its hash (web/security_headers.py).
_MAP = re.search(
    r'<script type="importmap">(.*?)</script>',
    (WEB / "templates" / "vote.html").read_text("utf-8"),
    re.S,
)
assert _MAP, "vote.html carries the import map"
PAGE_MAP = _MAP.group(1)
BALLOT = "k7m2p9q4r8s3"


class _Handler(ModulePageHandler):
    pages: ClassVar[dict[str, tuple[bytes, str]]] = {
        "/page.html": (
            page_html("shuffle code", PAGE_MAP),
            SECURITY_HEADERS["Content-Security-Policy"],
        )
    }


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with serve(_Handler) as running:
        yield running


def _open(browser: Any, origin: str) -> tuple[Any, list[str]]:
    return open_page(browser, f"{origin}/page.html")


@pytest.fixture(scope="module")
def page(browser: Any, origin: str) -> Iterator[Any]:
    tab, errors = _open(browser, origin)
    yield tab
    tab.context.close()
    assert errors == [], errors  # e.g. a CSP violation or a refused integrity


def js(page: Any, body: str, arg: Any = None) -> Any:
    """Run `body` in an async function of `arg` with `shuffle`, `mixgroup`, `group` and the
    byte helpers in scope, plus `fixedOf(arg)`: the injected randomness from hex."""
    return page.evaluate(
        "async (arg) => {\n"
        "  const shuffle = await import('/static/trustee/shuffle.js');\n"
        "  const mixgroup = await import('/static/trustee/mixgroup.js');\n"
        "  const group = await import('/static/ballot/group.js');\n"
        "  const { hex, fromHex, b64url, fromB64url } = await import('/static/ballot/bytes.js');\n"
        "  const scalars = (list) => list.map((h) => group.scalar(fromHex(h)));\n"
        "  const fixedOf = (a) => {\n"
        "    if (!a.draws) return {};\n"
        "    const draws = scalars(a.draws);\n"
        "    let k = 0;\n"
        "    return { permutation: a.permutation, randomness: scalars(a.randomness),\n"
        "             draw: () => { if (k >= draws.length) throw new Error('out of draws');\n"
        "                           return draws[k++]; } };\n"
        "  };\n"
        "  const listOf = (cts) => cts.map(([a, b]) => [fromHex(a), fromHex(b)]);\n"
        f"{body}\n"
        "}",
        arg,
    )


# The call that builds a signed shuffle message in the page, from `arg` (see _case).
SHUFFLE_IN_PAGE = """
  const started = performance.now();
  const made = await shuffle.shuffleAndProve({
    ballot: arg.ballot, round: arg.round, trustee: arg.trustee, index: arg.index,
    manifestHash: fromHex(arg.mh), electionKey: fromHex(arg.Y),
    ciphertexts: listOf(arg.cts), signingSeed: fromHex(arg.seed),
  }, fixedOf(arg));
  return { body: new TextDecoder().decode(made.body), ms: performance.now() - started };
"""


# --- The generators: libsodium's from_uniform, in noble's terms -----------------------------


def test_from_uniform_agrees_with_libsodium(page):
    rng = random.Random(7)
    inputs = [rng.randbytes(32) for _ in range(40)]
    inputs += [bytes(32), bytes([0xFF] * 32), bytes([0x7F] + [0xFF] * 31), bytes(31) + b"\x80"]
    inputs += [bytes([0xED] + [0xFF] * 30 + [0x7F]), bytes([0xEC] + [0xFF] * 30 + [0xFF])]  # ≥ p
    got = js(
        page,
        "return arg.map((h) => hex(mixgroup.fromUniform(fromHex(h)).toBytes()));",
        [x.hex() for x in inputs],
    )
    assert got == [sodium.crypto_core_ed25519_from_uniform(x).hex() for x in inputs]


def test_the_independent_generators_agree_with_python(page):
    rng = random.Random(11)
    for mh in (bytes(32), rng.randbytes(32)):
        got = js(
            page,
            "return mixgroup.generators(fromHex(arg), 30).map((p) => hex(p.toBytes()));",
            mh.hex(),
        )
        assert got == [g.hex() for g in shuffle.generators(mh, 30)]


# --- The same randomness gives the same bytes -------------------------------------------


def _scalar(rng: random.Random) -> bytes:
    return group.reduce(rng.randbytes(64))


def _case(n: int, seed: int) -> dict[str, Any]:
    """A list of n ciphertexts under a fresh key, with a manifest hash and a signing seed
    (all from `seed`), and the randomness of a shuffle: ψ, r'_i and the proof's 4n + 4."""
    rng = random.Random(seed)
    y = group.base_mul(_scalar(rng))
    cts = [(group.base_mul(_scalar(rng)), group.base_mul(_scalar(rng))) for _ in range(n)]
    psi = list(range(n))
    rng.shuffle(psi)
    return {
        "ballot": BALLOT,
        "round": 2,
        "trustee": 3,
        "index": 1,
        "Y": y.hex(),
        "cts": [[a.hex(), b.hex()] for a, b in cts],
        "mh": rng.randbytes(32).hex(),
        "seed": rng.randbytes(32).hex(),
        "permutation": psi,
        "randomness": [_scalar(rng).hex() for _ in range(n)],
        "draws": [_scalar(rng).hex() for _ in range(4 * n + 4)],
    }


def _list(case: dict[str, Any]) -> list[shuffle.Ciphertext]:
    return [(bytes.fromhex(a), bytes.fromhex(b)) for a, b in case["cts"]]


def _python_body(case: dict[str, Any]) -> bytes:
    """tools/mixing.make_shuffle's three steps, with the case's randomness injected."""
    y, mh, cts = bytes.fromhex(case["Y"]), bytes.fromhex(case["mh"]), _list(case)
    draws = iter(bytes.fromhex(h) for h in case["draws"])
    output, secret = shuffle.shuffle(
        cts,
        y,
        permutation=case["permutation"],
        randomness=[bytes.fromhex(h) for h in case["randomness"]],
    )
    proof = shuffle.prove(mh, y, cts, output, secret, draw=lambda: next(draws))
    assert next(draws, None) is None  # every draw used, as in the page
    return mixing.build_shuffle(
        ballot_id=case["ballot"],
        round_number=case["round"],
        trustee=case["trustee"],
        index=case["index"],
        input_hash=shuffle.list_hash(cts),
        output=output,
        proof=proof,
        signing_seed=bytes.fromhex(case["seed"]),
    )


def _checked(case: dict[str, Any], body: bytes) -> mixing.ShuffleMessage:
    """The message as the server reads it, its signature and its proof checked."""
    message = mixing.read_shuffle(body)
    public = keys.ed25519_public(bytes.fromhex(case["seed"]))
    assert trustee_message.signature_valid(message.value, public)
    assert message.input == shuffle.list_hash(_list(case))
    assert shuffle.verify(
        bytes.fromhex(case["mh"]),
        bytes.fromhex(case["Y"]),
        _list(case),
        message.output,
        message.proof,
    )
    return message


@pytest.mark.parametrize("n", [1, 2, 7, 40])
def test_same_randomness_gives_the_same_message_bytes(page, n):
    case = _case(n, seed=n)
    expected = _python_body(case)
    got = js(page, SHUFFLE_IN_PAGE, case)["body"].encode()
    assert got == expected
    message = _checked(case, got)
    assert len(message.output) == n
    # the ciphertexts really moved: output i re-encrypts input ψ(i), not input i
    assert set(message.output).isdisjoint(_list(case))


def test_an_empty_list_is_refused_as_python_refuses_it(page):
    case = _case(0, seed=0)
    with pytest.raises(ValueError, match="nothing to shuffle"):
        _python_body(case)
    got = js(
        page,
        f"try {{ {SHUFFLE_IN_PAGE} }} catch (error) {{ return {{ error: error.message }}; }}",
        case,
    )
    assert got == {"error": "nothing to shuffle: the service never mixes an empty board"}


def test_bad_input_points_and_bad_permutations_are_refused(page):
    case = _case(3, seed=5)
    small_order = "0000000000000000000000000000000000000000000000000000000000000000"
    bad_point = {**case, "cts": [[small_order, case["cts"][0][1]], *case["cts"][1:]]}
    bad_key = {**case, "Y": small_order}
    not_a_permutation = {**case, "permutation": [0, 0, 1]}
    got = js(
        page,
        "const out = [];\n"
        "for (const one of arg) {\n"
        f"  try {{ await (async (arg) => {{ {SHUFFLE_IN_PAGE} }})(one); out.push('made'); }}\n"
        "  catch (error) { out.push(error.name + ': ' + error.message); }\n"
        "}\n"
        "return out;",
        [bad_point, bad_key, not_a_permutation],
    )
    assert got[0].startswith("GroupError")
    assert got[1].startswith("GroupError")
    assert got[2] == "Error: not a permutation of the positions"
    for one in (bad_point, bad_key):
        with pytest.raises(group.GroupError):
            _python_body(one)
    with pytest.raises(ValueError, match="not a permutation"):
        _python_body(not_a_permutation)


# --- Fresh randomness: Python accepts the proof, and refuses it tampered ----------------


def _fresh(case: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in case.items() if k not in ("permutation", "randomness", "draws")}


def test_python_verifies_a_fresh_browser_shuffle_and_two_differ(page):
    case = _fresh(_case(9, seed=21))
    first = js(page, SHUFFLE_IN_PAGE, case)["body"].encode()
    second = js(page, SHUFFLE_IN_PAGE, case)["body"].encode()
    one, two = _checked(case, first), _checked(case, second)
    assert one.output != two.output  # fresh permutation and re-encryption each time
    assert one.proof.permutation_commitments != two.proof.permutation_commitments


def _point_changed(value: str) -> str:
    return b64url(group.add(base64.urlsafe_b64decode(value + "=="), group.BASE))


def _scalar_changed(value: str) -> str:
    return b64url(group.s_add(base64.urlsafe_b64decode(value + "=="), group.scalar_of(1)))


TAMPERINGS: dict[str, Any] = {
    "a permutation commitment": ("permutation_commitments", 1, _point_changed),
    "a chain element": ("chain", 2, _point_changed),
    "t1": ("t1", None, _point_changed),
    "t2": ("t2", None, _point_changed),
    "t3": ("t3", None, _point_changed),
    "t41": ("t41", None, _point_changed),
    "t42": ("t42", None, _point_changed),
    "a t_hat": ("t_hat", 0, _point_changed),
    "s1": ("s1", None, _scalar_changed),
    "s2": ("s2", None, _scalar_changed),
    "s3": ("s3", None, _scalar_changed),
    "s4": ("s4", None, _scalar_changed),
    "an s_hat": ("s_hat", 3, _scalar_changed),
    "an s_prime": ("s_prime", 4, _scalar_changed),
}


@pytest.fixture(scope="module")
def fresh_shuffle(page: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """One browser shuffle of 5 ciphertexts with fresh randomness, and its message."""
    case = _fresh(_case(5, seed=33))
    body = js(page, SHUFFLE_IN_PAGE, case)["body"].encode()
    _checked(case, body)
    return case, json.loads(body)


@pytest.mark.parametrize("what", TAMPERINGS)
def test_python_refuses_a_tampered_browser_proof(fresh_shuffle, what):
    case, message = fresh_shuffle
    name, position, change = TAMPERINGS[what]
    proof = json.loads(json.dumps(message["proof"]))
    if position is None:
        proof[name] = change(proof[name])
    else:
        proof[name][position] = change(proof[name][position])
    output = [mixing.read_ciphertext(ct) for ct in message["output"]]
    mh, y = bytes.fromhex(case["mh"]), bytes.fromhex(case["Y"])
    assert not shuffle.verify(mh, y, _list(case), output, shuffle.Proof.from_json(proof))


def test_python_refuses_a_browser_shuffle_with_two_outputs_swapped(fresh_shuffle):
    case, message = fresh_shuffle
    output = [mixing.read_ciphertext(ct) for ct in message["output"]]
    proof = shuffle.Proof.from_json(message["proof"])
    mh, y = bytes.fromhex(case["mh"]), bytes.fromhex(case["Y"])
    assert shuffle.verify(mh, y, _list(case), output, proof)
    output[0], output[3] = output[3], output[0]
    assert not shuffle.verify(mh, y, _list(case), output, proof)


# --- A real round: Chromium shuffles first, through the mixing API ----------------------


ROUND_IN_PAGE = """
  const base = `/api/v1/ballots/${arg.ballot}`;
  const api = {
    async getBytes(path) {
      const answer = await fetch(base + path);
      if (!answer.ok) throw new Error(`GET ${path}: ${answer.status}`);
      return new Uint8Array(await answer.arrayBuffer());
    },
    async postBytes(path, body) {
      const answer = await fetch(base + path, {
        method: "POST", body,
        headers: { Authorization: `Bearer ${arg.invitation}`, "Content-Type": "application/json" },
      });
      return { status: answer.status, answer: await answer.json() };
    },
  };
  return await shuffle.shuffleRound(api, { trustee: arg.trustee, signingSeed: fromHex(arg.seed) });
"""


def test_a_browser_shuffle_is_taken_by_the_server_and_the_round_is_tallied(
    browser, origin, client, clock
):
    ballot_id, key, rows = open_ballot(client, clock, n_cities=5, n_candidates=3)
    manifest, _ = manifest_of(client, ballot_id)
    ids = [c["id"] for c in manifest["candidates"]]
    votes = [{"choice": ids[1]}, {"choice": ids[1]}, {"choice": ids[1]}, {"choice": ids[0]}]
    cast_all(client, ballot_id, [r["token"] for r in rows], [*votes, {"blank": True}])
    lifecycle_call(client, key, ballot_id, "close", reason="Every city has voted.")

    transport, secrets = trustee_of(client, ballot_id, 2)
    tab, errors = _open(browser, origin)
    try:
        tab.route("**/api/v1/**", route_to(client))
        sent = js(
            tab,
            ROUND_IN_PAGE,
            {
                "ballot": ballot_id,
                "invitation": transport.invitation,
                "trustee": secrets.index,
                "seed": secrets.signing_seed.hex(),
            },
        )
    finally:
        tab.context.close()
    assert errors == []
    assert sent["status"] == 201, sent
    assert (sent["answer"]["index"], sent["answer"]["trustee"]) == (1, 2)

    state = client.get(f"/api/v1/ballots/{ballot_id}/mix").json()
    assert [s["trustee"] for s in state["shuffles"]] == [2]
    assert state["shuffles"][0]["input"] == state["input"]["hash"]
    stored = client.get(f"/api/v1/ballots/{ballot_id}/mix/shuffles/1")
    assert stored.headers["x-message-hash"] == sent["answer"]["hash"]
    message = mixing.read_shuffle(stored.content)
    board = mixing.read_list_lines(client.get(f"/api/v1/ballots/{ballot_id}/mix/input").content)
    assert len(message.output) == len(board) == 5
    assert set(message.output).isdisjoint(board)  # every ballot re-encrypted

    shuffle_by(client, ballot_id, 3)  # the next trustee shuffles the browser's output
    decrypt_by(client, ballot_id, 1)
    decrypt_by(client, ballot_id, 3)
    lifecycle_call(client, key, ballot_id, "tally")
    lifecycle_call(client, key, ballot_id, "publish")
    results = client.get(f"/api/v1/ballots/{ballot_id}/results").json()
    assert results["winner"] == ids[1]
    lines = client.get(f"/api/v1/ballots/{ballot_id}/tally/votes").content.splitlines()
    outcomes = sorted(json.loads(line)["outcome"] for line in lines)
    assert outcomes == ["blank", "counted", "counted", "counted", "counted"]


# --- Speed: printed for the report (run with -s), checked for correctness ----------------


def test_prove_time_for_100_ciphertexts_against_python(page, capsys):
    case = _fresh(_case(100, seed=100))
    got = js(page, SHUFFLE_IN_PAGE, case)
    _checked(case, got["body"].encode())
    y, mh, cts = bytes.fromhex(case["Y"]), bytes.fromhex(case["mh"]), _list(case)
    started = time.perf_counter()
    output, secret = shuffle.shuffle(cts, y)
    shuffle.prove(mh, y, cts, output, secret)
    python_ms = (time.perf_counter() - started) * 1000
    with capsys.disabled():
        print(f"\nshuffle and prove, N=100: Chromium {got['ms']:.0f} ms, Python {python_ms:.0f} ms")
