"""The French and English catalogues: extract the texts, update the `.po` files, compile.

    python src/inmc_vote/web/locale/catalogues.py update    # (make catalogues) extract,
                                                            # update both .po, compile
    python src/inmc_vote/web/locale/catalogues.py compile   # .po → .mo only
    python src/inmc_vote/web/locale/catalogues.py merge fr A.po B.po
                                    # take the translations of A.po, B.po into fr's .po

A plain script (no package import), so that the build hook (hatch_build.py), the make
target and the test of untranslated texts (tests/unit/test_i18n_catalogues.py) all use the
same extraction: babel.cfg's mapping and the keywords below. Equivalent command line:

    pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k pgettext:1c,2 \\
        -k npgettext:1c,2,3 -k N_ -k Invalid -k Conflict -k NotFound -k Forbidden \\
        -k TooLarge -k TooMany -k Unauthorized -k RuleError -o inmc_vote.pot .

English is a catalogue too, each text mapped to itself (filled in by `update`), so that
"untranslated" means the same in both languages.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]  # src/inmc_vote/web/locale → the repository
DOMAIN = "inmc_vote"
LANGUAGES = ("en", "fr")
# The refusals (RuleError and its kinds) take their sentence as first argument; N_ marks a
# sentence written in a table or a constant, translated where it is shown.
REFUSALS = ("Invalid", "Conflict", "NotFound", "Forbidden", "TooLarge", "TooMany")
KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "N_": None,
    **{name: None for name in (*REFUSALS, "Unauthorized", "RuleError")},
}


def po_path(language: str) -> Path:
    return HERE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def extract(root: Path = ROOT) -> Catalog:
    """Every text marked for translation in the source, as a template catalogue."""
    with (root / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    template = Catalog(project="inmc-vote", charset="utf-8", fuzzy=False)
    found = extract_from_dir(
        str(root),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        template.add(
            message,
            None,
            [(Path(filename).as_posix(), lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


def write(language: str, catalog: Catalog) -> None:
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=100, ignore_obsolete=True, include_previous=False)


def _same_as_source(message: Message) -> None:
    """English: the text is its own translation."""
    if isinstance(message.id, tuple | list):
        if not all(message.string or ()) or message.fuzzy:
            message.string = tuple(message.id)
    elif not message.string or message.fuzzy:
        message.string = message.id
    message.flags.discard("fuzzy")


def update(root: Path = ROOT) -> None:
    """Re-extract, merge into each `.po` (new texts empty, or fuzzy when close to an old
    one), fill English with the source texts, then compile."""
    for language in LANGUAGES:
        template = extract(root)  # afresh: `Catalog.update` adopts the template's messages
        if po_path(language).exists():
            catalog = read(language)
            catalog.update(template, update_header_comment=False)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, project="inmc-vote", fuzzy=False)
            catalog.update(template)
        if language == "en":
            for message in catalog:
                if message.id:
                    _same_as_source(message)
        write(language, catalog)
    compile_all()


def compile_all(languages: Iterable[str] = LANGUAGES) -> list[Path]:
    """Each `.po` compiled to its `.mo` (fuzzy entries left out: they show the source)."""
    written = []
    for language in languages:
        if not po_path(language).exists():
            continue
        catalog = read(language)
        with mo_path(language).open("wb") as file:
            write_mo(file, catalog, use_fuzzy=False)
        written.append(mo_path(language))
    return written


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return bool(message.id) and not message.fuzzy and all(strings)


def merge(language: str, sources: Iterable[Path]) -> tuple[int, int]:
    """Copy into `language`'s catalogue the translations the `sources` (PO files made
    apart, such as by translators) give for its texts not translated yet (a translation
    already there is kept), then compile. Returns how many were taken and how many of its
    texts remain untranslated."""
    catalog = read(language)
    taken = 0
    for source in sources:
        with Path(source).open("rb") as file:
            given = read_po(file, locale=language)
        for message in given:
            if not _translated(message):
                continue
            target = catalog.get(message.id, message.context)
            if target is None or _translated(target):
                continue
            target.string = message.string
            target.flags.discard("fuzzy")
            taken += 1
    write(language, catalog)
    compile_all([language])
    return taken, sum(1 for m in catalog if m.id and not _translated(m))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "merge" and len(sys.argv) > 3:
        taken, left = merge(sys.argv[2], [Path(p) for p in sys.argv[3:]])
        print(f"{taken} translations taken; {left} texts still to translate")
    else:
        sys.exit(f"usage: {sys.argv[0]} update | compile | merge LANGUAGE FILE.po...")
