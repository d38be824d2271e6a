"""The token letters: one printable page per city (HTML with a QR code of the vote link),
each city's letter also in a file of its own (to print, or to send as it is), and a CSV
for mail merge, packed in one ZIP that the organiser downloads once.

The server builds this in memory and keeps none of it: whoever holds the ZIP holds
the only link between a city and its credential.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import segno
from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from inmc_vote.documents.csv_safe import spreadsheet_safe
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.protocol.manifest import short_fingerprint
from inmc_vote.domain.timefmt import show_time


@dataclass(frozen=True)
class InBoth:
    """A text that each half of a bilingual letter or e-mail gives in its own language: a
    time reads "13 décembre 2026 à 22:50" in the French half and "13 December 2026, 22:50"
    in the English one. A plain string (the `--closes` text of `inmc-vote tokens issue`)
    stands the same in both."""

    fr: str
    en: str

    @classmethod
    def of(cls, text: str | InBoth) -> InBoth:
        return text if isinstance(text, InBoth) else cls(text, text)

    @classmethod
    def time(cls, moment: datetime | None, zone: str) -> InBoth:
        """A moment in the ballot's zone, in each language; none gives empty texts."""
        if moment is None:
            return cls("", "")
        return cls(show_time(moment, zone, "fr"), show_time(moment, zone, "en"))


@dataclass(frozen=True)
class Letter:
    """One city's letter: the holder it is addressed to, its token (the only copy) and
    its credential's fingerprint. The server's issuing, the offline command and a lost
    token's replacement all hand out this record; the contact, when known, is whom the
    letter goes to (the CSV's mail merge, the server's e-mail)."""

    city: str
    country: str
    token: str
    fingerprint: str
    contact_name: str = ""
    contact_email: str = ""
    city_id: int = 0


_TEMPLATE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<title>{{ title }} — tokens / jetons</title>
<style>
  body { font: 12pt/1.45 system-ui, sans-serif; color: #000; margin: 0; }
  .letter { padding: 18mm; page-break-after: always; break-after: page; }
  h1 { font-size: 16pt; margin: 0 0 4mm; }
  .token { font: 13pt/1.6 ui-monospace, monospace; letter-spacing: .04em;
           border: 1px solid #000; padding: 3mm; word-break: break-all; }
  .qr svg { width: 42mm; height: 42mm; }
  .cols { display: flex; gap: 8mm; align-items: flex-start; }
  .fp { font-family: ui-monospace, monospace; }
  .lang { margin-top: 4mm; }
  small { color: #333; }
</style></head><body>
{% for l in letters %}
<section class="letter">
  <h1>{{ l.city }} ({{ l.country }})</h1>
  <p><strong>{{ title }}</strong><br>{{ question }}</p>
  {% if short %}
  <p>Empreinte du scrutin / Ballot fingerprint:
     <span class="fp">{{ short }}</span><br><small class="fp">{{ full }}</small></p>
  {% else %}
  <p>Empreinte du scrutin : affichée sur la page de vote et publiée par l’organisateur /
     Ballot fingerprint: shown on the voting page and published by the organiser</p>
  {% endif %}
  <div class="cols">
    <div class="qr">{{ l.qr }}</div>
    <div>
      <p>Jeton de vote / Voting token:</p>
      <p class="token">{{ l.token }}</p>
      <p><small>Lien / Link: {{ l.link }}</small></p>
      <p><small>Empreinte du jeton / Token fingerprint:
        <span class="fp">{{ l.fingerprint }}</span></small></p>
    </div>
  </div>
  <div class="lang" lang="fr">
    <p><strong>Comment voter.</strong> Ce jeton est le vote de votre ville : gardez-le
    confidentiel. Scannez le code ou ouvrez le lien, vérifiez que l’empreinte du scrutin
    affichée est bien {% if short %}<span class="fp">{{ short }}</span>{% else %}celle que
    l’organisateur a publiée{% endif %}, votez, puis gardez votre reçu.
    {% if closes.fr %}Le vote ferme le {{ closes.fr }}. {% endif %}{% if short %}Jeton perdu :
    signalez-le à l’organisateur, qui le remplace tant qu’il n’a pas voté.{% else %}Ce
    jeton a été émis hors ligne : perdu, il ne peut pas être remplacé.{% endif %}</p>
  </div>
  <div class="lang" lang="en">
    <p><strong>How to vote.</strong> This token is your city's vote: keep it private.
    Scan the code or open the link, check that the ballot fingerprint shown is
    {% if short %}<span class="fp">{{ short }}</span>{% else %}the one the organiser
    published{% endif %}, vote, then keep your receipt.
    {% if closes.en %}Voting closes {{ closes.en }}. {% endif %}{% if short %}Lost token: tell
    the organiser, who replaces it as long as it has not voted.{% else %}This token was
    issued offline: if it is lost, it cannot be replaced.{% endif %}</p>
  </div>
</section>
{% endfor %}
</body></html>
"""

_env = Environment(autoescape=select_autoescape(default=True))


def qr_svg(text: str) -> Markup:
    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", scale=4, xmldecl=False, title="QR code of the voting link"
    )
    return Markup(out.getvalue().decode())  # noqa: S704 (segno's own SVG, no user markup)


def vote_link(base_url: str, ballot_id: str, token: str) -> str:
    """The fragment (#t=...) never reaches the server or its logs."""
    return f"{base_url}/vote/{ballot_id}#t={token}"


def letters_html(
    *,
    title: str,
    question: str,
    closes: str | InBoth,
    manifest_hash: bytes | None,
    base_url: str,
    ballot_id: str,
    letters: Sequence[Letter],
) -> str:
    """`manifest_hash` is None when the tokens are issued offline, before the manifest
    exists: the letter then says that the fingerprint is shown on the voting page and
    published by the organiser. An empty `closes` leaves out the closing time."""
    rows = []
    for letter in letters:
        link = vote_link(base_url, ballot_id, letter.token)
        rows.append(
            {
                "city": letter.city,
                "country": letter.country,
                "token": letter.token,
                "fingerprint": letter.fingerprint,
                "link": link,
                "qr": qr_svg(link),
            }
        )
    return _env.from_string(_TEMPLATE).render(
        title=title,
        question=question,
        closes=InBoth.of(closes),
        letters=rows,
        short=short_fingerprint(manifest_hash) if manifest_hash else "",
        full=b64url(manifest_hash) if manifest_hash else "",
    )


CSV_HEADER = (
    "city",
    "country",
    "contact_name",
    "contact_email",
    "credential_fingerprint",
    "token",
    "link",
)
BOM = "\ufeff"  # so that Excel reads the file as UTF-8 and shows «Nyíregyháza»


def letters_csv(base_url: str, ballot_id: str, letters: Sequence[Letter]) -> str:
    """UTF-8 with a byte-order mark; what people typed is made spreadsheet-safe."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for letter in letters:
        writer.writerow(
            [
                spreadsheet_safe(letter.city),
                spreadsheet_safe(letter.country),
                spreadsheet_safe(letter.contact_name),
                spreadsheet_safe(letter.contact_email),
                letter.fingerprint,
                letter.token,
                vote_link(base_url, ballot_id, letter.token),
            ]
        )
    return out.getvalue()


_UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def letter_filename(letter: Letter, taken: set[str]) -> str:
    """`letters/<city> (<country>).html`: the city's own name (accents kept; a ZIP names
    its files in UTF-8), without what a file system refuses, unique within the ZIP."""
    name = _UNSAFE_IN_NAMES.sub("_", letter.city).strip(" .") or "letter"
    if letter.country:
        name = f"{name} ({letter.country})"
    name = name[:100]
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{name} {n}"
    taken.add(candidate.casefold())
    return f"letters/{candidate}.html"


def letters_zip(
    *,
    title: str,
    question: str,
    closes: str | InBoth,
    manifest_hash: bytes | None,
    base_url: str,
    ballot_id: str,
    letters: Sequence[Letter],
) -> bytes:
    """letters.html (print it: one page per city), letters/<city> (<country>).html (each
    city's letter alone) and tokens.csv (for mail merge)."""

    def page(some: Sequence[Letter]) -> str:
        return letters_html(
            title=title,
            question=question,
            closes=closes,
            manifest_hash=manifest_hash,
            base_url=base_url,
            ballot_id=ballot_id,
            letters=some,
        )

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("letters.html", page(letters))
        taken: set[str] = set()
        for letter in letters:
            archive.writestr(letter_filename(letter, taken), page([letter]))
        archive.writestr("tokens.csv", letters_csv(base_url, ballot_id, letters).encode())
    return out.getvalue()
