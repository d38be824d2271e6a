"""The browser's ballot code (web/static/ballot/*.js) in Chromium, against RFC 9180's test
vectors and, byte for byte, against the Python reference in domain/protocol.

The modules are served by a small local HTTP server with the site's script policy
(`script-src 'self'`), since ES modules need http(s), not file://. Values cross between
Python and the page as hex or base64url strings.
"""

from __future__ import annotations

import json
import random
import re
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import inmc_vote
from inmc_vote.domain.protocol import board, credentials, keys, manifest, readable, vote
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url, sha256

pytestmark = pytest.mark.browser

STATIC = Path(inmc_vote.__file__).parent / "web" / "static"
CSP = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# RFC 9180, Appendix A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base
# mode, and its first encryption (sequence number 0). Copied from the RFC's text as
# stored in cfrg/draft-irtf-cfrg-hpke (auth48/draft-irtf-cfrg-hpke.txt, commit 8fc0f527,
# where the appendix is still numbered B.1.1), and re-derived below from ikmE, ikmR, info
# and pt alone by `_independent_derivation`, so a wrong value here fails.
RFC9180_A11 = {
    "info": "4f6465206f6e2061204772656369616e2055726e",
    "ikmE": "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
    "pkEm": "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    "skEm": "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736",
    "ikmR": "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
    "pkRm": "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
    "skRm": "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
    "enc": "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    "shared_secret": "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc",
    "key_schedule_context": "00725611c9d98c07c03f60095cd32d400d8347d45ed67097bbad50fc56da742d07"
    "cb6cffde367bb0565ba28bb02c90744a20f5ef37f30523526106f637abb05449",
    "secret": "12fff91991e93b48de37e7daddb52981084bd8aa64289c3788471d9a9712f397",
    "key": "4531685d41d65f03dc48f6b8302c05b0",
    "base_nonce": "56d890e5accaaf011cff4b7d",
    "exporter_secret": "45ff1c2e220db587171952c0592d5f5ebe103f1561a2614e38f2ffd47e99e3f8",
    "pt": "4265617574792069732074727574682c20747275746820626561757479",
    "aad": "436f756e742d30",
    "ct": "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a9"
    "6d8770ac83d07bea87e13c512a",
}

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)


# --- Fixtures: a static server with the site's CSP, Chromium, one page per module ---------


class _StaticHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

    def do_GET(self) -> None:
        if self.path == "/favicon.ico":  # none: answer without a 404 in the console
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def static_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_StaticHandler, directory=str(STATIC)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def chromium(browser: Any) -> Any:
    """The Chromium of tests/browser/conftest.py (skipped or failed as it says)."""
    return browser


def _open(chromium: Any, static_url: str) -> Any:
    context = chromium.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(static_url + "/ballot/")  # the directory listing: an http page of the origin
    page.errors = errors
    return page


@pytest.fixture(scope="module")
def page(chromium: Any, static_url: str) -> Iterator[Any]:
    tab = _open(chromium, static_url)
    yield tab
    assert tab.errors == [], tab.errors  # e.g. a CSP violation
    tab.context.close()


def js(page: Any, body: str, arg: Any = None) -> Any:
    """Run `body` in an async function of `arg`, with both modules and the byte helpers
    (hex, fromHex, b64url, fromB64url) in scope; return what it returns."""
    return page.evaluate(
        "async (arg) => {\n"
        "  const protocol = await import('/ballot/protocol.js');\n"
        "  const hpke = await import('/ballot/hpke.js');\n"
        "  const readable = await import('/ballot/readable.js');\n"
        "  const { hex, fromHex, b64url, fromB64url } = protocol;\n"
        f"{body}\n"
        "}",
        arg,
    )


# --- RFC 9180 ---------------------------------------------------------------------------


def _labeled_extract(suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    mac = crypto_hmac.HMAC(salt or bytes(32), hashes.SHA256())
    mac.update(b"HPKE-v1" + suite_id + label + ikm)
    return mac.finalize()


def _labeled_expand(suite_id: bytes, prk: bytes, label: bytes, info: bytes, n: int) -> bytes:
    labeled_info = n.to_bytes(2, "big") + b"HPKE-v1" + suite_id + label + info
    return HKDFExpand(hashes.SHA256(), n, labeled_info).derive(prk)


def _independent_derivation(
    ikm_e: bytes, ikm_r: bytes, info: bytes, pt: bytes, aad: bytes
) -> dict[str, str]:
    """RFC 9180 written out with `cryptography`'s X25519, HMAC, HKDF-Expand and AES-GCM:
    DeriveKeyPair (§7.1.3), Encap (§4.1), KeySchedule (§5.1) and Seal at sequence 0."""
    kem = b"KEM" + (0x0020).to_bytes(2, "big")
    suite = b"HPKE" + bytes.fromhex("002000010001")

    def derive_key_pair(ikm: bytes) -> tuple[bytes, bytes]:
        dkp_prk = _labeled_extract(kem, b"", b"dkp_prk", ikm)
        sk = _labeled_expand(kem, dkp_prk, b"sk", b"", 32)
        return sk, keys.x25519_public(sk)

    sk_e, pk_e = derive_key_pair(ikm_e)
    sk_r, pk_r = derive_key_pair(ikm_r)
    dh = X25519PrivateKey.from_private_bytes(sk_e).exchange(X25519PublicKey.from_public_bytes(pk_r))
    eae_prk = _labeled_extract(kem, b"", b"eae_prk", dh)
    shared_secret = _labeled_expand(kem, eae_prk, b"shared_secret", pk_e + pk_r, 32)
    context = (
        b"\x00"
        + _labeled_extract(suite, b"", b"psk_id_hash", b"")
        + _labeled_extract(suite, b"", b"info_hash", info)
    )
    secret = _labeled_extract(suite, shared_secret, b"secret", b"")
    key = _labeled_expand(suite, secret, b"key", context, 16)
    base_nonce = _labeled_expand(suite, secret, b"base_nonce", context, 12)
    values = {
        "skEm": sk_e,
        "pkEm": pk_e,
        "skRm": sk_r,
        "pkRm": pk_r,
        "enc": pk_e,
        "shared_secret": shared_secret,
        "key_schedule_context": context,
        "secret": secret,
        "key": key,
        "base_nonce": base_nonce,
        "exporter_secret": _labeled_expand(suite, secret, b"exp", context, 32),
        "ct": AESGCM(key).encrypt(base_nonce, pt, aad),
    }
    return {name: value.hex() for name, value in values.items()}


def test_the_rfc9180_vector_is_re_derived_independently():
    v = RFC9180_A11
    derived = _independent_derivation(
        *(bytes.fromhex(v[name]) for name in ("ikmE", "ikmR", "info", "pt", "aad"))
    )
    assert derived == {name: v[name] for name in derived}
    # and `cryptography`'s own HPKE opens the vector's enc ‖ ct when the aad is empty
    sealed = AESGCM(bytes.fromhex(v["key"])).encrypt(
        bytes.fromhex(v["base_nonce"]), bytes.fromhex(v["pt"]), None
    )
    opened = SUITE.decrypt(
        bytes.fromhex(v["enc"]) + sealed,
        X25519PrivateKey.from_private_bytes(bytes.fromhex(v["skRm"])),
        info=bytes.fromhex(v["info"]),
    )
    assert opened.hex() == v["pt"]


def test_browser_hpke_reproduces_rfc9180_a11(page):
    result = js(
        page,
        """
        const options = { ephemeralPrivate: fromHex(arg.skEm) };
        const pkR = fromHex(arg.pkRm), info = fromHex(arg.info);
        const context = await hpke.setupBaseS(pkR, info, options);
        const sealed = await hpke.seal(pkR, info, fromHex(arg.pt), fromHex(arg.aad), options);
        const out = { sealed: hex(sealed) };
        for (const [name, value] of Object.entries(context)) out[name] = hex(value);
        return out;
        """,
        RFC9180_A11,
    )
    v = RFC9180_A11
    assert result == {
        "enc": v["enc"],
        "shared_secret": v["shared_secret"],
        "key": v["key"],
        "base_nonce": v["base_nonce"],
        "exporter_secret": v["exporter_secret"],
        "sealed": v["enc"] + v["ct"],
    }


def test_browser_hkdf_matches_rfc5869_test_case_1(page):
    # RFC 5869, A.1, with the extract and expand written over WebCrypto HMAC
    result = js(
        page,
        """
        const prk = await hpke.hkdfExtract(fromHex(arg.salt), fromHex(arg.ikm));
        return [hex(prk), hex(await hpke.hkdfExpand(prk, fromHex(arg.info), 42))];
        """,
        {"ikm": "0b" * 22, "salt": "000102030405060708090a0b0c", "info": "f0f1f2f3f4f5f6f7f8f9"},
    )
    assert result == [
        "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    ]


def test_what_the_browser_seals_python_opens(page):
    rng = random.Random(9180)
    cases = [(b"", b""), (b"x", b"")] + [
        (rng.randbytes(rng.randrange(0, 600)), rng.randbytes(rng.randrange(0, 120)))
        for _ in range(12)
    ]
    tally_private, tally_pk = keys.new_x25519()
    sealed = js(
        page,
        """
        const out = [];
        for (const [pt, info] of arg.cases) {
          out.push(hex(await hpke.seal(fromHex(arg.pk), fromHex(info), fromHex(pt))));
        }
        return out;
        """,
        {"pk": tally_pk.hex(), "cases": [[pt.hex(), info.hex()] for pt, info in cases]},
    )
    private = keys.x25519_private_key(tally_private)
    for (pt, info), ct_hex in zip(cases, sealed, strict=True):
        ct = bytes.fromhex(ct_hex)
        assert len(ct) == 32 + len(pt) + 16
        assert SUITE.decrypt(ct, private, info=info) == pt
    assert len({ct[:64] for ct in sealed}) == len(sealed)  # a fresh ephemeral key each time


def test_seal_refuses_a_bad_recipient_key(page):
    result = js(
        page,
        """
        const out = [];
        for (const pk of [new Uint8Array(31), new Uint8Array(32)]) {  // short; small order
          try { await hpke.seal(pk, new Uint8Array(0), new Uint8Array(1)); out.push("sealed"); }
          catch (e) { out.push("refused"); }
        }
        return out;
        """,
    )
    assert result == ["refused", "refused"]


# --- Credentials, signatures, the ballot ---------------------------------------------------


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


def _manifest(candidate_ids: list[str]) -> tuple[dict[str, Any], bytes, bytes]:
    """A manifest as the server serves it (its canonical bytes), and the tally key."""
    _, authority_pk = keys.new_ed25519()
    _, registrar_pk = keys.new_ed25519()
    tally_private, tally_pk = keys.new_x25519()
    value = manifest.build(
        ballot_id="k7m2p9q4r8s3",
        round_number=1,
        title="Host city of the 2028 meetings",
        question="Which city should host the 2028 meetings?",
        method="irv",
        rules={"quorum": "1/2"},
        candidates=[manifest.Candidate(c, f"City {c}", "Čechy") for c in candidate_ids],
        eligible=40,
        opens_at="2027-01-11T09:00:00.000Z",
        closes_at="2027-01-18T09:00:00.000Z",
        authority_pk=authority_pk,
        registrar_pk=registrar_pk,
        tally_pk=tally_pk,
        tally_custody="single",
        roll_size=40,
        roll_hash=sha256(b"roll"),
        tiebreak_commitment=sha256(b"seed"),
        vote_size=vote.vote_size_for(candidate_ids),
    )
    return value, manifest.manifest_bytes(value), tally_private


def test_browser_ballot_is_accepted_and_decrypted_by_python(page):
    ids = [f"c{i}" for i in range(1, 13)]
    value, data, tally_private = _manifest(ids)
    manifest_hash = manifest.manifest_hash(data)
    seed, _ = keys.new_ed25519()
    token = credentials.format_token("k7m2p9q4r8s3", seed)
    votes = [
        {"v": 1, "choice": "c3"},
        {"v": 1, "ranking": ["c2", "c1", "c12"]},
        {"v": 1, "ranking": ids},
        {"v": 1, "approve": ["c1", "c5"]},
        {"v": 1, "approve": []},
        {"v": 1, "blank": True},
    ]
    ballots = js(
        page,
        """
        // as the page will: read the token, hash the manifest bytes it received
        const { seed } = await protocol.parseToken(arg.token, "k7m2p9q4r8s3");
        const bytes = new TextEncoder().encode(arg.manifest);
        const manifest = JSON.parse(arg.manifest);
        const manifestHash = await protocol.sha256(bytes);
        const out = [];
        for (const vote of arg.votes) {
          out.push(await protocol.buildBallot(vote, seed, manifest, manifestHash));
        }
        return out;
        """,
        {"token": token, "manifest": data.decode(), "votes": votes},
    )
    for expected, sent in zip(votes, ballots, strict=True):
        assert sorted(sent) == ["ciphertext", "credential", "manifest_hash", "signature"]
        ballot = vote.Ballot(**{name: from_b64url(text) for name, text in sent.items()})
        assert ballot.to_json() == sent  # canonical unpadded base64url throughout
        assert ballot.manifest_hash == manifest_hash
        assert ballot.credential == keys.ed25519_public(seed)
        assert ballot.signature_valid()
        assert len(ballot.ciphertext) == vote.ciphertext_size(value["vote_size"])
        plaintext = vote.decrypt(ballot.ciphertext, tally_private, manifest_hash, ballot.credential)
        assert plaintext == vote.pad(expected, value["vote_size"])
        assert vote.unpad(plaintext) == expected
        # bound to this manifest and this credential
        with pytest.raises(Exception):  # noqa: B017, PT011 - cryptography's InvalidTag
            vote.decrypt(ballot.ciphertext, tally_private, sha256(b"other"), ballot.credential)


def test_pad_vote_agrees_with_python(page):
    votes = [{"v": 1, "choice": "é"}, {"v": 1, "ranking": ["a" * 40] * 6}]
    result = js(
        page,
        """
        const out = [];
        for (const vote of arg) {
          try { out.push(hex(protocol.padVote(vote, 256))); } catch (e) { out.push(e.message); }
        }
        return out;
        """,
        votes,
    )
    assert result[0] == vote.pad(votes[0], 256).hex()
    with pytest.raises(ValueError, match=re.escape(result[1])):
        vote.pad(votes[1], 256)


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
    ballot_id=st.one_of(st.none(), st.sampled_from(["abc", "k7m2p9q4r8s3"])),
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


# --- Roll lines and receipts --------------------------------------------------------------


def test_roll_lines_verify(page):
    registrar_seed, registrar_pk = keys.new_ed25519()
    _, other_registrar = keys.new_ed25519()
    _, line = credentials.issue("k7m2p9q4r8s3", registrar_seed)
    checks = [
        (registrar_pk, "k7m2p9q4r8s3", line.to_json(), True),
        (registrar_pk, "other", line.to_json(), False),
        (other_registrar, "k7m2p9q4r8s3", line.to_json(), False),
        (registrar_pk, "k7m2p9q4r8s3", {**line.to_json(), "pk": b64url(bytes(32))}, False),
        (registrar_pk, "k7m2p9q4r8s3", {**line.to_json(), "sig": "not base64!"}, False),
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
        [[pk.hex(), ballot, json_line] for pk, ballot, json_line, _ in checks],
    )
    assert result == [valid for *_, valid in checks]
    assert line.valid("k7m2p9q4r8s3", registrar_pk)


def test_receipts_verify(page):
    authority_seed, authority_pk = keys.new_ed25519()
    manifest_hash = sha256(b"manifest")
    tracker = sha256(b"entry")
    signature = keys.sign(authority_seed, board.receipt_message(manifest_hash, 17, tracker))
    receipt = {
        "ballot": "k7m2p9q4r8s3",
        "round": 1,
        "seq": 17,
        "hash": b64url(tracker),
        "received_at": "2027-01-11T09:00:00.123Z",
        "signature": b64url(signature),
    }
    _, other_pk = keys.new_ed25519()
    checks = [
        (authority_pk, manifest_hash, receipt, True),
        (authority_pk, manifest_hash, {**receipt, "seq": 18}, False),
        (authority_pk, manifest_hash, {**receipt, "hash": b64url(sha256(b"x"))}, False),
        (authority_pk, sha256(b"other manifest"), receipt, False),
        (other_pk, manifest_hash, receipt, False),
        (authority_pk, manifest_hash, {**receipt, "signature": b64url(bytes(64))}, False),
        (authority_pk, manifest_hash, {**receipt, "seq": "17"}, False),
    ]
    result = js(
        page,
        """
        const out = [];
        for (const [authority, manifestHash, receipt] of arg) {
          const key = fromHex(authority);
          out.push(await protocol.verifyReceipt(key, fromHex(manifestHash), receipt));
        }
        return out;
        """,
        [[pk.hex(), mh.hex(), r] for pk, mh, r, _ in checks],
    )
    assert result == [valid for *_, valid in checks]


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


# --- Support check, and the site's script policy -------------------------------------------


def test_support_check_passes_in_chromium(page):
    assert js(page, "return await protocol.supportCheck();") is None


def test_support_check_names_what_is_missing(chromium, static_url):
    tab = _open(chromium, static_url)
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


def test_ballot_modules_use_no_eval_and_nothing_from_elsewhere():
    for path in (STATIC / "ballot").glob("*.js"):
        source = path.read_text()
        assert not re.search(r"\beval\s*\(|new\s+Function\b|\bsetTimeout\s*\(\s*['\"]", source)
        imports = re.findall(r"""\bfrom\s+["']([^"']+)["']|import\s*\(\s*["']([^"']+)""", source)
        assert all(spec.startswith("./") for pair in imports for spec in pair if spec), path


def test_the_page_saw_no_console_errors(page):
    # the module fixture also checks this at teardown; here it runs once everything loaded
    js(page, "return 1;")
    assert page.errors == []


def test_the_manifest_hash_agrees_with_python(page):
    # the browser hashes the manifest bytes it received, never a re-encoding of them
    value, data, _ = _manifest(["c1", "c2"])
    assert (
        js(page, "return hex(await protocol.sha256(fromHex(arg)));", data.hex())
        == sha256(data).hex()
    )
    assert json.loads(data) == value
