"""How fast a protocol-v2 ballot is checked and built, against the bare operations it needs.

Each figure is set against a ceiling measured in the same run, in alternating batches
(ceiling, then the real thing, then the ceiling again...), so that a shared machine's
load falls on both alike:
- (a) the server's check, `ballot.check` per ballot (points, Schnorr proof, Ed25519
  signature), against the bare operations the check needs (`group`, libsodium; and
  `cryptography`): 2 point checks (alpha, beta), the proof's s·G, c·alpha and one addition,
  one Ed25519 verification of the signed message (loading the credential's key included);
- (b) building a ballot in Python, `ballot.build`, against its bare operations: the
  embedding (the same number of `is_valid_point` tries the payload needs), r·G, r·Y,
  w·G, M + r·Y, and one Ed25519 signature with a key already loaded;
- (c) building a ballot in Chromium with the vote page's own module
  (`web/static/ballot/ballot.js`, loaded through vote.html's import map from a local
  static server, as tests/browser/test_ballot_crypto.py does), against the bare vendored
  @noble/curves operations in the same page (the embedding's point decodings and
  subgroup checks, 3 multiplications, the addition, and one WebCrypto Ed25519 signature
  with a key already imported), timed inside the page with performance.now().
  Skipped (only this part) when there is no Chromium.

    python bench/ballot_bench.py                      # 2,000 ballots, 1,000 in Chromium
    python bench/ballot_bench.py --ballots 500 --browser-ballots 300   # quicker
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from inmc_vote.domain.protocol import ballot, group, keys, payload  # noqa: E402

WEB = ROOT / "src" / "inmc_vote" / "web"
CANDIDATES = [f"city-{i:02d}" for i in range(1, 31)]
BATCHES = 10


def load() -> str:
    return (
        Path("/proc/loadavg").read_text().split(" ")[0] if Path("/proc/loadavg").exists() else "?"
    )


def votes(n: int) -> list[bytes]:
    """n payloads of every kind (their embedding counters differ, as real votes' do)."""
    rng = random.Random(2031)  # noqa: S311 (the same votes on every run, not a secret)
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            vote: dict[str, Any] = {"v": 1, "choice": rng.choice(CANDIDATES)}
        elif kind == 1:
            vote = {"v": 1, "ranking": rng.sample(CANDIDATES, rng.randint(1, 26))}
        elif kind == 2:
            vote = {"v": 1, "approve": rng.sample(CANDIDATES, rng.randint(1, 10))}
        else:
            vote = {"v": 1, "blank": True}
        out.append(payload.encode(vote, CANDIDATES))
    return out


def alternating(
    ceiling: Callable[[int], object], real: Callable[[int], object], n: int
) -> tuple[float, float]:
    """Seconds for ceiling(i) and real(i) over i < n, in BATCHES alternating batches."""
    spent = [0.0, 0.0]
    bounds = [n * k // BATCHES for k in range(BATCHES + 1)]
    for start, stop in itertools.pairwise(bounds):
        for which, fn in enumerate((ceiling, real)):
            started = time.perf_counter()
            for i in range(start, stop):
                fn(i)
            spent[which] += time.perf_counter() - started
    return spent[0], spent[1]


def report(label: str, n: int, ceiling: float, real: float, ceiling_words: str) -> None:
    print(f"  ceiling: {ceiling_words:<58} {ceiling * 1e6 / n:9.0f} µs/ballot")
    print(f"  {label:<67} {real * 1e6 / n:9.0f} µs/ballot")
    print(f"  ratio {label + ' / ceiling:':<61} {real / ceiling:9.2f}")


# --- (b) and (a): Python ------------------------------------------------------------------


def python_build(n: int, mh: bytes, y: bytes, seeds: list[bytes], payloads: list[bytes]) -> list:
    print(f"\n(b) building a ballot in Python, {n:,} ballots")
    tries = []
    for p in payloads:
        counter = 0
        while not group.is_point(p + counter.to_bytes(2, "little") + bytes(2)):
            counter += 1
        tries.append(counter + 1)
    signers = [Ed25519PrivateKey.from_private_bytes(s) for s in seeds]
    message = ballot.signed_message({"stand-in": "body"})  # the same length as the real one
    rs = [group.random_scalar() for _ in range(n)]
    ws = [group.random_scalar() for _ in range(n)]
    built: list[ballot.Ballot] = [None] * n  # type: ignore[list-item]

    def bare(i: int) -> None:
        p = payloads[i]
        for counter in range(tries[i]):
            group.is_point(p + counter.to_bytes(2, "little") + bytes(2))
        m = p + (tries[i] - 1).to_bytes(2, "little") + bytes(2)
        group.base_mul(rs[i])
        group.add(m, group.mul(rs[i], y))
        group.base_mul(ws[i])
        signers[i].sign(message)

    def real(i: int) -> None:
        built[i] = ballot.build(mh, y, seeds[i], payloads[i])

    ceiling, took = alternating(bare, real, n)
    print(f"  (the embedding took {sum(tries) / n:.1f} point checks per payload on average)")
    report(
        "ballot.build",
        n,
        ceiling,
        took,
        "embedding + r·G, r·Y, w·G, M + r·Y + Ed25519 sign",
    )
    return built


def python_check(mh: bytes, y: bytes, ballots: Sequence[ballot.Ballot]) -> None:
    n = len(ballots)
    print(f"\n(a) the server's check of a ballot, {n:,} ballots")
    messages = [ballot.signed_message(b.body()) for b in ballots]
    challenges = [
        group.hash_scalar(
            ballot.POK_LABEL,
            *ballot.pok_context(mh, y, b.credential, b.alpha, b.beta),
            b.commitment,
        )
        for b in ballots
    ]

    def bare(i: int) -> None:
        b = ballots[i]
        assert group.is_point(b.alpha)
        assert group.is_point(b.beta)
        assert group.base_mul(b.response) == group.add(
            b.commitment, group.mul(challenges[i], b.alpha)
        )
        Ed25519PublicKey.from_public_bytes(b.credential).verify(b.signature, messages[i])

    def real(i: int) -> None:
        ballot.check(ballots[i], mh, y)

    ceiling, took = alternating(bare, real, n)
    report(
        "ballot.check",
        n,
        ceiling,
        took,
        "2 point checks + s·G, c·alpha, 1 addition + Ed25519 verify",
    )
    print(f"  at 100,000 ballots: {took * 100_000 / n:.0f} s of one core for the checks")


# --- (c): Chromium ------------------------------------------------------------------------


def chromium_path() -> str | None:
    from tests.browser.conftest import chromium_path as found

    return found()


def page_html() -> bytes:
    """A bare page carrying vote.html's own import map (bare `@noble/...` specifiers, the
    vendored modules' SHA-384 integrity), as the browser tests' page does."""
    template = (WEB / "templates" / "vote.html").read_text(encoding="utf-8")
    found = re.search(r'<script type="importmap">(.*?)</script>', template, re.S)
    assert found, "vote.html carries the import map"
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>ballot bench</title>'
        f'<script type="importmap">{found.group(1)}</script><p>ballot bench</p></html>'
    ).encode()


class _Static(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}
    page = b""

    def do_GET(self) -> None:
        if self.path == "/page.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(self.page)))
            self.end_headers()
            self.wfile.write(self.page)
        elif self.path.startswith("/static/"):
            super().do_GET()
        else:
            self.send_error(404)

    def log_message(self, format: str, *args: Any) -> None:
        pass


IN_PAGE = """
async (arg) => {
  const ballots = await import('/static/ballot/ballot.js');
  const { ed25519 } = await import('@noble/curves/ed25519.js');
  const { mod } = await import('@noble/curves/abstract/modular.js');
  const { bytesToNumberLE } = await import('@noble/curves/utils.js');
  const Point = ed25519.Point;
  const L = Point.Fn.ORDER;
  const fromHex = (h) => Uint8Array.from(h.match(/../g), (b) => parseInt(b, 16));
  const mh = fromHex(arg.mh);
  const y = fromHex(arg.y);
  const payloads = arg.payloads.map(fromHex);
  const seeds = arg.seeds.map(fromHex);
  const n = payloads.length;
  const PKCS8 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b,
                                 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
  const signers = [];
  for (const seed of seeds) {
    const der = new Uint8Array(48);
    der.set(PKCS8);
    der.set(seed, 16);
    signers.push(await crypto.subtle.importKey('pkcs8', der, { name: 'Ed25519' }, false,
                                               ['sign']));
  }
  const message = new Uint8Array(52);  // labelled("inmc-vote/v2/ballot") ‖ SHA-256(body)
  crypto.getRandomValues(message);
  const scalar = () => mod(bytesToNumberLE(crypto.getRandomValues(new Uint8Array(64))), L);
  const rs = payloads.map(scalar);
  const ws = payloads.map(scalar);
  const yPoint = Point.fromBytes(y, false);

  // the least a build must do: embed (decode each candidate, check it as group.js does),
  // alpha = r·G, beta = M + r·Y, A = w·G (encoded), one Ed25519 signature
  const tries = [];
  const bare = async (i) => {
    const candidate = new Uint8Array(32);
    candidate.set(payloads[i]);
    let m = null;
    for (let c = 0; m === null; c++) {
      candidate[28] = c & 0xff;
      candidate[29] = c >> 8;
      try {
        const p = Point.fromBytes(candidate, false);
        if (!p.is0() && !p.isSmallOrder() && p.isTorsionFree()) m = p;
      } catch {}
      if (m !== null) tries[i] = c + 1;
    }
    Point.BASE.multiply(rs[i]).toBytes();
    m.add(yPoint.multiply(rs[i])).toBytes();
    Point.BASE.multiply(ws[i]).toBytes();
    await crypto.subtle.sign({ name: 'Ed25519' }, signers[i], message);
  };
  const out = [];
  const real = async (i) => {
    out[i] = await ballots.buildBallot({
      manifestHash: mh, electionKey: y, seed: seeds[i], payload: payloads[i] });
  };

  for (let i = 0; i < Math.min(n, arg.warmup); i++) {  // JIT, noble's precomputed base
    await bare(i);
    await real(i);
  }
  const spent = [0, 0];
  for (let b = 0; b < arg.batches; b++) {
    const start = Math.floor((n * b) / arg.batches);
    const stop = Math.floor((n * (b + 1)) / arg.batches);
    for (const [which, fn] of [[0, bare], [1, real]]) {
      const t0 = performance.now();
      for (let i = start; i < stop; i++) await fn(i);
      spent[which] += performance.now() - t0;
    }
  }
  return {
    ceilingMs: spent[0],
    realMs: spent[1],
    tries: tries.reduce((a, b) => a + b, 0) / n,
    sample: out.slice(0, 3).map((built) => built.ballot),
    userAgent: navigator.userAgent,
  };
}
"""


def browser_build(n: int, mh: bytes, y: bytes, seeds: list[bytes], payloads: list[bytes]) -> None:
    print(f"\n(c) building a ballot in Chromium (ballot.js), {n:,} ballots")
    executable = chromium_path()
    if executable is None:
        print("  skipped: no Chromium")
        return
    from playwright.sync_api import sync_playwright
    from tests.browser.conftest import CHROMIUM_ARGS

    _Static.page = page_html()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Static, directory=str(WEB)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/page.html")
                result = page.evaluate(
                    IN_PAGE,
                    {
                        "mh": mh.hex(),
                        "y": y.hex(),
                        "payloads": [p.hex() for p in payloads],
                        "seeds": [s.hex() for s in seeds],
                        "batches": BATCHES,
                        "warmup": 50,  # V8 optimises the BigInt code late: time it once it has
                    },
                )
                assert not errors, errors
                version = re.search(r"Chrome/([\d.]+)", result["userAgent"])
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    for sent in result["sample"]:  # what the page built is a ballot the server takes
        ballot.check(ballot.Ballot.parse(sent), mh, y)
    print(
        f"  Chromium {version.group(1) if version else '?'}; the embedding took "
        f"{result['tries']:.1f} point checks per payload on average"
    )
    report(
        "buildBallot (ballot.js)",
        n,
        result["ceilingMs"] / 1000,
        result["realMs"] / 1000,
        "noble: embedding + r·G, r·Y, w·G, M + r·Y + WebCrypto sign",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=2_000, help="Python (default 2,000)")
    parser.add_argument(
        "--browser-ballots", type=int, default=1_000, help="Chromium (default 1,000; 0 skips)"
    )
    args = parser.parse_args()
    print(f"ballot_bench: load {load()} (1-minute average, /proc/loadavg), {os.cpu_count()} cores")
    mh = os.urandom(32)
    y = group.base_mul(group.random_scalar())
    n = max(args.ballots, args.browser_ballots)
    seeds = [keys.new_ed25519()[0] for _ in range(n)]
    payloads = votes(n)
    built = python_build(args.ballots, mh, y, seeds, payloads)
    python_check(mh, y, built)
    if args.browser_ballots:
        browser_build(args.browser_ballots, mh, y, seeds, payloads)
    print(f"\nload at the end: {load()}")


if __name__ == "__main__":
    main()
