"""The e-mails the server sends, in French then English like the printable letters: a
city's candidacy-portal link, its token letter, and the reminders before a deadline.

Each is built as an `email.message.EmailMessage` and nothing is kept: a token letter's
token is in the message only (its vote link carries it in the fragment, `#t=`, which
browsers never send to a server). Headers come from the standard library's policy, which
refuses a line break in a header, so that no name or title can add a header.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import segno
from jinja2 import Environment, select_autoescape

from inmc_vote.documents.token_letters import InBoth, Letter, vote_link
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.protocol.manifest import short_fingerprint


@dataclass(frozen=True)
class Outgoing:
    """One message for one city: who it is for (for the log and the page, never the
    address) and the message itself."""

    city_id: int
    city: str
    message: EmailMessage


_env = Environment(autoescape=select_autoescape(default=True), trim_blocks=True)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _message(sender: str, to: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = _one_line(subject)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    message["Auto-Submitted"] = "auto-generated"
    return message


def _both(name: str, text: str | InBoth) -> dict[str, str]:
    """`name_fr` and `name_en`, for the French and the English half ("—" when empty)."""
    both = InBoth.of(text)
    return {f"{name}_fr": both.fr or "—", f"{name}_en": both.en or "—"}


# --- The candidacy portal link -------------------------------------------------------

_PORTAL_TEXT = """\
{city}

Scrutin : {title}

Votre ville peut déposer sa candidature, la modifier ou la retirer sur la page suivante,
jusqu'au {deadline_fr}. Ce lien est propre à votre ville et valable jusqu'au {expires_fr} :
ne le transmettez pas.

{link}

--

Ballot: {title}

Your city can submit, update or withdraw its candidacy on the page below until
{deadline_en}. This link belongs to your city and is valid until {expires_en}: do not pass
it on.

{link}
"""


def portal_link_message(
    *,
    sender: str,
    to: str,
    city: str,
    title: str,
    link: str,
    deadline: str | InBoth,
    expires: str | InBoth,
) -> EmailMessage:
    message = _message(sender, to, f"Lien de candidature / Candidacy link — {title} — {city}")
    message.set_content(
        _PORTAL_TEXT.format(
            city=city,
            title=title,
            link=link,
            **_both("deadline", deadline),
            **_both("expires", expires),
        )
    )
    return message


# --- The token letter ----------------------------------------------------------------

_LETTER_TEXT = """\
{city} ({country})

{title}
{question}

[FR] Jeton de vote de votre ville. Ce message est le vote de votre ville : gardez-le
confidentiel et ne le transférez pas. Ouvrez le lien ci-dessous (ou scannez le code QR
joint), vérifiez que l'empreinte du scrutin affichée est bien {short}, votez, puis gardez
votre reçu. Le vote ferme le {closes_fr}. Jeton perdu : signalez-le à l'organisateur, qui le
remplace tant qu'il n'a pas voté.

[EN] Your city's voting token. This message is your city's vote: keep it private and
do not forward it. Open the link below (or scan the attached QR code), check that the
ballot fingerprint shown is {short}, vote, then keep your receipt. Voting closes
{closes_en}. Lost token: tell the organiser, who replaces it as long as it has not voted.

Lien / Link:
{link}

Jeton / Token: {token}
Empreinte du scrutin / Ballot fingerprint: {short}
  ({full})
Empreinte du jeton / Token fingerprint: {fingerprint}

Ce message a été envoyé par le serveur du scrutin, qui a vu ce jeton une fois en
l'envoyant ; il ne le garde pas. / This message was sent by the ballot's server, which
saw this token once while sending it; it does not keep it.
"""

_LETTER_HTML = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body style="font: 15px/1.5 system-ui, sans-serif; color: #000; max-width: 40em">
<h1 style="font-size: 20px">{{ city }} ({{ country }})</h1>
<p><strong>{{ title }}</strong><br>{{ question }}</p>
<p><a href="{{ link }}" style="font-size: 18px">Voter / Vote</a></p>
<p><img src="cid:{{ qr_cid }}" width="200" height="200"
  alt="Code QR du lien de vote / QR code of the voting link"></p>
<p>Empreinte du scrutin / Ballot fingerprint:
  <strong style="font-family: monospace">{{ short }}</strong><br>
  <small style="font-family: monospace">{{ full }}</small></p>
<div lang="fr">
<p><strong>Comment voter.</strong> Ce message est le vote de votre ville : gardez-le
confidentiel et ne le transférez pas. Ouvrez le lien (ou scannez le code), vérifiez que
l’empreinte du scrutin affichée est bien {{ short }}, votez, puis gardez votre reçu.
Le vote ferme le {{ closes_fr }}. Jeton perdu : signalez-le à l’organisateur, qui le
remplace tant qu’il n’a pas voté.</p>
</div>
<div lang="en">
<p><strong>How to vote.</strong> This message is your city's vote: keep it private and
do not forward it. Open the link (or scan the code), check that the ballot fingerprint
shown is {{ short }}, vote, then keep your receipt. Voting closes {{ closes_en }}. Lost
token: tell the organiser, who replaces it as long as it has not voted.</p>
</div>
<p>Jeton / Token:<br><code style="font-size: 15px; word-break: break-all">{{ token }}</code></p>
<p><small>Empreinte du jeton / Token fingerprint:
  <span style="font-family: monospace">{{ fingerprint }}</span></small></p>
<p><small>Ce message a été envoyé par le serveur du scrutin, qui a vu ce jeton une fois
en l’envoyant ; il ne le garde pas. / This message was sent by the ballot's server,
which saw this token once while sending it; it does not keep it.</small></p>
</body></html>
"""


def qr_png(text: str) -> bytes:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=5, border=2)
    return out.getvalue()


def token_letter_message(
    *,
    sender: str,
    to: str,
    letter: Letter,
    title: str,
    question: str,
    closes: str | InBoth,
    manifest_hash: bytes,
    base_url: str,
    ballot_id: str,
) -> EmailMessage:
    """A city's letter: plain text, and HTML with its QR code inline (a PNG, since mail
    readers show no SVG). The link carries the token in its fragment, never its query."""
    link = vote_link(base_url, ballot_id, letter.token)
    facts = {
        "city": letter.city,
        "country": letter.country,
        "title": title,
        "question": question,
        **_both("closes", closes),
        "link": link,
        "token": letter.token,
        "fingerprint": letter.fingerprint,
        "short": short_fingerprint(manifest_hash),
        "full": b64url(manifest_hash),
    }
    message = _message(sender, to, f"Jeton de vote / Voting token — {title} — {letter.city}")
    message.set_content(_LETTER_TEXT.format(**facts))
    qr_cid = make_msgid(domain="qr.inmc-vote")
    message.add_alternative(
        _env.from_string(_LETTER_HTML).render(**facts, qr_cid=qr_cid[1:-1]), subtype="html"
    )
    html_part = message.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(qr_png(link), "image", "png", cid=qr_cid, filename="vote-qr.png")
    return message


# --- Reminders -----------------------------------------------------------------------

CANDIDACY_REMINDER = "reminder-candidacy"
CLOSING_REMINDER = "reminder-closing"

_CANDIDACY_TEXT = """\
{city}

Scrutin : {title}
Les candidatures ferment le {deadline_fr}. Si votre ville souhaite se porter candidate,
utilisez le lien de candidature que l'organisateur vous a envoyé. Le scrutin :
{page}

--

Ballot: {title}
Candidacies close {deadline_en}. If your city wishes to stand, use the candidacy link the
organiser sent you. The ballot:
{page}
"""

_CLOSING_TEXT = """\
{city}

Scrutin : {title}
Le vote ferme le {deadline_fr}. Si votre ville a déjà voté, ne tenez pas compte de ce
message. Sinon, votez avec la lettre (le jeton) que vous avez reçue. Le scrutin :
{page}

--

Ballot: {title}
Voting closes {deadline_en}. If your city has already voted, ignore this message.
Otherwise, vote with the letter (the token) you received. The ballot:
{page}
"""

_REMINDERS = {
    CANDIDACY_REMINDER: (
        "Rappel : les candidatures ferment / Reminder: candidacies close",
        _CANDIDACY_TEXT,
    ),
    CLOSING_REMINDER: ("Rappel : le vote ferme / Reminder: voting closes", _CLOSING_TEXT),
}


def reminder_message(
    *,
    sender: str,
    to: str,
    kind: str,
    city: str,
    title: str,
    deadline: str | InBoth,
    page: str,
) -> EmailMessage:
    """A reminder carries no secret: the deadline and the ballot's public page."""
    subject, text = _REMINDERS[kind]
    message = _message(sender, to, f"{subject} — {title}")
    message.set_content(
        text.format(city=city, title=title, page=page, **_both("deadline", deadline))
    )
    return message
