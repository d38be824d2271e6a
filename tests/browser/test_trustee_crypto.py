"""The trustee's browser code (web/static/trustee/*.js) in Chromium, byte for byte against
the Python reference: HPKE against RFC 9180's vectors (A.1) and `cryptography` in both
directions, the key ceremony's messages against domain/protocol/ceremony.py, the key file
against tools/trustee.py, and the decryption share against decryption.py.

The modules are served under /static/ by a small local server, from a page carrying the
trustee page's own import map and the site's script policy (as test_ballot_crypto.py
does for the ballot code). Values cross between Python and the page as hex or base64url.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from inmc_vote.domain.protocol import ceremony, decryption, group, keys, lot, mixing, shuffle
from inmc_vote.domain.protocol import threshold as vss
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url
from inmc_vote.domain.protocol.invitations import new_invitation
from inmc_vote.domain.protocol.shuffle import list_hash
from inmc_vote.tools import trustee as tool
from inmc_vote.web.pages.trustee import import_map
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

PAGE_MAP = import_map()  # the trustee page's, which is the vote page's
BALLOT = "k7m2p9q4r8s3"
CEREMONY = 4


class _Handler(ModulePageHandler):
    pages: ClassVar[dict[str, tuple[bytes, str]]] = {
        "/page.html": (
            page_html("trustee code", PAGE_MAP),
            f"default-src 'self'; script-src 'self' {hash_source(PAGE_MAP)}; object-src 'none'",
        )
    }


@pytest.fixture(scope="module")
def page(browser: Any) -> Iterator[Any]:
    with serve(_Handler) as origin:
        tab, errors = open_page(browser, f"{origin}/page.html")
        yield tab
        tab.context.close()
    assert errors == [], errors


MODULES = ("hpke", "ceremony", "messages", "keyfile", "steps", "decryption", "shuffle")


def js(page: Any, body: str, arg: Any = None) -> Any:
    """Run `body` in an async function of `arg` with the trustee modules, the group and
    the byte helpers in scope; return what it returns."""
    imports = "".join(
        f"  const {name} = await import('/static/trustee/{name}.js');\n" for name in MODULES
    )
    return page.evaluate(
        "async (arg) => {\n"
        f"{imports}"
        "  const group = await import('/static/ballot/group.js');\n"
        "  const { hex, fromHex, b64url, fromB64url, utf8 } =\n"
        "    await import('/static/ballot/bytes.js');\n"
        f"{body}\n"
        "}",
        arg,
    )


# --- HPKE (RFC 9180, base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM) ----

# RFC 9180, Appendix A.1.1 (mode 0), the first encryption (sequence number 0).
A1 = {
    "info": "4f6465206f6e2061204772656369616e2055726e",
    "skEm": "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736",
    "pkEm": "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    "skRm": "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
    "pkRm": "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
    "enc": "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    "shared_secret": "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc",
    "key_schedule_context": "00725611c9d98c07c03f60095cd32d400d8347d45ed67097bbad50fc56da742d"
    "07cb6cffde367bb0565ba28bb02c90744a20f5ef37f30523526106f637abb05449",
    "key": "4531685d41d65f03dc48f6b8302c05b0",
    "base_nonce": "56d890e5accaaf011cff4b7d",
    "pt": "4265617574792069732074727574682c20747275746820626561757479",
    "aad": "436f756e742d30",
    "ct": "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae82"
    "18a355a96d8770ac83d07bea87e13c512a",
}


def test_hpke_matches_rfc_9180_a_1_1(page):
    got = js(
        page,
        """
        const v = arg;
        const pkR = hpke.x25519Public(fromHex(v.skRm));
        const s = await hpke.sealBase(pkR, fromHex(v.info), fromHex(v.pt),
                                      { aad: fromHex(v.aad), ephemeral: fromHex(v.skEm) });
        const opened = await hpke.openBase(s.enc, fromHex(v.skRm), fromHex(v.info),
                                           fromHex(v.ct), { aad: fromHex(v.aad) });
        let tampered = "opened";
        const bad = fromHex(v.ct); bad[0] ^= 1;
        try {
          const aad = fromHex(v.aad);
          await hpke.openBase(s.enc, fromHex(v.skRm), fromHex(v.info), bad, { aad });
        }
        catch (e) { tampered = e.name; }
        return { pkRm: hex(pkR), pkEm: hex(hpke.x25519Public(fromHex(v.skEm))), enc: hex(s.enc),
                 shared_secret: hex(s.sharedSecret),
                 key_schedule_context: hex(s.keyScheduleContext),
                 key: hex(s.key), base_nonce: hex(s.baseNonce), ct: hex(s.ciphertext),
                 pt: hex(opened), tampered };
        """,
        A1,
    )
    assert got == {**{k: A1[k] for k in got if k in A1}, "tampered": "HpkeError"}


def test_hpke_interoperates_with_cryptography_both_ways(page):
    suite = ceremony.SUITE
    info = ceremony.share_info(BALLOT, CEREMONY, 2, 3)
    receiver_private, receiver_public = keys.new_x25519()
    secret = group.random_scalar()
    # Python seals, the browser opens
    sealed_by_python = suite.encrypt(secret, keys.x25519_public_key(receiver_public), info=info)
    # the browser seals, Python opens
    got = js(
        page,
        """
        const [sealed, skR, pkR, info, plain] = arg.map(fromB64url);
        const opened = await hpke.open(sealed, skR, info);
        const mine = await hpke.seal(pkR, info, plain);
        let other = "opened";
        try { await hpke.open(sealed, skR, utf8("another info")); } catch (e) { other = e.name; }
        return [b64url(opened), b64url(mine), other];
        """,
        [b64url(x) for x in (sealed_by_python, receiver_private, receiver_public, info, secret)],
    )
    assert from_b64url(got[0]) == secret
    mine = from_b64url(got[1])
    assert len(mine) == ceremony.SHARE_CIPHERTEXT_BYTES
    assert suite.decrypt(mine, keys.x25519_private_key(receiver_private), info=info) == secret
    assert got[2] == "HpkeError"


# --- The key ceremony -------------------------------------------------------------------


def _files(n: int) -> list[tool.TrusteeFile]:
    return [
        tool.new_trustee_file("http://testserver", BALLOT, new_invitation(CEREMONY, i).text)
        for i in range(1, n + 1)
    ]


def _file_json(file: tool.TrusteeFile) -> str:
    return tool._dump(file).decode()


def _state(files: list[tool.TrusteeFile], t: int, **messages: dict[int, Any]) -> dict[str, Any]:
    """The ceremony's public state as GET .../ceremony serves it (the parts the tools read)."""
    names = {f.trustee: f"Trustee Ñame {f.trustee}" for f in files}
    return {
        "ballot": BALLOT,
        "ceremony": CEREMONY,
        "threshold": t,
        "size": len(files),
        "phase": "keys"
        if "deal" in messages
        else "deals"
        if "certificate" in messages
        else "certificates",
        "waiting_for": [],
        "trustees": [
            {
                "index": f.trustee,
                "name": names[f.trustee],
                **{
                    kind: messages.get(kind, {}).get(f.trustee)
                    for kind in ("certificate", "deal", "key", "complaint")
                },
            }
            for f in files
        ],
    }


def _with_certificates(files: list[tool.TrusteeFile], t: int) -> dict[str, Any]:
    bare = _state(files, t)
    certs = {f.trustee: tool.certificate_message(f, bare) for f in files}
    return _state(files, t, certificate=certs)


def test_the_browser_certificate_is_the_python_one(page):
    files = _files(3)
    state = _state(files, 2)
    got = js(
        page,
        """
        const [text, state] = arg;
        const file = keyfile.readKeyFile(text);
        const message = await steps.certificateMessage(file, state);
        return new TextDecoder().decode(steps.messageBytes(message));
        """,
        [_file_json(files[1]), state],
    )
    assert got.encode() == canonical_json(tool.certificate_message(files[1], state))


def test_a_browser_deal_is_read_and_opened_by_python_and_a_python_deal_by_the_browser(page):
    files = _files(3)
    state = _with_certificates(files, 2)
    coefficients = [group.random_scalar() for _ in range(2)]
    # the browser deals for trustee 1 with a fixed polynomial
    with_poly = tool.TrusteeFile(**{**files[0].__dict__, "polynomial": tuple(coefficients)})
    deal_js = json.loads(
        js(
            page,
            """
            const [text, state] = arg;
            const file = keyfile.readKeyFile(text);
            const { message } = await steps.dealMessage(file, state);
            return new TextDecoder().decode(steps.messageBytes(message));
            """,
            [_file_json(with_poly), state],
        )
    )
    certs = tool.certificates(files[0], state)
    read = ceremony.read_deal(
        deal_js, ballot=BALLOT, ceremony=CEREMONY, certificates=certs, threshold=2, trustee=1
    )
    assert list(read.commitments) == vss.commitments(coefficients)
    for f in files:
        opened = ceremony.share_checked(
            read,
            ballot=BALLOT,
            ceremony=CEREMONY,
            recipient=f.trustee,
            encryption_key=f.encryption_private,
        )
        assert opened == vss.evaluate(coefficients, f.trustee)
    # Python deals for trustee 2; the browser (trustee 3) reads it and opens its share
    deal_py, _ = tool.deal_message(files[1], state)
    got = js(
        page,
        """
        const [text, state, deal] = arg;
        const file = keyfile.readKeyFile(text);
        const certs = await steps.certificates(file, state);
        const read = await ceremony.readDeal(deal, { ballot: file.ballot, ceremony: file.ceremony,
          certificates: certs, threshold: 2, trustee: 2 });
        const share = await ceremony.shareChecked(read, { ballot: file.ballot,
          ceremony: file.ceremony, recipient: 3, encryptionPrivate: file.encryptionPrivate });
        return b64url(group.scalarBytes(share));
        """,
        [_file_json(files[2]), state, deal_py],
    )
    py_read = ceremony.read_deal(
        deal_py, ballot=BALLOT, ceremony=CEREMONY, certificates=certs, threshold=2, trustee=2
    )
    assert from_b64url(got) == ceremony.open_share(
        py_read,
        ballot=BALLOT,
        ceremony=CEREMONY,
        recipient=3,
        encryption_key=files[2].encryption_private,
    )


def _dealt(files: list[tool.TrusteeFile], t: int) -> tuple[dict[str, Any], list[tool.TrusteeFile]]:
    state = _with_certificates(files, t)
    deals = {}
    out = []
    for f in files:
        message, f2 = tool.deal_message(f, state)
        deals[f.trustee] = message
        out.append(f2)
    certs = {m["index"]: m["certificate"] for m in state["trustees"]}
    return _state(files, t, certificate=certs, deal=deals), out


def test_the_browser_key_message_with_a_fixed_nonce_is_the_python_one(page):
    files = _files(3)
    state, files = _dealt(files, 2)
    nonce = group.random_scalar()
    got = js(
        page,
        """
        const [text, state, nonce] = arg;
        const file = keyfile.readKeyFile(text);
        const fixed = group.scalar(fromB64url(nonce));
        const checked = await steps.checkMessage(file, state, { nonce: fixed });
        return [checked.kind, new TextDecoder().decode(steps.messageBytes(checked.message)),
                keyfile.dump(checked.file)];
        """,
        [_file_json(files[2]), state, b64url(nonce)],
    )
    certs = tool.certificates(files[2], state)
    deals = tool.deals(files[2], state, certs)
    expected = ceremony.make_key(
        ballot=BALLOT,
        ceremony=CEREMONY,
        trustee=3,
        deals=deals,
        encryption_key=files[2].encryption_private,
        signing_seed=files[2].signing_seed,
        nonce=nonce,
    )
    assert got[0] == "key"
    assert got[1].encode() == canonical_json(expected)
    ceremony.read_key(
        json.loads(got[1]), ballot=BALLOT, ceremony=CEREMONY, certificates=certs, deals=deals
    )
    # the key file the page gives back is the one the command line writes
    assert got[2] == _file_json(tool.check_message(files[2], state).file)


def _tamper_share(
    state: dict[str, Any], dealer: int, recipient: int, files: list[tool.TrusteeFile]
) -> None:
    """Re-seal dealer's share for `recipient` with a wrong value and re-sign the deal (a
    dishonest dealer: the deal still reads, only its recipient can tell)."""
    member = state["trustees"][dealer - 1]
    deal = dict(member["deal"])
    shares = [dict(s) for s in deal["shares"]]
    public = from_b64url(state["trustees"][recipient - 1]["certificate"]["encryption_key"])
    shares[recipient - 1]["ciphertext"] = b64url(
        ceremony.SUITE.encrypt(
            group.random_scalar(),
            keys.x25519_public_key(public),
            info=ceremony.share_info(BALLOT, CEREMONY, dealer, recipient),
        )
    )
    deal["shares"] = shares
    member["deal"] = ceremony.sign(deal, files[dealer - 1].signing_seed)


def test_a_bad_share_makes_the_same_complaint_in_the_browser_as_in_python(page):
    files = _files(3)
    state, files = _dealt(files, 2)
    _tamper_share(state, dealer=2, recipient=1, files=files)
    got = js(
        page,
        """
        const [text, state] = arg;
        const checked = await steps.checkMessage(keyfile.readKeyFile(text), state);
        return [checked.kind, checked.about, checked.reason,
                new TextDecoder().decode(steps.messageBytes(checked.message))];
        """,
        [_file_json(files[0]), state],
    )
    expected = tool.check_message(files[0], state)
    assert expected.kind == "complaint"
    assert got == [
        "complaint",
        2,
        "the share for trustee 1 does not match its commitments",
        canonical_json(expected.message).decode(),
    ]


def test_a_tampered_deal_or_certificate_is_refused_in_the_same_words(page):
    files = _files(3)
    state, files = _dealt(files, 2)
    cases = []
    bad_signature = json.loads(json.dumps(state))
    bad_signature["trustees"][1]["deal"]["commitments"][0] = bad_signature["trustees"][0]["deal"][
        "commitments"
    ][0]
    cases.append(bad_signature)
    bad_point = json.loads(json.dumps(state))
    bad_point["trustees"][2]["deal"]["commitments"][1] = b64url(bytes(32))
    cases.append(bad_point)
    bad_certificate = json.loads(json.dumps(state))
    bad_certificate["trustees"][0]["certificate"]["name"] = "Someone else"
    cases.append(bad_certificate)
    short_share = json.loads(json.dumps(state))
    short_share["trustees"][0]["deal"]["shares"][2]["ciphertext"] = b64url(bytes(40))
    cases.append(short_share)
    for case in cases:
        with pytest.raises(ceremony.CeremonyError) as refused:
            tool.check_message(files[1], case)
        got = js(
            page,
            """
            const [text, state] = arg;
            try { await steps.checkMessage(keyfile.readKeyFile(text), state); return "sent"; }
            catch (error) { return [error.name, error.message]; }
            """,
            [_file_json(files[1]), case],
        )
        assert got == ["CeremonyError", str(refused.value)]


def test_key_files_read_and_write_as_the_command_line_does(page):
    files = _files(2)
    state, dealt = _dealt(files, 2)
    full = tool.check_message(dealt[0], state).file
    odd = tool.TrusteeFile(**{**full.__dict__, "server": "http://tëst.example/ü/😀"})
    texts = [_file_json(f) for f in (files[0], dealt[0], full, odd)]
    got = js(page, "return arg.map((t) => keyfile.dump(keyfile.readKeyFile(t, 'f')));", texts)
    assert got == texts
    refusals = js(
        page,
        """
        return arg.map((t) => { try { keyfile.readKeyFile(t, "f.json"); return "read"; }
                                catch (e) { return e.message; } });
        """,
        [
            "{",
            json.dumps({"format": "other"}),
            json.dumps({**json.loads(texts[0]), "extra": 1}),
            json.dumps({**json.loads(texts[0]), "lot_rho": "AAAA"}),
        ],
    )
    assert refusals[0].startswith("f.json cannot be read as a key file")
    assert refusals[1] == "f.json is not an inmc-vote/trustee/v2 file."
    assert refusals[2] == "f.json does not have the fields of an inmc-vote/trustee/v2 file."
    assert refusals[3].startswith("f.json is damaged (")


def test_a_new_key_file_from_the_browser_is_read_by_the_command_line(page):
    invitation = new_invitation(CEREMONY, 2).text
    text = js(
        page,
        """
        const invitation = keyfile.readInvitation(arg);
        const file = keyfile.newTrusteeFile("http://testserver/", "k7m2p9q4r8s3", invitation);
        return keyfile.dump(file);
        """,
        invitation,
    )
    read = tool.TrusteeFile.from_json(json.loads(text))
    assert (read.server, read.ballot, read.ceremony, read.trustee, read.invitation) == (
        "http://testserver",
        BALLOT,
        CEREMONY,
        2,
        invitation,
    )
    assert tool._dump(read).decode() == text


def test_next_step_says_what_the_command_line_says(page):
    files = _files(3)
    state = _with_certificates(files, 2)
    state["phase"] = "deals"
    state["waiting_for"] = [1, 2, 3]
    got = js(page, "return [1].map((i) => steps.nextStep(arg, i));", state)
    assert got == [{"key": "your-turn", "step": "deal"}]
    assert tool.next_step(state, 1).startswith("Your turn: run `inmc-vote trustee deal")
    state["trustees"][0]["deal"] = {"x": 1}
    state["waiting_for"] = [2, 3]
    got = js(page, "return steps.nextStep(arg, 1);", state)
    assert got == {
        "key": "waiting",
        "step": "deal",
        "others": "2 (Trustee Ñame 2), 3 (Trustee Ñame 3)",
    }
    assert "2 (Trustee Ñame 2), 3 (Trustee Ñame 3)" in tool.next_step(state, 1)


# --- The decryption share ---------------------------------------------------------------


def test_the_browser_decryption_with_fixed_nonces_is_the_python_one(page):
    files = _files(2)
    state, dealt = _dealt(files, 2)
    file = tool.check_message(dealt[1], state).file
    assert file.share is not None
    assert file.verification_key is not None
    cts = [
        (group.base_mul(group.random_scalar()), group.base_mul(group.random_scalar()))
        for _ in range(3)
    ]
    nonces = [group.random_scalar() for _ in cts]
    mh = hashlib.sha256(b"a manifest").digest()
    got = js(
        page,
        """
        const [text, cts, nonces, mh, vk] = arg;
        const file = keyfile.readKeyFile(text);
        const message = await decryption.makeDecryption({
          ballot: file.ballot, round: 2, trustee: file.trustee, manifestHash: fromB64url(mh),
          share: file.share, verificationKey: fromB64url(vk),
          ciphertexts: cts.map(decryption.readCiphertext), lotRho: file.lotRho,
          signingSeed: file.signingSeed, nonces: nonces.map((n) => group.scalar(fromB64url(n))) });
        return [new TextDecoder().decode(steps.messageBytes(message)),
                b64url(decryption.listHash(cts.map(decryption.readCiphertext)))];
        """,
        [
            _file_json(file),
            [[b64url(a), b64url(b)] for a, b in cts],
            [b64url(n) for n in nonces],
            b64url(mh),
            b64url(file.verification_key),
        ],
    )
    expected = decryption.make_decryption(
        ballot=BALLOT,
        round=2,
        trustee=2,
        manifest_hash=mh,
        share=file.share,
        verification_key=file.verification_key,
        ciphertexts=cts,
        lot_reveal=lot.reveal(file.lot_rho, 2),
        signing_seed=file.signing_seed,
        nonces=nonces,
    )
    assert got[0].encode() == canonical_json(expected)
    assert from_b64url(got[1]) == list_hash(cts)


# --- The shuffle ------------------------------------------------------------------------


def test_the_generators_are_libsodium_s(page):
    mh = hashlib.sha256(b"a manifest for the generators").digest()
    got = js(
        page,
        "return shuffle.generators(fromB64url(arg), 39).map(b64url);",
        b64url(mh),
    )
    assert got == [b64url(group.generator(mh, i)) for i in range(40)]


def test_the_browser_shuffle_with_fixed_randomness_is_the_python_one(page):
    files = _files(2)
    _state, dealt = _dealt(files, 2)
    file = dealt[0]
    y = group.base_mul(group.random_scalar())
    n = 5
    cts = [
        (group.base_mul(group.random_scalar()), group.base_mul(group.random_scalar()))
        for _ in range(n)
    ]
    permutation = [3, 0, 4, 1, 2]
    randomness = [group.random_scalar() for _ in range(n)]
    draws = [group.random_scalar() for _ in range(n + n + 4 + n + n)]
    mh = hashlib.sha256(b"a manifest").digest()
    got = js(
        page,
        """
        const [text, cts, y, mh, permutation, randomness, draws] = arg;
        const file = keyfile.readKeyFile(text);
        const queue = draws.map((d) => group.scalar(fromB64url(d)));
        const message = await shuffle.makeShuffle({
          ballot: file.ballot, round: 1, trustee: file.trustee, index: 2,
          manifestHash: fromB64url(mh), electionKey: fromB64url(y),
          ciphertexts: cts.map(decryption.readCiphertext), signingSeed: file.signingSeed,
          fixed: { permutation, randomness: randomness.map((r) => group.scalar(fromB64url(r))),
                   draw: () => queue.shift() } });
        return new TextDecoder().decode(steps.messageBytes(message));
        """,
        [
            _file_json(file),
            [[b64url(a), b64url(b)] for a, b in cts],
            b64url(y),
            b64url(mh),
            permutation,
            [b64url(r) for r in randomness],
            [b64url(d) for d in draws],
        ],
    )
    output, secret = shuffle.shuffle(cts, y, permutation=permutation, randomness=randomness)
    queue = list(draws)
    proof = shuffle.prove(mh, y, cts, output, secret, draw=lambda: queue.pop(0))
    expected = mixing.build_shuffle(
        ballot_id=BALLOT,
        round_number=1,
        trustee=1,
        index=2,
        input_hash=list_hash(cts),
        output=output,
        proof=proof,
        signing_seed=file.signing_seed,
    )
    assert got.encode() == expected
    assert shuffle.verify(mh, y, cts, output, proof)


def test_trustee_modules_use_no_eval_and_load_only_ours_and_the_vendored_library():
    check_loads_only_ours_and_vendored(WEB / "static" / "trustee", ".")
