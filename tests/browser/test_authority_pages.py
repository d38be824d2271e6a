"""The credential authority's page (/ballots/<id>/authority) in Chromium, against the
command line (`tools/offline_tokens.issue` and `revoke`, the code behind `inmc-vote tokens
issue` and `tokens revoke`) and against a live server.

Byte for byte: with the same fixed seeds (the command's `keys.new_ed25519` replaced by the
same sequence the page is given), the page's registrar.key, roll.json, tokens.csv and
revocation.json are the command's, and its letters.html is the command's but for the
QR codes, which the page leaves out (docs/browser-v2.md says why). Then the journey: the
page's roll is accepted by the server, a page-made token votes, a lost token is replaced
by picking the city from the kept tokens.csv, the old token is refused and the new one
votes; a token that has voted cannot be replaced.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from inmc_vote.documents.token_letters import Letter, letters_html
from inmc_vote.domain.protocol import credentials, keys, revocation_file, roll_file
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.tools import keyfiles, offline_tokens
from inmc_vote.tools.voter import CastError, Choice, VoteKind, cast
from tests.browser.accessibility import check as axe_check
from tests.browser.conftest import start_test_server

pytestmark = pytest.mark.browser

SVG = re.compile(r"<svg\b.*?</svg>", re.S)


@dataclass(frozen=True)
class AuthorityServer:
    base_url: str
    ballot_id: str
    email: str
    password: str

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture(scope="module")
def authority_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthorityServer]:
    """tests/browser/authority_server.py on a free port: an offline ballot, frozen."""
    folder = tmp_path_factory.mktemp("authority")
    with start_test_server("authority_server", folder, timeout=90) as (base, facts):
        yield AuthorityServer(base, facts["id"], facts["email"], facts["password"])


def seeds(count: int, start: int) -> list[bytes]:
    """Fixed 32-byte seeds, different for each test."""
    return [bytes([start + i]) * 32 for i in range(count)]


def fixed_randomness(monkeypatch: pytest.MonkeyPatch, fixed: list[bytes]) -> None:
    """The command's key pairs from `fixed`, in order (registrar first, then each city)."""
    queue = list(fixed)

    def new_ed25519() -> tuple[bytes, bytes]:
        seed = queue.pop(0)
        return seed, keys.ed25519_public(seed)

    monkeypatch.setattr(keys, "new_ed25519", new_ed25519)


def page_facts(page: Any) -> dict[str, Any]:
    return json.loads(page.locator("#letter-facts").text_content())


ISSUE_JS = """async ([seeds]) => {
  const F = await import("/static/authority/files.js");
  const facts = JSON.parse(document.getElementById("letter-facts").textContent);
  const queue = seeds.map((hex) => Uint8Array.from(hex.match(/../g), (b) => parseInt(b, 16)));
  const out = await F.issueFiles({ballotId: facts.ballot, baseUrl: facts.baseUrl},
    facts.cities, facts.templates, () => "", () => queue.shift());
  const each = out.letters.map((letter) => F.lettersHtml(facts.templates.letters,
    {ballotId: facts.ballot, baseUrl: facts.baseUrl}, [letter], () => ""));
  return {registrarKey: out.registrarKey, roll: out.roll, lettersHtml: out.lettersHtml,
          tokensCsv: out.tokensCsv, rollHash: out.rollHash, each};
}"""

REVOKE_JS = """async ([key, roll, csv, city, seed]) => {
  const F = await import("/static/authority/files.js");
  const facts = JSON.parse(document.getElementById("letter-facts").textContent);
  const lost = F.lettersOfCsv(csv).find((letter) => letter.city === city);
  const bytes = Uint8Array.from(seed.match(/../g), (b) => parseInt(b, 16));
  const out = await F.revokeFiles({ballotId: facts.ballot, baseUrl: facts.baseUrl},
    key, roll, lost, facts.templates, () => "", () => bytes);
  return {revocation: out.revocation, lettersHtml: out.lettersHtml, tokensCsv: out.tokensCsv,
          letter: out.letter, revoked: out.revokedFingerprint};
}"""


def cli_cities(facts: dict[str, Any]) -> list[Any]:
    """The electorate as the command reads it: a CSV with name and country columns."""
    rows = ["name,country"] + [
        f'"{c["name"].replace(chr(34), 2 * chr(34))}",{c["country"]}' for c in facts["cities"]
    ]
    return offline_tokens.read_cities("\n".join(rows).encode(), "cities.csv")


def cli_issue(facts: dict[str, Any], out_dir: Path) -> offline_tokens.Issued:
    """`inmc-vote tokens issue` for the ballot the page shows, from the page's own facts."""
    return offline_tokens.issue(
        ballot_id=facts["ballot"],
        cities=cli_cities(facts),
        base_url=facts["baseUrl"],
        out_dir=out_dir,
        title=facts["title"],
        question=facts["question"],
        closes=facts["closes"],
    )


def test_issuing_in_the_page_writes_the_commands_files(
    page: Any,
    authority_server: AuthorityServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page.goto(authority_server.url(f"/ballots/{authority_server.ballot_id}/authority"))
    facts = page_facts(page)
    assert len(facts["cities"]) == 5
    fixed = seeds(6, 1)
    made = page.evaluate(ISSUE_JS, [[s.hex() for s in fixed]])

    fixed_randomness(monkeypatch, fixed)
    cli = cli_issue(facts, tmp_path / "cli")
    archive = zipfile.ZipFile(io.BytesIO(cli.tokens_zip.read_bytes()))
    assert made["registrarKey"].encode() == cli.registrar_key.read_bytes()
    assert made["roll"].encode() == cli.roll_json.read_bytes()
    assert made["tokensCsv"].encode() == archive.read("tokens.csv")
    cli_letters = archive.read("letters.html").decode()
    assert len(SVG.findall(cli_letters)) == 5
    assert made["lettersHtml"] == SVG.sub("", cli_letters)
    assert "O&#39;Higgins &amp; &lt;Co&gt; (CL)" in made["lettersHtml"]
    # Each city's own letter (the page's per-city downloads), in the cities' order.
    own = [name for name in archive.namelist() if name.startswith("letters/")]
    assert len(own) == 5
    assert made["each"] == [SVG.sub("", archive.read(name).decode()) for name in own]
    assert "'=Sum" in made["tokensCsv"]  # no formula in a spreadsheet


def test_replacing_in_the_page_writes_the_commands_revocation(
    page: Any,
    authority_server: AuthorityServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page.goto(authority_server.url(f"/ballots/{authority_server.ballot_id}/authority"))
    facts = page_facts(page)
    fixed_randomness(monkeypatch, seeds(6, 40))
    issued = cli_issue(facts, tmp_path / "issued")
    csv_text = zipfile.ZipFile(io.BytesIO(issued.tokens_zip.read_bytes())).read("tokens.csv")
    rows = csv.DictReader(io.StringIO(csv_text.decode("utf-8-sig")))
    lost_fingerprint = next(r for r in rows if r["city"] == "Troyes")["credential_fingerprint"]
    new_seed = bytes([99]) * 32

    made = page.evaluate(
        REVOKE_JS,
        [
            issued.registrar_key.read_text(),
            issued.roll_json.read_text(),
            csv_text.decode(),
            "Troyes",
            new_seed.hex(),
        ],
    )
    fixed_randomness(monkeypatch, [new_seed])
    cli = offline_tokens.revoke(
        ballot_id=facts["ballot"],
        registrar_key=issued.registrar_key,
        fingerprint=lost_fingerprint,
        roll=issued.roll_json,
        base_url=facts["baseUrl"],
        out_dir=tmp_path / "revoked",
        title=facts["title"],
        question=facts["question"],
        closes=facts["closes"],
    )
    assert made["revoked"] == lost_fingerprint == cli.revoked_fingerprint
    assert made["revocation"].encode() == cli.revocation_json.read_bytes()
    # The command's letter is addressed to the fingerprint; the page's names the city.
    cli_letter = zipfile.ZipFile(io.BytesIO(cli.letter_zip.read_bytes()))
    token = re.search(r'class="token">([^<]+)<', cli_letter.read("letters.html").decode())
    assert token
    assert made["letter"]["token"] == token.group(1)
    expected = letters_html(
        title=facts["title"],
        question=facts["question"],
        closes=facts["closes"],
        manifest_hash=None,
        base_url=facts["baseUrl"],
        ballot_id=facts["ballot"],
        letters=[Letter("Troyes", "FR", token.group(1), cli.fingerprint)],
    )
    assert made["lettersHtml"] == SVG.sub("", expected)
    assert "<h1>Troyes (FR)</h1>" in made["lettersHtml"]


def sign_in(page: Any, server: AuthorityServer) -> None:
    page.goto(server.url("/login"))
    page.locator("input[name=email]").fill(server.email)
    page.locator("input[name=password]").fill(server.password)
    page.locator("form[action^='/login'] button[type=submit]").click()
    page.wait_for_url("**/organiser**")


def download(page: Any, link_id: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.locator(f"#{link_id}").click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def vote(server: AuthorityServer, token: str) -> dict[str, Any]:
    manifest = httpx.get(server.url(f"/api/v1/ballots/{server.ballot_id}/manifest")).json()
    choice = Choice(VoteKind.CHOICE, (manifest["candidates"][0]["id"],))
    return cast(server.base_url, token, choice, say=lambda _text: None).receipt


def tokens_of(letters: Path) -> dict[str, str]:
    """City → token, read from a letters.html as a person would read it."""
    text = letters.read_text(encoding="utf-8")
    found = re.findall(r"<h1>(.*?) \(.*?\)</h1>.*?class=\"token\">([^<]+)<", text, re.S)
    return {city: token for city, token in found}


def fits_a_phone(page: Any) -> None:
    """At 360 px wide the page, as it is now, does not scroll sideways."""
    page.set_viewport_size({"width": 360, "height": 740})
    try:
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def test_the_authority_issues_uploads_and_replaces_a_lost_token(
    page: Any, authority_server: AuthorityServer, tmp_path: Path
) -> None:
    said: list[str] = []
    sent: list[str] = []  # every request the page makes: URL and body
    page.on("request", lambda request: sent.append(f"{request.url} {request.post_data or ''}"))
    page.on("console", lambda message: said.append(message.text))
    page.on("pageerror", lambda error: said.append(str(error)))
    sign_in(page, authority_server)
    path = f"/ballots/{authority_server.ballot_id}/authority"
    page.goto(authority_server.url(path))
    page.locator("#authority-app[data-ready]").wait_for()
    axe_check(page, "authority-to-issue")
    page.locator("#issue-button").focus()
    page.keyboard.press("Enter")  # by keyboard
    page.locator("#issue-done, #authority-problem .alert").first.wait_for()
    assert page.locator("#issue-done").is_visible(), (
        page.locator("#authority-problem").text_content(),
        said,
    )
    files = {
        name: download(page, f"dl-{name}", tmp_path)
        for name in ("registrar", "roll", "letters", "csv")
    }
    # Every file reads with the command's own readers.
    registrar = keyfiles.read_registrar_key(files["registrar"], authority_server.ballot_id)
    roll = roll_file.parse(json.loads(files["roll"].read_text()))
    assert roll.registrar_pk == registrar.public
    assert len(roll.lines) == 5
    assert files["registrar"].stat().st_size < 400
    assert "token" not in files["roll"].read_text()
    tokens = tokens_of(files["letters"])
    assert len(tokens) == 5
    # Each city's own letter: one page, one token.
    page.locator("#dl-letters + details summary").click()
    own = download(page, "dl-each li:first-child a", tmp_path / "own")
    assert len(tokens_of(own)) == 1
    fits_a_phone(page)
    axe_check(page, "authority-issued")
    for token in tokens.values():
        credentials.parse_token(token, authority_server.ballot_id)

    page.locator("#upload-roll").click()
    page.locator("#roll-uploaded").wait_for()
    answer = page.locator("#roll-uploaded-said").text_content()
    ballot = httpx.get(authority_server.url(f"/api/v1/ballots/{authority_server.ballot_id}")).json()
    assert ballot["state"] == "open", ballot
    manifest = httpx.get(
        authority_server.url(f"/api/v1/ballots/{authority_server.ballot_id}/manifest")
    )
    assert manifest.json()["keys"]["registrar"] == b64url(registrar.public)
    assert answer
    assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", answer)

    # A page-made token votes.
    assert vote(authority_server, tokens["Nyíregyháza"])["seq"] >= 1

    # Troyes lost its letter: pick it by name from the kept tokens.csv.
    page.goto(authority_server.url(path))
    page.locator("#authority-app[data-ready]").wait_for()
    page.locator("#key-file").set_input_files(files["registrar"])
    page.locator("#csv-file").set_input_files(files["csv"])
    page.locator("#city").select_option(label="Troyes (FR)")
    page.locator("#replace-form button[type=submit]").click()
    page.locator("#replace-done").wait_for()
    revocation = download(page, "dl-revocation", tmp_path / "r")
    letter = download(page, "dl-replacement", tmp_path / "r")
    fits_a_phone(page)
    axe_check(page, "authority-replacement-made")
    parsed = revocation_file.parse(json.loads(revocation.read_text()))
    assert parsed.registrar_pk == registrar.public
    new_token = tokens_of(letter)["Troyes"]
    assert new_token != tokens["Troyes"]
    # Handed to an organiser, who uploads the kept file from the same page.
    page.locator("#upload-file").set_input_files(revocation)
    page.locator("#upload-form button[type=submit]").click()
    page.locator("#file-uploaded").wait_for()

    with pytest.raises(CastError):
        vote(authority_server, tokens["Troyes"])
    assert vote(authority_server, new_token)["seq"] >= 1

    # Secrets never reached the server: no token, nor its seed, in any request.
    secrets_made = [*tokens.values(), new_token]
    seeds_text = [files["registrar"].read_text().split('"private": "')[1].split('"')[0]]
    for request in sent:
        for secret in secrets_made + seeds_text:
            assert secret.split(".", 1)[-1] not in request

    # A token that has voted cannot be replaced: the server refuses, the page says why.
    page.goto(authority_server.url(path))
    page.locator("#authority-app[data-ready]").wait_for()
    page.locator("#key-file").set_input_files(files["registrar"])
    page.locator("#csv-file").set_input_files(files["csv"])
    page.locator("#city").select_option(label="Nyíregyháza (HU)")
    page.locator("#replace-form button[type=submit]").click()
    page.locator("#replace-done").wait_for()
    page.locator("#upload-revocation").click()
    page.locator("#authority-problem .alert").wait_for()
    axe_check(page, "authority-replacement-refused")

    # Another ballot's registrar key: refused in words, nothing made.
    page.goto(authority_server.url(path))
    other = tmp_path / "other" / "registrar.key"
    other.parent.mkdir()
    keyfiles.new_registrar_key(other, "another")
    page.locator("#key-file").set_input_files(other)
    page.locator("#csv-file").set_input_files(files["csv"])
    page.locator("#city").select_option(label="Vitoria-Gasteiz (ES)")
    page.locator("#replace-form button[type=submit]").click()
    alert = page.locator("#authority-problem .alert")
    alert.wait_for()
    assert "another ballot" in (alert.text_content() or "")
    assert page.locator("#replace-done").is_hidden()
    assert page.locator("#revocation-uploaded").is_hidden()


def test_the_page_fits_a_phone_and_says_what_each_file_is(
    phone: Any, authority_server: AuthorityServer
) -> None:
    phone.goto(authority_server.url(f"/ballots/{authority_server.ballot_id}/authority"))
    phone.locator("#authority-app[data-ready]").wait_for()
    axe_check(phone, "authority-phone")
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 360
    text = phone.locator("#files-title + dl").text_content()
    for name in ("roll.json", "registrar.key", "letters.html", "tokens.csv", "revocation.json"):
        assert name in text


READ_KEY_JS = """async ([text, ballot]) => {
  const F = await import("/static/authority/files.js");
  try {
    const key = await F.readRegistrarKey(text, ballot);
    return {ok: F.registrarKeyFile(key)};
  } catch (error) {
    return {refused: error instanceof F.FileProblem ? error.message : String(error)};
  }
}"""


def test_a_registrar_key_is_refused_by_the_page_as_by_the_command(
    page: Any, authority_server: AuthorityServer, tmp_path: Path
) -> None:
    page.goto(authority_server.url(f"/ballots/{authority_server.ballot_id}/authority"))
    ballot = authority_server.ballot_id
    good = tmp_path / "good.key"
    keyfiles.new_registrar_key(good, ballot)
    value = json.loads(good.read_text())
    other = tmp_path / "other.key"
    keyfiles.new_registrar_key(other, "another")
    cases = {
        "registrar-not-json": "not json",
        "registrar-format": json.dumps({**value, "format": "inmc-vote/trustee-key/v1"}),
        "registrar-ballot": other.read_text(),
        "registrar-unreadable": json.dumps({**value, "private": "not base64!"}),
        "registrar-mismatch": json.dumps(
            {**value, "public": json.loads(other.read_text())["public"]}
        ),
    }
    for reason, text in cases.items():
        bad = tmp_path / f"{reason}.key"
        bad.write_text(text)
        with pytest.raises(keyfiles.KeyFileError):
            keyfiles.read_registrar_key(bad, ballot)
        assert page.evaluate(READ_KEY_JS, [text, ballot]) == {"refused": reason}
    # The good one is read, and written back byte for byte.
    assert page.evaluate(READ_KEY_JS, [good.read_text(), ballot]) == {"ok": good.read_text()}
