"""The French and English catalogues hold every text of the source, translated, compiled.

The texts are extracted again from the source, as `make catalogues` does (babel.cfg and
the keywords of src/inmc_vote/web/locale/catalogues.py): a text missing from a catalogue,
an empty or fuzzy translation, or a translation whose `{name}` / `%(name)s` fields differ
from the source's, fails here. `make catalogues` adds new texts to both `.po` files (English
filled in with the source text); docs/languages.md says how to translate them.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import write_po

from inmc_vote.web import i18n

LOCALE = Path(i18n.__file__).parent / "locale"


def _load_catalogues() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogues", LOCALE / "catalogues.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("catalogues", module)
    spec.loader.exec_module(module)
    return module


catalogues = _load_catalogues()
FIELD = re.compile(r"(?<!\{)\{(\w+)[^{}]*\}(?!\})|%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")


@pytest.fixture(scope="module")
def source() -> Catalog:
    return catalogues.extract()


def fields(text: str) -> set[str]:
    return {a or b for a, b in FIELD.findall(text)}


def problems_of(message: Message, translated: Message | None) -> list[str]:
    """What is wrong with the translation of `message` (none: an empty list)."""
    if translated is None:
        return ["missing"]
    if translated.fuzzy:
        return ["fuzzy"]
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    strings = (
        translated.string if isinstance(translated.string, tuple | list) else (translated.string,)
    )
    if not all(strings):
        return ["untranslated"]
    expected = set().union(*(fields(i) for i in ids))
    found = []
    for string in strings:
        if not fields(string) <= expected:
            found.append(f"fields {sorted(fields(string) - expected)} not in the source")
    # The plural form keeps every field of the source's plural (the count may be implied
    # in a singular such as "one ballot").
    if not fields(ids[-1]) <= fields(strings[-1]):
        found.append(f"fields {sorted(fields(ids[-1]) - fields(strings[-1]))} missing")
    if message.python_format:  # filled in with %: a lone % (not %%) would break the page
        for string in strings:
            try:
                string % _AnyValue()
            except (ValueError, TypeError) as error:
                found.append(f"not a valid %-format ({error})")
    return found


class _AnyValue(dict[str, int]):
    """A mapping with a number for every field, to try a %-format."""

    def __missing__(self, key: str) -> int:
        return 1


@pytest.mark.parametrize("language", catalogues.LANGUAGES)
def test_every_text_of_the_source_is_translated(source, language):
    catalog = catalogues.read(language)
    untranslated = []
    for message in source:
        if not message.id:
            continue
        translated = catalog.get(message.id, message.context)
        for problem in problems_of(message, translated):
            where = message.locations[0] if message.locations else ("?", 0)
            untranslated.append(f"{where[0]}:{where[1]}: {problem}: {message.id!r}")
    assert not untranslated, (
        f"{len(untranslated)} texts are not translated in {language} (run `make catalogues`, "
        "then translate them: docs/languages.md):\n" + "\n".join(untranslated[:60])
    )


def test_the_check_finds_missing_empty_fuzzy_and_wrong_fields():
    ok = Message("{count} rows", "{count} lignes")
    assert problems_of(Message("{count} rows"), ok) == []
    assert problems_of(Message("{count} rows"), None) == ["missing"]
    assert problems_of(Message("{count} rows"), Message("{count} rows", "")) == ["untranslated"]
    fuzzy = Message("{count} rows", "{count} lignes", flags=["fuzzy"])
    assert problems_of(Message("{count} rows"), fuzzy) == ["fuzzy"]
    wrong = Message("{count} rows", "{nombre} lignes")
    assert problems_of(Message("{count} rows"), wrong) == [
        "fields ['nombre'] not in the source",
        "fields ['count'] missing",
    ]
    plural = Message(("%(num)d ballot", "%(num)d ballots"))
    forms = Message(plural.id, ("un bulletin", "%(num)d bulletins", "%(num)d bulletins"))
    assert problems_of(plural, forms) == []
    assert problems_of(plural, Message(plural.id, ("un", "", "%(num)d"))) == ["untranslated"]
    assert fields("{{literal}} {name} {size:.1f} %(n)d %(who)s") == {"name", "size", "n", "who"}
    percent = Message("%(n)d%% of the cities")
    assert problems_of(percent, Message(percent.id, "%(n)d %% des villes")) == []
    [broken] = problems_of(percent, Message(percent.id, "%(n)d % des villes"))
    assert broken.startswith("not a valid %-format")


def test_each_catalogue_is_compiled_and_up_to_date():
    """pip install (the build hook, hatch_build.py) or `make catalogues` compiles them."""
    for language in catalogues.LANGUAGES:
        po, mo = catalogues.po_path(language), catalogues.mo_path(language)
        assert mo.exists(), f"{mo} is missing: run `make catalogues` (or pip install -e .)"
        assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is older than {po}"


def test_the_extraction_finds_templates_refusals_and_marked_words(source):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in source}
    assert "Skip to content" in ids  # base.html
    assert "The closing time must come after the opening time." in ids  # N_ in domain
    assert "There is nothing at this address." in ids  # N_ in web/errors.py
    assert "Cancelled" in ids  # web/pages/words.py (N_), translated at render time
    assert "The title is longer than {maximum} characters." in ids  # Invalid("…", …)


def test_translations_made_apart_are_merged_into_the_catalogue(tmp_path, monkeypatch):
    monkeypatch.setattr(catalogues, "HERE", tmp_path)
    ours = Catalog(locale="fr", domain="inmc_vote")
    ours.add("Ballots")
    ours.add("Vote")
    ours.add("Language", "Langue")  # translated already: kept
    ours.add(("%(num)d city", "%(num)d cities"))
    catalogues.write("fr", ours)
    theirs = Catalog(locale="fr")
    theirs.add("Ballots", "Scrutins")
    theirs.add("Vote", "Voter", flags=["fuzzy"])  # not checked yet: left out
    theirs.add(("%(num)d city", "%(num)d cities"), ("%(num)d ville", "%(num)d villes", "x"))
    theirs.add("Gone", "Parti")  # no longer in the source
    theirs.add("Language", "Idiome")
    given = tmp_path / "given.po"
    with given.open("wb") as file:
        write_po(file, theirs)

    assert catalogues.merge("fr", [given]) == (2, 1)

    merged = catalogues.read("fr")
    assert merged.get("Ballots").string == "Scrutins"
    assert merged.get("Vote").string == ""
    assert merged.get("Gone") is None
    assert merged.get("Language").string == "Langue"
    assert catalogues.mo_path("fr").exists()
