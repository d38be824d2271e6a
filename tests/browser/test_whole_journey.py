"""The whole journey of a ballot in Chromium, once in English and once in French, against a
real `inmc-vote serve` that mails through a local SMTP server (aiosmtpd):

the organiser imports the cities, creates a ballot and mails the portal links; three cities
apply with their dossiers from the links in their e-mails; three trustees hold the key
ceremony (two with the command line, one on the trustee page when it exists); the
organiser accepts the candidacies, freezes and mails the token letters; five cities vote
from the links in their delivered letters (one in French, one on a phone-sized screen);
the organiser closes, the trustees shuffle and decrypt, the organiser tallies and
publishes; an auditor downloads the verifier from the server, checks its SHA-256 and
verifies the bundle with it.

Every page state is photographed to build/screenshots/ and checked with axe-core
(tests/browser/accessibility.py): a serious or critical violation fails the test.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest

from inmc_vote.demo.sample_pdf import sample_pdf
from tests.browser import accessibility
from tests.browser.conftest import free_port
from tests.mail_server import MailServer

pytestmark = pytest.mark.browser

CITIES = [
    # name, country, region, contact name, contact e-mail
    ("Clermont-Ferrand", "FR", "Europe", "Camille Martin", "camille@clermont.example.org"),
    ("Vitoria-Gasteiz", "ES", "Europe", "Ane Etxeberria", "ane@vitoria.example.org"),
    ("Nyíregyháza", "HU", "Europe", "Réka Kovács", "reka@nyiregyhaza.example.org"),
    ("Greenville", "US", "Americas", "Jordan Lee", "jordan@greenville.example.org"),
    ("Ota", "JP", "Asia", "Haruto Sato", "haruto@ota.example.org"),
    ("Sherbrooke", "CA", "Americas", "Élise Gagnon", "elise@sherbrooke.example.org"),
    ("Cuneo", "IT", "Europe", "Giulia Rossi", "giulia@cuneo.example.org"),
]
APPLICANTS = ["Clermont-Ferrand", "Vitoria-Gasteiz", "Ota"]
VOTERS = [  # (city, voted for, how)
    ("Clermont-Ferrand", "Vitoria-Gasteiz", "fr"),
    ("Vitoria-Gasteiz", "Vitoria-Gasteiz", "desktop"),
    ("Nyíregyháza", "Ota", "phone"),
    ("Greenville", "Vitoria-Gasteiz", "desktop"),
    ("Sherbrooke", "Clermont-Ferrand", "desktop"),
]
ORGANISER = "organiser@network.example.org"


@dataclass
class Journey:
    """A fresh server, its mail server and what the journey learns on the way."""

    base_url: str
    folder: Path
    env: dict[str, str]
    mail: MailServer
    password: str
    language: str
    ballot_id: str = ""
    trustee_files: list[Path] = field(default_factory=list)
    shots: int = 0

    def url(self, path: str) -> str:
        return self.base_url + path

    def look(self, page: Any, name: str, lang: str | None = None) -> None:
        """Photograph the page state, check it with axe-core, and check that it speaks the
        reader's language (the journey's own, unless `lang` says otherwise)."""
        assert page.locator("html").get_attribute("lang") == (lang or self.language), name
        self.shots += 1
        accessibility.check(page, f"journey-{self.language}-{self.shots:02d}-{name}")

    def cli(self, *args: str) -> str:
        done = subprocess.run(  # our own command line, as a trustee runs it
            [sys.executable, "-m", "inmc_vote.cli", *args],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"inmc-vote {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail("the server did not start:\n" + log.read_text())
        time.sleep(0.2)


@pytest.fixture(params=["en", "fr"])
def journey(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Journey]:
    """`inmc-vote db upgrade`, `organiser add`, then `serve`, with SMTP set to aiosmtpd."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with MailServer() as mail:
        env = {k: v for k, v in os.environ.items() if not k.startswith("INMC_")}
        env.update(
            INMC_DATABASE_URL=f"sqlite:///{tmp_path / 'journey.sqlite3'}",
            INMC_SECRET_KEY_FILE=str(tmp_path / "secret.key"),
            INMC_BASE_URL=base,
            INMC_SMTP_HOST=mail.host,
            INMC_SMTP_PORT=str(mail.port),
            INMC_MAIL_FROM="inmc-vote@network.example.org",
        )
        journey = Journey(base, tmp_path, env, mail, "", request.param)
        journey.cli("db", "upgrade")
        added = journey.cli("organiser", "add", ORGANISER)
        journey.password = re.search(r"password:\s*(\S+)", added).group(1)  # type: ignore[union-attr]
        log_path = tmp_path / "server.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "inmc_vote.cli", "serve", "--port", str(port)],
                cwd=tmp_path,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                _wait_until_up(base, process, log_path)
                yield journey
            finally:
                process.terminate()
                process.wait(timeout=10)


@pytest.fixture
def browser_context(browser: Any, journey: Journey) -> Iterator[Any]:
    """The organiser's and the auditor's browser, in the journey's language."""
    locale = "fr-FR" if journey.language == "fr" else "en-GB"
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale)
    yield context
    context.close()


# --- the mail ------------------------------------------------------------------------------


def delivered_to(journey: Journey, address: str) -> list[EmailMessage]:
    found = []
    for raw in journey.mail.messages():
        message = message_from_bytes(raw, policy=policy.default)
        if address in str(message["To"]):
            found.append(message)  # type: ignore[arg-type]
    return found


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no plain-text part"
    return part.get_content()


def link_in(journey: Journey, address: str, pattern: str) -> str:
    """The one link matching `pattern` in the mail delivered to `address` (the latest first)."""
    for message in reversed(delivered_to(journey, address)):
        match = re.search(re.escape(journey.base_url) + pattern, text_of(message))
        if match:
            return match.group(0)
    pytest.fail(f"no delivered mail to {address} holds a link like {pattern}")


def contact(city: str) -> str:
    return next(c[4] for c in CITIES if c[0] == city)


# --- the organiser's steps -----------------------------------------------------------------


def sign_in(page: Any, journey: Journey) -> None:
    page.goto(journey.url("/organiser"))
    page.wait_for_url("**/login?next=*")
    journey.look(page, "sign-in")
    page.locator("input[name=email]").fill(ORGANISER)
    page.locator("input[name=password]").fill(journey.password)
    page.locator("form[action^='/login'] button[type=submit]").click()
    page.wait_for_url("**/organiser")
    journey.look(page, "dashboard-empty")


def import_cities(page: Any, journey: Journey) -> None:
    rows = ["name,country,region,contact_name,contact_email"]
    rows += [",".join(city) for city in CITIES]
    csv_file = journey.folder / "cities.csv"
    csv_file.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page.goto(journey.url("/organiser/cities"))
    page.locator("form[action='/organiser/cities/import'] input[type=file]").set_input_files(
        str(csv_file)
    )
    page.locator("form[action='/organiser/cities/import'] button[type=submit]").click()
    page.wait_for_load_state()
    for city in CITIES:
        page.get_by_text(city[0], exact=True).first.wait_for()
    journey.look(page, "cities-imported")


def create_ballot(page: Any, journey: Journey) -> None:
    page.goto(journey.url("/organiser/ballots/new"))
    journey.look(page, "ballot-form")
    page.locator("#title").fill("Host city of the 2029 meetings")
    page.locator("#question").fill("Which city should host the 2029 meetings?")
    page.locator("#method").select_option("plurality")
    page.locator("#credential_authority_server_mail").check()
    page.locator("#timezone").select_option("Europe/Paris")
    page.locator("#closes_at").fill("2099-06-01T18:00")
    page.locator("form[action='/organiser/ballots/new'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/organiser/ballots/\w+(\?.*)?$"))
    journey.ballot_id = re.search(r"/organiser/ballots/(\w+)", page.url).group(1)  # type: ignore[union-attr]
    journey.look(page, "ballot-draft")


def confirm(page: Any, journey: Journey, action: str, reason: str = "") -> None:
    page.goto(journey.url(f"/organiser/ballots/{journey.ballot_id}/confirm/{action}"))
    journey.look(page, f"confirm-{action}")
    if reason:
        page.locator("#reason").fill(reason)
    page.locator(f"form[action$='/confirm/{action}'] button[type=submit]").click()
    # the tally and publishing lead to the results, every other action to the ballot's page
    page.wait_for_url(re.compile(rf".*/ballots/{journey.ballot_id}(/results)?\?done={action}$"))
    journey.look(page, f"after-{action}")


def name_trustees(page: Any, journey: Journey) -> list[str]:
    page.goto(journey.url(f"/organiser/ballots/{journey.ballot_id}"))
    page.locator("#trustee-names").fill("Trustee of Clermont-Ferrand\nTrustee of Ota\nAuditor")
    page.locator("#trustee-threshold").fill("2")
    page.locator("form[action$='/trustees'] button[type=submit]").click()
    page.wait_for_load_state()
    journey.look(page, "trustee-invitations")
    invitations = re.findall(r"--invitation\s+(\S+)", page.content())
    assert len(invitations) == 3, page.content()
    return invitations


def key_ceremony(journey: Journey, invitations: list[str]) -> None:
    """The three trustees, each with its own key file, on the command line."""
    journey.trustee_files = [journey.folder / f"trustee-{i}.json" for i in (1, 2, 3)]
    for invitation, key_file in zip(invitations, journey.trustee_files, strict=True):
        journey.cli(
            "trustee", "join", "--server", journey.base_url, "--ballot", journey.ballot_id,
            "--invitation", invitation, "--key-file", str(key_file),
        )  # fmt: skip
    for step in ("deal", "check"):
        for key_file in journey.trustee_files:
            journey.cli("trustee", step, "--key-file", str(key_file))


def mail_portal_links(page: Any, journey: Journey) -> None:
    page.goto(journey.url(f"/organiser/ballots/{journey.ballot_id}"))
    page.locator("form[action$='/links'] button[type=submit]").click()
    page.wait_for_load_state()
    journey.look(page, "portal-links-made")
    page.locator("form[action$='/links/mail'] button[type=submit]").click()
    page.wait_for_load_state()
    journey.look(page, "portal-links-mailed")
    for city in CITIES:
        link_in(journey, city[4], r"/portal/\S+")


def apply(page: Any, journey: Journey, city: str) -> None:
    link = link_in(journey, contact(city), r"/portal/[^\s>\"]+")
    page.goto(link)
    journey.look(page, f"portal-{city}", "en")
    dossier = journey.folder / f"dossier-{city}.pdf"
    dossier.write_bytes(sample_pdf(f"{city}: our candidacy", ["Venue, dates and budget."]))
    page.locator("#summary").fill(f"{city} would welcome the network in spring 2029.")
    page.locator("#proposed_dates").fill("14–17 May 2029")
    page.locator("#venue").fill(f"The congress centre of {city}")
    page.locator("#dossier").set_input_files(str(dossier))
    page.locator("form[action^='/portal/'] button[type=submit]").first.click()
    page.wait_for_load_state()
    journey.look(page, f"portal-applied-{city}", "en")


def accept_candidacies(page: Any, journey: Journey) -> None:
    page.goto(journey.url(f"/organiser/ballots/{journey.ballot_id}"))
    journey.look(page, "candidacies-to-decide")
    for _ in APPLICANTS:
        page.locator("form[action$='/accept'] button[type=submit]").first.click()
        page.wait_for_load_state()
    journey.look(page, "candidacies-accepted")


def mail_letters(page: Any, journey: Journey) -> None:
    page.goto(journey.url(f"/organiser/ballots/{journey.ballot_id}/tokens"))
    journey.look(page, "tokens-confirm")
    page.locator("form[action$='/tokens/mail'] button[type=submit]").click()
    page.wait_for_load_state()
    journey.look(page, "tokens-mailed")


# --- the cities' votes ---------------------------------------------------------------------


def vote(context: Any, journey: Journey, city: str, choice: str, lang: str) -> None:
    page = context.new_page()
    link = link_in(journey, contact(city), r"/vote/\w+#t=[\w.-]+")
    page.goto(link)
    page.locator("#fp-same").wait_for()
    assert "#t=" not in page.url  # the token left the address bar
    journey.look(page, f"vote-check-{city}", lang)
    page.locator("#fp-same").click()
    page.locator("#choices input[type=radio]").first.wait_for()
    page.locator("#choices").get_by_label(re.compile("^" + re.escape(choice))).check()
    journey.look(page, f"vote-choose-{city}", lang)
    page.locator("#choose-form button[type=submit]").click()
    page.locator("#cast").wait_for()
    journey.look(page, f"vote-confirm-{city}", lang)
    page.locator("#cast").click()
    page.locator("#receipt-title").wait_for()
    page.locator("#receipt-check").filter(has_text=re.compile(r"\S")).wait_for()
    journey.look(page, f"vote-receipt-{city}", lang)
    page.close()


def cast_the_votes(browser: Any, journey: Journey) -> None:
    for city, choice, how in VOTERS:
        if how == "phone":
            options = {"viewport": {"width": 360, "height": 740}, "is_mobile": True,
                       "has_touch": True, "device_scale_factor": 2}  # fmt: skip
        else:
            options = {"viewport": {"width": 1280, "height": 800}}
        locale = "fr-FR" if how == "fr" else "en-US"
        context = browser.new_context(locale=locale, **options)
        try:
            vote(context, journey, city, choice, "fr" if how == "fr" else "en")
        finally:
            context.close()


# --- the tally and the audit ---------------------------------------------------------------


def trustees_mix_and_decrypt(journey: Journey) -> None:
    for key_file in journey.trustee_files[:2]:
        journey.cli("trustee", "shuffle", "--key-file", str(key_file))
    for key_file in journey.trustee_files[:2]:
        journey.cli("trustee", "decrypt", "--key-file", str(key_file))


def audit(page: Any, journey: Journey) -> str:
    """What the auditor does: download the verifier the server offers and its SHA256SUMS,
    check the hash, download the bundle and run the verifier on it; return its output."""
    page.goto(journey.url(f"/audit/{journey.ballot_id}"))
    journey.look(page, "audit")
    sums = httpx.get(journey.url("/verifier/SHA256SUMS"), timeout=10)
    assert sums.status_code == 200
    digest, name = sums.text.split()[:2]
    verifier = httpx.get(journey.url(f"/verifier/{name}"), timeout=30)
    assert verifier.status_code == 200
    assert hashlib.sha256(verifier.content).hexdigest() == digest
    assert name in page.content()  # the audit page names the file it serves
    pyz = journey.folder / name
    pyz.write_bytes(verifier.content)
    bundle = journey.folder / "bundle.zip"
    got = httpx.get(journey.url(f"/api/v1/ballots/{journey.ballot_id}/audit"), timeout=60)
    assert got.status_code == 200
    bundle.write_bytes(got.content)
    done = subprocess.run(  # the served verifier, as an auditor runs it
        [sys.executable, "-I", str(pyz), str(bundle)],
        cwd=journey.folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_whole_journey(browser: Any, browser_context: Any, journey: Journey) -> None:
    page = browser_context.new_page()
    sign_in(page, journey)
    import_cities(page, journey)
    create_ballot(page, journey)
    key_ceremony(journey, name_trustees(page, journey))
    confirm(page, journey, "open-candidacies")
    mail_portal_links(page, journey)

    applicant_context = browser.new_context(viewport={"width": 1280, "height": 800})
    applicant = applicant_context.new_page()
    for city in APPLICANTS:
        apply(applicant, journey, city)
    applicant_context.close()

    accept_candidacies(page, journey)
    confirm(page, journey, "freeze")
    mail_letters(page, journey)
    confirm(page, journey, "open")
    cast_the_votes(browser, journey)

    page.goto(journey.url(f"/ballots/{journey.ballot_id}"))
    journey.look(page, "ballot-open-public")
    confirm(page, journey, "close", reason="Every city that meant to vote has voted.")
    trustees_mix_and_decrypt(journey)
    confirm(page, journey, "tally")
    confirm(page, journey, "publish")

    page.goto(journey.url(f"/ballots/{journey.ballot_id}/results"))
    journey.look(page, "results")
    assert page.locator(".winner-name").inner_text().startswith("Vitoria-Gasteiz")
    page.goto(journey.url(f"/ballots/{journey.ballot_id}/board"))
    journey.look(page, "board")
    page.goto(journey.url("/"))
    journey.look(page, "home-published")

    report = audit(page, journey)
    assert journey.ballot_id in report
    assert re.search(r"^All \d+ checks passed\.$", report, re.M), report
