"""Translation hooks: every text a person reads goes through `_()`.

Catalogues for French and English come later; until then the English source text
is shown. Messages are marked now so that adding a language touches no template.
"""

from __future__ import annotations

import gettext as _gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
_translations: _gettext.NullTranslations = _gettext.translation(
    "inmc_vote", localedir=LOCALE_DIR, fallback=True
)


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def translations() -> _gettext.NullTranslations:
    return _translations
