"""The browser's ballot code (web/static/ballot/*.js, protocol v2) in Chromium, byte for
byte against the Python reference in domain/protocol (group, payload, ballot, board).

The modules are served by a small local HTTP server under /static/, as the site serves
them, from a page that carries vote.html's own import map (bare `@noble/...` specifiers,
SHA-384 `integrity` for every vendored module) and the site's script policy
(`script-src 'self'` plus the import map's hash), since ES modules need http(s), not
file://. Values cross between Python and the page as hex or base64url strings.
"""

from __future__ import annotations

import base64
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nacl import bindings as sodium

from inmc_vote.domain.protocol import (
    ballot,
    board,
    credentials,
    group,
    keys,
    manifest,
    payload,
    readable,
)
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url, sha256
from tests.browser.module_page import (
    WEB,
    ModulePageHandler,
    check_loads_only_ours_and_vendored,
    hash_source,
    open_page,
    page_html,
    serve,
)

pytestmark = pytest.mark.browser

TEMPLATE = WEB / "templates" / "vote.html"
IMPORT_MAP = re.search(
    r'<script type="importmap">(.*?)</script>', TEMPLATE.read_text(encoding="utf-8"), re.S
)
assert IMPORT_MAP, "vote.html carries the import map"
PAGE_MAP = IMPORT_MAP.group(1)
BALLOT_ID = "k7m2p9q4r8s3"


def _spoilt_map() -> str:
    """The import map with one vendored module's integrity wrong: Chromium must refuse it."""
    value = json.loads(PAGE_MAP)
    value["integrity"]["/static/vendor/noble-hashes/sha2.js"] = "sha384-" + base64.b64encode(
        bytes(48)
    ).decode("ascii")
    return "\n" + json.dumps(value, indent=2) + "\n"


def _page(import_map: str) -> tuple[bytes, str]:
    csp = (
        f"default-src 'self'; script-src 'self' {hash_source(import_map)}; object-src 'none'; "
        "base-uri 'none'"
    )
    return page_html("ballot code", import_map), csp


PAGES = {"/page.html": _page(PAGE_MAP), "/spoilt.html": _page(_spoilt_map())}


class StubServer:
    """The vote page's half of the server, as protocol v2 says (a stand-in until the real
    one is done): vote.html's voting part rendered with the site's CSP plus the import
    map's hash, a manifest v2 (`keys.election`), the roll line, an empty board, and a cast
    endpoint that checks the ballot as the server must and answers a signed receipt, or,
    with `receipt_for_another = True`, a well-signed receipt naming another tracker."""

    def __init__(self) -> None:
        self.reset("plurality", IDS[:5])

    def reset(self, method: str, candidate_ids: list[str]) -> None:
        self.x = group.random_scalar()
        self.y = group.base_mul(self.x)
        self.authority_seed, authority_pk = keys.new_ed25519()
        registrar_seed, registrar_pk = keys.new_ed25519()
        self.seed, self.line = credentials.issue(BALLOT_ID, registrar_seed)
        self.token = credentials.format_token(BALLOT_ID, self.seed)
        self.candidate_ids = candidate_ids
        self.manifest = canonical_json(
            {
                "format": "inmc-vote/manifest/v2",
                "ballot": BALLOT_ID,
                "round": 1,
                "method": method,
                "rules": {"blank_allowed": True},
                "candidates": [
                    {"city": f"City {c}", "country": "Čechy", "id": c} for c in candidate_ids
                ],
                "keys": {
                    "authority": b64url(authority_pk),
                    "registrar": b64url(registrar_pk),
                    "election": b64url(self.y),
                },
            }
        )
        self.mh = sha256(self.manifest)
        self.received: list[dict[str, Any]] = []
        self.receipt_for_another = False

    def page(self) -> tuple[int, bytes, dict[str, str]]:
        import jinja2

        from inmc_vote.web.security_headers import SECURITY_HEADERS

        text = TEMPLATE.read_text(encoding="utf-8")
        start = text.index('{% if ballot.state == "open" %}') + len(
            '{% if ballot.state == "open" %}'
        )
        part = text[start : text.index('{% elif ballot.state == "frozen" %}')]
        env = jinja2.Environment(autoescape=True)
        env.globals["_"] = lambda words, **values: words % values if values else words
        env.globals["ngettext"] = lambda one, many, n, **values: (
            (one if n == 1 else many)
            % {
                "num": n,
                **values,
            }
        )
        html = env.from_string(
            '<!doctype html><html lang="en"><meta charset="utf-8"><title>vote</title>'
            f"<main>{part}</main></html>"
        ).render(ballot={"id": BALLOT_ID, "question": "Which city?"}, server="http://testserver")
        policy = SECURITY_HEADERS["Content-Security-Policy"].replace(
            "script-src 'self'", f"script-src 'self' {hash_source(PAGE_MAP)}"
        )
        return (
            200,
            html.encode(),
            {
                "Content-Type": "text/html; charset=utf-8",
                "Content-Security-Policy": policy,
            },
        )

    def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        api = f"/api/v1/ballots/{BALLOT_ID}"
        if path == f"/vote/{BALLOT_ID}":
            return self.page()
        if path == f"{api}/manifest":
            signature = keys.sign(self.authority_seed, manifest.signed_message(self.mh))
            return (
                200,
                self.manifest,
                {
                    "Content-Type": "application/json",
                    "X-Manifest-Hash": b64url(self.mh),
                    "X-Authority-Signature": b64url(signature),
                },
            )
        if path.startswith(f"{api}/board"):
            return self.json({"entries": [], "next_after": None})
        if path == f"{api}/candidacies":
            return self.json([])
        if path == api:
            return self.json({"turnout": {"ballots": len(self.received), "eligible": 40}})
        return 404, b"{}", {"Content-Type": "application/json"}

    def post(self, path: str, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        if path == f"/api/v1/ballots/{BALLOT_ID}/roll/line":
            if json.loads(body) != {"credential": b64url(self.line.pk)}:
                return 404, b"{}", {"Content-Type": "application/json"}
            return self.json({**self.line.to_json(), "revoked": False})
        if path != f"/api/v1/ballots/{BALLOT_ID}/cast":
            return 404, b"{}", {}
        value = json.loads(body)
        try:
            ballot.check(ballot.Ballot.parse(value), self.mh, self.y)
        except ballot.BallotError as error:
            return self.json({"detail": str(error)}, 422)
        self.received.append(value)
        tracker = board.tracker_of(value)
        if self.receipt_for_another:
            tracker = sha256(b"someone else's ballot")
        return self.json(_receipt(self.authority_seed, self.mh, tracker, seq=1, prev=self.mh), 201)

    def vote_of(self, sent: dict[str, Any]) -> dict[str, Any] | None:
        parsed = ballot.Ballot.parse(sent)
        m = group.sub(parsed.beta, group.mul(self.x, parsed.alpha))
        return payload.decode(payload.extract(m), self.candidate_ids)

    @staticmethod
    def json(value: Any, status: int = 200) -> tuple[int, bytes, dict[str, str]]:
        return status, json.dumps(value).encode(), {"Content-Type": "application/json"}


STUBS: list[StubServer] = []  # the current one last (see the `stub` fixture)


# --- Fixtures: a static server with the site's CSP, Chromium, one page -------------------


class _StaticHandler(ModulePageHandler):
    """The module pages, and the stub server's answers for the vote page's API."""

    pages = PAGES

    def do_GET(self) -> None:
        if self.path.startswith(("/vote/", "/api/")):
            self._answer(*STUBS[-1].get(self.path))
            return
        super().do_GET()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self._answer(*STUBS[-1].post(self.path, self.rfile.read(length)))

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@pytest.fixture(scope="module")
def static_url() -> Iterator[str]:
    with serve(_StaticHandler) as origin:
        yield origin


@pytest.fixture(scope="module")
def chromium(browser: Any) -> Any:
    """The Chromium of tests/browser/conftest.py (skipped or failed as it says)."""
    return browser


def _open(chromium: Any, url: str) -> Any:
    page, page.errors = open_page(chromium, url)
    return page


@pytest.fixture(scope="module")
def page(chromium: Any, static_url: str) -> Iterator[Any]:
    tab = _open(chromium, static_url + "/page.html")
    yield tab
    assert tab.errors == [], tab.errors  # e.g. a CSP violation or a refused integrity
    tab.context.close()


MODULES = ("protocol", "group", "payload", "ballot", "receipt", "readable", "encoding")


def js(page: Any, body: str, arg: Any = None) -> Any:
    """Run `body` in an async function of `arg`, with the ballot modules and the byte
    helpers (hex, fromHex, b64url, fromB64url) in scope; return what it returns."""
    imports = "".join(
        f"  const {name} = await import('/static/ballot/{name}.js');\n" for name in MODULES
    )
    return page.evaluate(
        "async (arg) => {\n"
        f"{imports}"
        "  const { hex, fromHex, b64url, fromB64url } = protocol;\n"
        f"{body}\n"
        "}",
        arg,
    )


# --- The vendored library, as the page loads it -----------------------------------------


def test_the_page_loads_noble_through_its_import_map(page):
    assert js(page, "return [hex(group.BASE), String(group.L)];") == [
        group.BASE.hex(),
        str(group.L),
    ]


def test_a_vendored_module_with_other_bytes_is_refused(chromium, static_url):
    tab = _open(chromium, static_url + "/spoilt.html")
    try:
        result = tab.evaluate(
            """async () => {
              try { await import('/static/ballot/group.js'); return 'loaded'; }
              catch (error) { return 'refused'; }
            }"""
        )
        assert result == "refused"
        assert any("integrity" in message for message in tab.errors), tab.errors
    finally:
        tab.context.close()


# --- protocol.md, 'The group': the group
# ------------------------------------------------------------------------

SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",  # identity
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
    "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
    "0000000000000000000000000000000000000000000000000000000000000080",  # order 4
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
]
NOT_CANONICAL = [
    "0100000000000000000000000000000000000000000000000000000000000080",  # identity, x = -0
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y = p
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y = p + 1
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  # y = 2^255 - 1
]


def _torsion_points() -> list[bytes]:
    """Points of the prime-order subgroup plus a torsion point of order 8, 4 or 2: on the
    curve, of large order, but not in the subgroup (libsodium's add takes them)."""
    rng = random.Random(8)
    out = []
    for small in SMALL_ORDER[1:]:
        p = group.base_mul(group.scalar_of(rng.randrange(1, group.L)))
        out.append(sodium.crypto_core_ed25519_add(p, bytes.fromhex(small)))
    return out


def _is_point_in_browser(page: Any, encodings: list[bytes]) -> list[bool]:
    return js(
        page,
        "return arg.map((p) => group.isPoint(fromHex(p)));",
        [e.hex() for e in encodings],
    )


def test_small_order_torsion_and_non_canonical_points_are_refused(page):
    torsion = _torsion_points()
    refused = [bytes.fromhex(h) for h in SMALL_ORDER + NOT_CANONICAL] + torsion
    assert not any(group.is_point(p) for p in refused)
    assert _is_point_in_browser(page, refused) == [False] * len(refused)
    # and the point check names the reason, as a GroupError, for each
    reasons = js(
        page,
        """
        return arg.map((p) => {
          try { group.point(fromHex(p)); return "accepted"; }
          catch (error) { return error instanceof group.GroupError ? error.message : "other"; }
        });
        """,
        [p.hex() for p in refused],
    )
    assert reasons[: len(SMALL_ORDER)] == ["a point of small order"] * len(SMALL_ORDER)
    assert reasons[-len(torsion) :] == ["not in the prime-order subgroup"] * len(torsion)
    assert "accepted" not in reasons
    assert "other" not in reasons


def test_the_point_check_agrees_with_libsodium(page):
    rng = random.Random(25519)
    samples = [rng.randbytes(32) for _ in range(400)]
    samples += [group.base_mul(group.random_scalar()) for _ in range(40)]
    samples += [group.generator(sha256(b"mh"), i) for i in range(5)]
    samples += [bytes([b]) * 32 for b in range(0, 256, 17)]
    samples += [bytes(31), bytes(33)]  # wrong lengths
    expected = [group.is_point(p) for p in samples]
    assert 40 < sum(expected) < len(samples)  # both kinds are well represented
    assert _is_point_in_browser(page, samples) == expected


def test_scalars_are_checked_as_python_checks_them(page):
    candidates = [
        group.L - 1,
        group.L,
        group.L + 1,
        2**256 - 1,
        0,
        1,
        2**252,
    ]
    encodings = [n.to_bytes(32, "little") for n in candidates] + [bytes(31), bytes(33)]

    def python(b: bytes) -> str:
        try:
            return group.scalar(b).hex()
        except group.GroupError:
            return "refused"

    result = js(
        page,
        """
        return arg.map((s) => {
          try { return hex(group.scalarBytes(group.scalar(fromHex(s)))); }
          catch (error) { return error instanceof group.GroupError ? "refused" : error.message; }
        });
        """,
        [e.hex() for e in encodings],
    )
    assert result == [python(e) for e in encodings]


HS_CASES: list[tuple[str, list[bytes]]] = [
    ("inmc-vote/v2/ballot-pok", []),
    ("inmc-vote/v2/ballot-pok", [b""]),
    ("inmc-vote/v2/ballot-pok", [b"", b""]),
    ("inmc-vote/v2/decryption", [b"\x00" * 32, b"\xff" * 32, b"x"]),
    ("é-label-✓", [b"a" * 1000]),
    ("", [bytes(range(256))]),
    # the length prefix separates parts: these two must differ
    ("split", [b"ab", b"c"]),
    ("split", [b"a", b"bc"]),
]


def test_hs_agrees_with_python(page):
    rng = random.Random(512)
    cases = list(HS_CASES) + [
        (f"label-{i}", [rng.randbytes(rng.randrange(0, 100)) for _ in range(rng.randrange(0, 7))])
        for i in range(20)
    ]
    result = js(
        page,
        """
        return arg.map(([label, parts]) =>
          hex(group.scalarBytes(group.hashScalar(label, ...parts.map(fromHex)))));
        """,
        [[label, [p.hex() for p in parts]] for label, parts in cases],
    )
    assert result == [group.hash_scalar(label, *parts).hex() for label, parts in cases]
    assert result[6] != result[7]


def test_group_operations_agree_with_libsodium(page):
    rng = random.Random(7)
    cases = []
    for _ in range(6):
        s, t = (group.scalar_of(rng.randrange(1, group.L)) for _ in range(2))
        p = group.base_mul(group.scalar_of(rng.randrange(1, group.L)))
        q = group.base_mul(group.scalar_of(rng.randrange(1, group.L)))
        cases.append((s, t, p, q))
    result = js(
        page,
        """
        return arg.map(([s, t, p, q]) => {
          const [a, b] = [group.scalar(fromHex(s)), group.scalar(fromHex(t))];
          const [P, Q] = [fromHex(p), fromHex(q)];
          return [group.baseMul(a), group.mul(a, P), group.add(P, Q), group.sub(P, Q),
                  group.scalarBytes(group.sAdd(a, b)), group.scalarBytes(group.sMul(a, b))]
            .map(hex);
        });
        """,
        [[x.hex() for x in case] for case in cases],
    )
    assert result == [
        [
            group.base_mul(s).hex(),
            group.mul(s, p).hex(),
            group.add(p, q).hex(),
            group.sub(p, q).hex(),
            group.s_add(s, t).hex(),
            group.s_mul(s, t).hex(),
        ]
        for s, t, p, q in cases
    ]
    refused = js(
        page,
        """
        const out = [];
        for (const f of [() => group.baseMul(0n), () => group.sub(group.BASE, group.BASE),
                         () => group.mul(1n, fromHex(arg))]) {
          try { f(); out.push("computed"); }
          catch (error) { out.push(error instanceof group.GroupError ? "refused" : error.message); }
        }
        return out;
        """,
        SMALL_ORDER[4],
    )
    assert refused == ["refused"] * 3


# --- protocol.md, 'The vote payload': the payload and its point
# --------------------------------------------------------

IDS = [f"c{i}" for i in range(1, 41)]  # 40 candidates: more than a ranking can hold
VOTES: list[dict[str, Any]] = [
    {"v": 1, "blank": True},
    {"v": 1, "choice": "c1"},
    {"v": 1, "choice": "c40"},
    {"v": 1, "ranking": ["c2", "c1", "c12"]},
    {"v": 1, "ranking": ["c40"]},
    {"v": 1, "ranking": IDS[:26]},  # 26 ranks: no terminator
    {"v": 1, "ranking": list(reversed(IDS))[:26]},
    {"v": 1, "approve": ["c1", "c5", "c8", "c9", "c40"]},
    {"v": 1, "approve": IDS},
]


def _payloads_in_browser(page: Any, votes: list[Any], ids: list[str]) -> list[str]:
    return js(
        page,
        """
        return arg.votes.map((vote) => {
          try { return hex(payload.payloadOf(vote, arg.ids)); }
          catch (error) {
            if (!(error instanceof payload.PayloadError)) throw error;
            return `refused ${error.kind}`;
          }
        });
        """,
        {"votes": votes, "ids": ids},
    )


def test_payloads_agree_with_python_for_every_kind(page):
    assert _payloads_in_browser(page, VOTES, IDS) == [
        payload.encode(vote, IDS).hex() for vote in VOTES
    ]
    assert payload.encode(VOTES[5], IDS)[-1] == 26  # the 26th rank fills the last byte


def test_a_ranking_of_27_and_other_impossible_votes_are_refused(page):
    impossible = [
        {"v": 1, "ranking": IDS[:27]},
        {"v": 1, "choice": "nobody"},
        {"v": 1, "ranking": ["c1", "nobody"]},
        {"v": 1, "approve": ["nobody"]},
        {"v": 2, "choice": "c1"},
        {"v": 1, "choice": "c1", "blank": True},
        {"v": 1, "blank": False},
        {"v": 1},
    ]
    for vote in impossible:
        with pytest.raises((payload.PayloadError, ValueError)):
            payload.encode(vote, IDS)
    result = _payloads_in_browser(page, impossible, IDS)
    assert result[0] == "refused too-many"
    assert result[1:4] == ["refused unknown"] * 3
    assert all(r.startswith("refused ") for r in result)
    # stricter than Python where the page can be: no repeated or empty ranking or approval
    stricter = [
        {"v": 1, "ranking": ["c1", "c1"]},
        {"v": 1, "approve": ["c2", "c2"]},
        {"v": 1, "ranking": []},
        {"v": 1, "approve": []},
    ]
    assert _payloads_in_browser(page, stricter, IDS) == [
        "refused duplicate",
        "refused duplicate",
        "refused vote",
        "refused vote",
    ]
    # a choice past the 255th candidate, an approval past the 208th
    many = [f"x{i}" for i in range(1, 301)]
    assert _payloads_in_browser(
        page, [{"v": 1, "choice": "x256"}, {"v": 1, "approve": ["x209"]}], many
    ) == ["refused too-many", "refused too-many"]


def test_embedding_agrees_with_python_counter_above_zero_included(page):
    rng = random.Random(16)
    payloads = [payload.encode(vote, IDS) for vote in VOTES]
    payloads += [bytes([2, 3]) + rng.randbytes(26) for _ in range(30)]
    result = js(
        page,
        """
        return arg.map((p) => {
          const { point, counter } = payload.embed(fromHex(p));
          return [hex(point), counter, hex(payload.extract(point))];
        });
        """,
        [p.hex() for p in payloads],
    )
    counters = []
    for p, (point_hex, counter, extracted) in zip(payloads, result, strict=True):
        m = payload.embed(p)
        assert point_hex == m.hex()
        assert counter == int.from_bytes(m[28:30], "little")
        assert extracted == p.hex() == payload.extract(m).hex()
        # the first counter that works, and none before it
        for earlier in range(counter):
            assert not group.is_point(p + earlier.to_bytes(2, "little") + b"\x00\x00")
        counters.append(counter)
    assert payload.embed(payload.encode({"v": 1, "blank": True}, IDS))[28] == 8  # counter 8
    assert sum(c > 0 for c in counters) > len(counters) // 2
    assert max(counters) > 16


# --- protocol.md, 'The ballot': the ballot
# ------------------------------------------------------------------------


def _inputs(rng: random.Random) -> dict[str, bytes]:
    return {
        "mh": rng.randbytes(32),
        "y": group.base_mul(group.scalar_of(rng.randrange(1, group.L))),
        "seed": rng.randbytes(32),
        "r": group.scalar_of(rng.randrange(1, group.L)),
        "w": group.scalar_of(rng.randrange(1, group.L)),
    }


BUILD = """
return Promise.all(arg.map(async (c) => {
  const built = await ballot.buildBallot({
    manifestHash: fromHex(c.mh), electionKey: fromHex(c.y), seed: fromHex(c.seed),
    payload: fromHex(c.payload), r: fromHex(c.r), w: fromHex(c.w),
  });
  return { json: built.ballot, bytes: hex(encoding.canonicalJson(built.ballot)),
           tracker: b64url(built.tracker), counter: built.counter };
}));
"""


def test_same_inputs_same_r_and_w_give_the_same_ballot_bytes_and_tracker(page):
    rng = random.Random(2028)
    cases = []
    for vote in VOTES:
        inputs = _inputs(rng)
        cases.append({**inputs, "payload": payload.encode(vote, IDS)})
    result = js(page, BUILD, [{k: v.hex() for k, v in case.items()} for case in cases])
    for case, got in zip(cases, result, strict=True):
        expected = ballot.build(
            case["mh"], case["y"], case["seed"], case["payload"], r=case["r"], w=case["w"]
        )
        assert bytes.fromhex(got["bytes"]) == expected.canonical()
        assert got["json"] == expected.to_json()
        assert from_b64url(got["tracker"]) == expected.tracker == board.tracker_of(got["json"])
        assert got["counter"] == int.from_bytes(payload.embed(case["payload"])[28:30], "little")
        # and the server's checks pass on what the browser built
        ballot.check(ballot.Ballot.parse(got["json"]), case["mh"], case["y"])
    assert any(got["counter"] > 0 for got in result)


def test_the_browser_checks_python_ballots_and_refuses_altered_ones(page):
    rng = random.Random(3)
    inputs = _inputs(rng)
    made = ballot.build(
        inputs["mh"], inputs["y"], inputs["seed"], payload.encode(VOTES[3], IDS)
    ).to_json()
    other = ballot.build(inputs["mh"], inputs["y"], inputs["seed"], payload.encode(VOTES[1], IDS))
    altered = [
        made,
        {**made, "beta": other.to_json()["beta"]},  # proof and signature no longer fit
        {**made, "pok": {**made["pok"], "response": other.to_json()["pok"]["response"]}},
        {**made, "signature": other.to_json()["signature"]},
        {**made, "extra": 1},
        {k: v for k, v in made.items() if k != "signature"},
        {**made, "v": 1},
        {**made, "alpha": b64url(bytes.fromhex(SMALL_ORDER[4]))},
    ]
    result = js(
        page,
        """
        const out = [];
        for (const b of arg.ballots) {
          out.push(await ballot.checkBallot(b, fromHex(arg.mh), fromHex(arg.y)));
        }
        return out;
        """,
        {"ballots": altered, "mh": inputs["mh"].hex(), "y": inputs["y"].hex()},
    )
    assert result == [True] + [False] * (len(altered) - 1)


def test_an_election_key_outside_the_group_is_refused(page):
    rng = random.Random(4)
    inputs = _inputs(rng)
    bad_keys = [bytes.fromhex(SMALL_ORDER[4]), _torsion_points()[0], bytes(32)]
    result = js(
        page,
        """
        const out = [];
        for (const y of arg.keys) {
          try {
            await ballot.buildBallot({ manifestHash: fromHex(arg.mh), electionKey: fromHex(y),
              seed: fromHex(arg.seed), payload: fromHex(arg.payload) });
            out.push("built");
          } catch (error) {
            out.push(error instanceof group.GroupError ? "refused" : error.message);
          }
        }
        return out;
        """,
        {
            "keys": [k.hex() for k in bad_keys],
            "mh": inputs["mh"].hex(),
            "seed": inputs["seed"].hex(),
            "payload": payload.encode(VOTES[0], IDS).hex(),
        },
    )
    assert result == ["refused"] * len(bad_keys)


def test_the_page_ballot_of_a_vote_decrypts_to_that_vote(page):
    """protocol.ballotForVote, as vote.js calls it with the manifest's keys.election and
    candidates: random r and w, so checked by the server's check and by decryption."""
    rng = random.Random(5)
    x = group.scalar_of(rng.randrange(1, group.L))
    y = group.base_mul(x)
    mh, seed = rng.randbytes(32), rng.randbytes(32)
    value = {
        "keys": {"election": b64url(y)},
        "candidates": [{"id": i, "city": f"City {i}", "country": "Čechy"} for i in IDS],
    }
    built = js(
        page,
        """
        const out = [];
        for (const vote of arg.votes) {
          const { ballot: b, tracker } = await protocol.ballotForVote(
            vote, fromHex(arg.seed), arg.manifest, fromHex(arg.mh));
          out.push([b, b64url(tracker)]);
        }
        return out;
        """,
        {"votes": VOTES, "seed": seed.hex(), "manifest": value, "mh": mh.hex()},
    )
    for vote, (sent, tracker) in zip(VOTES, built, strict=True):
        parsed = ballot.Ballot.parse(sent)
        ballot.check(parsed, mh, y)
        assert parsed.credential == keys.ed25519_public(seed)
        assert from_b64url(tracker) == parsed.tracker
        m = group.sub(parsed.beta, group.mul(x, parsed.alpha))
        assert payload.decode(payload.extract(m), IDS) == vote
    assert len({tracker for _, tracker in built}) == len(VOTES)


# --- protocol.md, 'Board, receipts, seal': the receipt
# -----------------------------------------------------------------------


def _receipt(
    authority_seed: bytes, mh: bytes, tracker: bytes, *, seq: int = 17, prev: bytes | None = None
) -> dict[str, Any]:
    prev = prev if prev is not None else sha256(b"entry 16")
    received_at = "2027-01-11T09:00:00.123Z"
    entry = board.Entry(
        seq, received_at, b"{}", tracker, prev, board.entry_hash(prev, seq, received_at, tracker)
    )
    return board.Receipt.issue(authority_seed, mh, BALLOT_ID, 1, entry).to_json()


def test_receipts_are_checked_as_python_checks_them(page):
    rng = random.Random(6)
    inputs = _inputs(rng)
    made = ballot.build(inputs["mh"], inputs["y"], inputs["seed"], payload.encode(VOTES[1], IDS))
    mh, tracker = inputs["mh"], made.tracker
    authority_seed, authority_pk = keys.new_ed25519()
    other_seed, _ = keys.new_ed25519()
    good = _receipt(authority_seed, mh, tracker)
    first = _receipt(authority_seed, mh, tracker, seq=1, prev=mh)
    other_ballot = ballot.build(
        inputs["mh"], inputs["y"], inputs["seed"], payload.encode(VOTES[2], IDS)
    )
    cases = [
        (good, None),
        (first, None),
        (_receipt(authority_seed, mh, other_ballot.tracker), "tracker"),  # another ballot's
        ({**good, "hash": b64url(sha256(b"x"))}, "hash"),
        ({**good, "received_at": "2027-01-11T09:00:00.124Z"}, "hash"),
        (_receipt(authority_seed, mh, tracker, seq=1), "hash"),  # entry 1 follows mh
        (_receipt(other_seed, mh, tracker), "signature"),
        ({**good, "ballot": "otherballot1"}, "ballot"),
        ({k: v for k, v in good.items() if k != "prev"}, "format"),
        ({**good, "seq": "17"}, "format"),
        ({**good, "extra": True}, "format"),
    ]
    result = js(
        page,
        """
        const out = [];
        for (const r of arg.receipts) {
          out.push(await receipt.checkReceipt(r, {
            tracker: fromHex(arg.tracker), manifestHash: fromHex(arg.mh),
            authorityKey: fromHex(arg.authority), ballotId: arg.ballotId,
          }));
        }
        return out;
        """,
        {
            "receipts": [r for r, _ in cases],
            "tracker": tracker.hex(),
            "mh": mh.hex(),
            "authority": authority_pk.hex(),
            "ballotId": BALLOT_ID,
        },
    )
    assert [r["reason"] for r in result] == [reason for _, reason in cases]
    assert [r["ok"] for r in result] == [reason is None for _, reason in cases]
    # Python agrees on every receipt it can read
    for (value, reason), _ in zip(cases, result, strict=True):
        try:
            parsed = board.Receipt.parse(value)
        except board.BoardError:
            assert reason == "format"
            continue
        problem = parsed.problem(
            tracker, manifest_hash=mh, authority=authority_pk, ballot=BALLOT_ID
        )
        assert (problem is None) == (reason is None), (reason, problem)


def test_the_receipt_file_is_the_one_python_writes(page):
    rng = random.Random(9)
    inputs = _inputs(rng)
    made = ballot.build(inputs["mh"], inputs["y"], inputs["seed"], payload.encode(VOTES[7], IDS))
    authority_seed, _ = keys.new_ed25519()
    value = _receipt(authority_seed, inputs["mh"], made.tracker)
    text = js(
        page,
        "return receipt.receiptFile(arg.receipt, arg.ballot);",
        {
            "receipt": value,
            "ballot": made.to_json(),
        },
    )
    expected = board.ReceiptFile(board.Receipt.parse(value), made.to_json())
    assert text == expected.text()
    assert board.ReceiptFile.parse(text).tracker == made.tracker


# --- Credentials and signatures (as in v1) ------------------------------------------------


def test_what_the_browser_signs_python_verifies(page):
    rng = random.Random(25519)
    cases = [(rng.randbytes(32), rng.randbytes(rng.randrange(0, 300))) for _ in range(8)]
    result = js(
        page,
        """
        const out = [];
        for (const [seed, message] of arg) {
          const credential = await protocol.credentialFromSeed(fromHex(seed));
          const signature = await crypto.subtle.sign(
            "Ed25519", credential.privateKey, fromHex(message));
          out.push([hex(credential.publicRaw), hex(new Uint8Array(signature))]);
        }
        return out;
        """,
        [[seed.hex(), message.hex()] for seed, message in cases],
    )
    for (seed, message), (pk_hex, sig_hex) in zip(cases, result, strict=True):
        pk, sig = bytes.fromhex(pk_hex), bytes.fromhex(sig_hex)
        assert pk == keys.ed25519_public(seed)
        assert keys.verify(pk, sig, message)
        assert sig == keys.sign(seed, message)  # Ed25519 is deterministic


def test_the_support_check_passes_in_chromium(page):
    assert js(page, "return await protocol.supportCheck();") is None


# --- Tokens -----------------------------------------------------------------------------


def _python_parse(text: str, ballot_id: str | None) -> dict[str, Any]:
    try:
        token_ballot, seed = credentials.parse_token(text, ballot_id)
    except credentials.TokenError as error:
        return {"ok": False, "kind": error.kind, "message": error.message}
    return {"ok": True, "ballot": token_ballot, "seed": seed.hex()}


def _browser_parse(page: Any, cases: list[tuple[str, str | None]]) -> list[dict[str, Any]]:
    return js(
        page,
        """
        const out = [];
        for (const [text, ballotId] of arg) {
          try {
            const token = await protocol.parseToken(text, ballotId ?? undefined);
            out.push({ ok: true, ballot: token.ballotId, seed: hex(token.seed) });
          } catch (error) {
            if (!(error instanceof protocol.TokenError)) throw error;
            out.push({ ok: false, kind: error.kind, message: error.message });
          }
        }
        return out;
        """,
        [list(case) for case in cases],
    )


def _ballot_id(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(12))


def test_token_parsing_agrees_with_python(page):
    rng = random.Random(2027)
    cases: list[tuple[str, str | None]] = []
    typos: list[tuple[str, str | None]] = []
    for _ in range(4):
        ballot_id, seed = _ballot_id(rng), rng.randbytes(32)
        token = credentials.format_token(ballot_id, seed)
        head, body = token.split(".")
        chars = readable.normalise(body)
        seed_chars = chars[: -credentials.CHECK_CHARS]
        cases += [
            (token, ballot_id),
            (token, None),
            (f"  {token}\n", ballot_id),
            (f"{head.upper()}.{body.lower()}", ballot_id),
            (f"{head}.{chars}", ballot_id),
            (f"{head} . {body.replace('-', ' ')}", ballot_id),
            # the usual misreadings, in the seed: O for 0, I or L for 1
            (f"{head}.{seed_chars.replace('0', 'O').replace('1', 'l')}{chars[-4:]}", ballot_id),
            (f"{head}.{seed_chars.replace('1', 'I')}{chars[-4:]}", ballot_id),
            # and in the checksum too, as in Python
            (f"{head}.{seed_chars}{chars[-4:].replace('0', 'O')}", ballot_id),
            (token, _ballot_id(rng)),  # other ballot
            (body, ballot_id),  # no ballot id
            (f"{head}.{chars[:-1]}", ballot_id),  # one character short
            (f"{head}.{chars}7", ballot_id),  # one too many
            ("", ballot_id),
            (".", ballot_id),
            (f"{head}.{chars[:20]}é{chars[21:]}", ballot_id),
        ]
        cases += [
            (f"{head}.{chars[:i]}{chars[i + 1]}{chars[i]}{chars[i + 2 :]}", ballot_id)
            for i in range(len(chars) - 1)
            if chars[i] != chars[i + 1]
        ]
        # every single-character change, in the seed and in the checksum
        for i, original in enumerate(chars):
            for other in readable.ALPHABET + "U":
                if other != original:
                    typos.append((f"{head}.{chars[:i]}{other}{chars[i + 1 :]}", ballot_id))
    expected = [_python_parse(*case) for case in cases + typos]
    assert _browser_parse(page, cases + typos) == expected
    assert all(result["kind"] == "typo" for result in expected[len(cases) :])
    assert {r["kind"] for r in expected if not r["ok"]} == {"format", "typo", "other-ballot"}


TOKEN_ALPHABET = readable.ALPHABET + "abcxyzOILUoilu.-  \t\n\r\x0b\x85\xa0\u3000é߀ß"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(TOKEN_ALPHABET, max_size=70),
    ballot_id=st.one_of(st.none(), st.sampled_from(["abc", BALLOT_ID])),
)
def test_token_parsing_agrees_with_python_on_any_text(page, text, ballot_id):
    assert _browser_parse(page, [(text, ballot_id)]) == [_python_parse(text, ballot_id)]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.binary(min_size=32, max_size=32),
    ballot_id=st.text("abcdefghijkmnpqrstuvwxyz23456789", min_size=1, max_size=16),
)
def test_any_issued_token_reads_back(page, seed, ballot_id):
    token = credentials.format_token(ballot_id, seed)
    assert _browser_parse(page, [(token, ballot_id)]) == [
        {"ok": True, "ballot": ballot_id, "seed": seed.hex()}
    ]


# --- Fingerprints, encodings, canonical JSON ---------------------------------------------


def test_fingerprints_and_encodings_agree_with_python(page):
    rng = random.Random(80)
    pks = [rng.randbytes(32) for _ in range(10)]
    blobs = [rng.randbytes(n) for n in range(0, 45)]
    result = js(
        page,
        """
        const out = { fingerprints: [], short: [], readable: [], b64: [], back: [] };
        for (const pk of arg.pks) {
          out.fingerprints.push(await protocol.fingerprint(fromHex(pk)));
          out.short.push(protocol.shortFingerprint(fromHex(pk)));
        }
        for (const blob of arg.blobs) {
          out.readable.push(readable.encode(fromHex(blob)));
          out.b64.push(b64url(fromHex(blob)));
          out.back.push(hex(fromB64url(b64url(fromHex(blob)))));
        }
        out.rejected = [];
        for (const text of ["QQ==", "Q+", "Q/", "Q", "Q Q"]) {
          try { fromB64url(text); out.rejected.push(false); } catch { out.rejected.push(true); }
        }
        return out;
        """,
        {"pks": [pk.hex() for pk in pks], "blobs": [blob.hex() for blob in blobs]},
    )
    assert result["fingerprints"] == [credentials.fingerprint(pk) for pk in pks]
    assert result["short"] == [manifest.short_fingerprint(pk) for pk in pks]
    assert result["readable"] == [readable.encode(blob) for blob in blobs]
    assert result["b64"] == [b64url(blob) for blob in blobs]
    assert result["back"] == [blob.hex() for blob in blobs]
    assert result["rejected"] == [True] * 5


CANONICAL_CASES: list[Any] = [
    {"v": 1, "choice": "c1"},
    {"v": 1, "blank": True},
    {"v": 1, "ranking": ["Zürich", "東京", "São Paulo", "Ōtsu", "😀"]},
    {"v": 1, "approve": ['a"b\\c', "tab\there", "nl\n", "\x00\x01\x1f\x7f", "\u2028\u2029"]},
    {"z": 1, "a": {"y": [True, False, 0, -7, 2**53 - 1], "b": {}}, "m": []},
    # Python orders keys by code point: é < U+FFFF < 😀 (not so in UTF-16 order)
    {"😀": 1, "\uffff": 2, "é": 3, "e": 4, "E": 5, "": 6},
]


def _browser_canonical(page: Any, values: list[Any]) -> list[str]:
    return js(page, "return arg.map((value) => hex(protocol.canonicalJson(value)));", values)


def test_canonical_json_agrees_with_python(page):
    assert _browser_canonical(page, CANONICAL_CASES) == [
        canonical_json(value).hex() for value in CANONICAL_CASES
    ]


JSON_VALUES = st.recursive(
    st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=5))
def test_canonical_json_agrees_with_python_on_any_vote_like_value(page, value):
    assert _browser_canonical(page, [value]) == [canonical_json(value).hex()]


def test_canonical_json_refuses_what_python_cannot_encode(page):
    result = js(
        page,
        """
        const out = [];
        for (const value of [1.5, NaN, null, undefined, "\\ud800", { k: "\\udc00x" }, [1, , 2]]) {
          try { protocol.canonicalJson(value); out.push("encoded"); }
          catch (e) { out.push(e.name); }
        }
        return out;
        """,
    )
    assert result == ["TypeError"] * 7


# --- Roll lines and the manifest's signature ----------------------------------------------


def test_roll_lines_verify(page):
    registrar_seed, registrar_pk = keys.new_ed25519()
    _, other_registrar = keys.new_ed25519()
    _, line = credentials.issue(BALLOT_ID, registrar_seed)
    checks = [
        (registrar_pk, BALLOT_ID, line.to_json(), True),
        (registrar_pk, "other", line.to_json(), False),
        (other_registrar, BALLOT_ID, line.to_json(), False),
        (registrar_pk, BALLOT_ID, {**line.to_json(), "pk": b64url(bytes(32))}, False),
        (registrar_pk, BALLOT_ID, {**line.to_json(), "sig": "not base64!"}, False),
    ]
    result = js(
        page,
        """
        const out = [];
        for (const [registrar, ballotId, line] of arg) {
          out.push(await protocol.verifyRollLine(fromHex(registrar), ballotId, line));
        }
        return out;
        """,
        [[pk.hex(), ballot_id, json_line] for pk, ballot_id, json_line, _ in checks],
    )
    assert result == [valid for *_, valid in checks]
    assert line.valid(BALLOT_ID, registrar_pk)


def test_manifest_signatures_verify_as_python_signs_them(page):
    authority_seed, authority_pk = keys.new_ed25519()
    digest = sha256(b"the manifest's exact bytes")
    signature = keys.sign(authority_seed, manifest.signed_message(digest))
    _, other_pk = keys.new_ed25519()
    checks = [
        (authority_pk, digest, b64url(signature), True),
        (other_pk, digest, b64url(signature), False),
        (authority_pk, sha256(b"another manifest"), b64url(signature), False),
        (authority_pk, digest, b64url(bytes(64)), False),
        (authority_pk, digest, "not base64url!", False),
        (authority_pk, digest, None, False),
    ]
    result = js(
        page,
        """
        const out = [];
        for (const [authority, digest, signature] of arg) {
          out.push(await protocol.verifyManifestSignature(
            fromHex(authority), fromHex(digest), signature));
        }
        return out;
        """,
        [[pk.hex(), d.hex(), sig] for pk, d, sig, _ in checks],
    )
    assert result == [valid for *_, valid in checks]


# --- What the browser must support, and what the modules may load --------------------------


def test_the_support_check_names_what_is_missing(chromium, static_url):
    tab = _open(chromium, static_url + "/page.html")
    try:
        message = js(
            tab,
            """
            // a browser without Ed25519: every Ed25519 key import or generation fails
            const subtle = crypto.subtle;
            for (const name of ["importKey", "generateKey"]) {
              const original = subtle[name].bind(subtle);
              subtle[name] = (...args) => JSON.stringify(args).includes('"Ed25519"')
                ? Promise.reject(new DOMException("unsupported", "NotSupportedError"))
                : original(...args);
            }
            return await protocol.supportCheck();
            """,
        )
    finally:
        tab.context.close()
    assert message == (
        "Your browser lacks the cryptography needed to vote (Ed25519): please update it, "
        "or use another up-to-date browser."
    )


def test_ballot_modules_use_no_eval_and_load_only_ours_and_the_vendored_library():
    check_loads_only_ours_and_vendored(WEB / "static" / "ballot", "./")
    assert not (WEB / "static" / "ballot" / "hpke.js").exists()  # gone with protocol v1


def test_the_page_saw_no_console_errors(page):
    # the module fixture also checks this at teardown; here it runs once everything loaded
    js(page, "return 1;")
    assert page.errors == []


def test_the_manifest_hash_agrees_with_python(page):
    # the browser hashes the manifest bytes it received, never a re-encoding of them
    data = canonical_json({"format": "inmc-vote/manifest/v2", "title": "Čechy 😀"})
    assert (
        js(page, "return hex(await protocol.sha256(fromHex(arg)));", data.hex())
        == sha256(data).hex()
    )


# --- The vote page, against a stand-in for the server's v2 half ---------------------------


@pytest.fixture
def stub() -> Iterator[StubServer]:
    STUBS.append(StubServer())
    yield STUBS[-1]
    STUBS.pop()


def _vote_page(chromium: Any, static_url: str, stub: StubServer) -> Any:
    tab = _open(chromium, f"{static_url}/vote/{BALLOT_ID}#t={stub.token}")
    tab.locator("#step-check").wait_for(state="visible", timeout=15000)
    assert tab.locator("#fp-full").text_content() == b64url(stub.mh)
    tab.click("#fp-same")
    tab.locator("#step-choose").wait_for(state="visible")
    return tab


def _cast_and_read(tab: Any) -> dict[str, Any]:
    """Confirm: the tracker is shown before anything is sent; cast; read the receipt step."""
    tab.locator("#step-confirm").wait_for(state="visible", timeout=15000)
    before = {
        "sentence": tab.locator("#tracker-before").inner_text(),
        "full": tab.locator("#tracker-before code").text_content(),
    }
    tab.click("#cast")
    tab.locator("#step-receipt").wait_for(state="visible", timeout=15000)
    with tab.expect_download() as saved:  # the page's own download (a blob: link)
        tab.click("#receipt-download")
    return {
        **before,
        "receipt_full": tab.locator("#receipt-full").text_content(),
        "check": tab.locator("#receipt-check").text_content(),
        "check_class": tab.locator("#receipt-check").get_attribute("class"),
        "file": Path(saved.value.path()).read_text(encoding="utf-8"),
        "file_name": saved.value.suggested_filename,
    }


def test_the_vote_page_shows_the_tracker_before_sending_and_checks_the_receipt(
    chromium, static_url, stub
):
    tab = _vote_page(chromium, static_url, stub)
    try:
        tab.check("#choice-c2")
        tab.click("#choose-form button[type=submit]")
        tab.locator("#step-confirm").wait_for(state="visible", timeout=15000)
        assert stub.received == []  # built and shown, not yet sent
        seen = _cast_and_read(tab)
        assert tab.errors == [], tab.errors
    finally:
        tab.context.close()
    [sent] = stub.received
    tracker = b64url(board.tracker_of(sent))
    assert seen["full"] == tracker == seen["receipt_full"]
    assert seen["sentence"].startswith("Your ballot's tracker: ")
    assert manifest.short_fingerprint(board.tracker_of(sent)) in seen["sentence"]
    assert seen["check_class"] == "notice"
    assert seen["check"].startswith("Receipt verified")
    assert stub.vote_of(sent) == {"v": 1, "choice": "c2"}
    kept = board.ReceiptFile.parse(seen["file"])
    assert seen["file_name"] == f"receipt-{BALLOT_ID}-1.json"
    assert kept.ballot == sent
    assert kept.tracker == board.tracker_of(sent)
    assert kept.receipt.problem(kept.tracker, manifest_hash=stub.mh, ballot=BALLOT_ID) is None


def test_the_vote_page_refuses_a_receipt_for_another_tracker(chromium, static_url, stub):
    stub.receipt_for_another = True
    tab = _vote_page(chromium, static_url, stub)
    try:
        tab.check("#blank")
        tab.click("#choose-form button[type=submit]")
        seen = _cast_and_read(tab)
    finally:
        tab.context.close()
    [sent] = stub.received
    assert seen["full"] == b64url(board.tracker_of(sent)) == seen["receipt_full"]
    assert seen["check_class"] == "alert"
    assert "does not name the ballot this browser sent" in seen["check"]
    assert stub.vote_of(sent) == {"v": 1, "blank": True}


def test_the_vote_page_ranks_at_most_26_and_says_so(chromium, static_url, stub):
    stub.reset("irv", IDS[:30])
    tab = _vote_page(chromium, static_url, stub)
    try:
        limit = tab.locator("#rank-limit").inner_text()
        for _ in range(26):
            tab.locator('#unranked-list button[data-action="add"]').first.click()
        assert tab.locator("#ranking-list li").count() == 26
        adds = tab.locator('#unranked-list button[data-action="add"]')
        assert adds.count() == 4
        assert all(
            adds.nth(i).get_attribute("aria-disabled") == "true" for i in range(adds.count())
        )
        adds.first.click(force=True)  # refused: the ranking stays at 26
        assert tab.locator("#ranking-list li").count() == 26
        assert "at most 26" in tab.locator("#vote-status").inner_text()
        tab.click("#choose-form button[type=submit]")
        seen = _cast_and_read(tab)
    finally:
        tab.context.close()
    assert "at most 26 cities" in limit
    [sent] = stub.received
    assert stub.vote_of(sent) == {"v": 1, "ranking": IDS[:26]}
    assert seen["check_class"] == "notice"
