"""Every string is translated, in every configured language.

For each language in LANGUAGES: a catalog exists, no entry is empty or fuzzy, every
placeholder matches the msgid (babel's own checkers, as `pybabel compile` runs them),
and the Plural-Forms header fits the language (Polish, Czech, Romanian three forms,
Hungarian two, German and English two).
"""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from webapp.config import Defaults

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LANGUAGES = list(Defaults.LANGUAGES)
PLURAL_FORMS = {"de": 2, "en": 2, "pl": 3, "cs": 3, "hu": 2, "ro": 3}


def load(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def test_every_configured_language_has_a_catalog():
    missing = [
        lang
        for lang in LANGUAGES
        if not (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").is_file()
    ]
    assert missing == []
    assert set(PLURAL_FORMS) == set(LANGUAGES), "name the plural count of each new language"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_complete(lang):
    catalog = load(lang)
    untranslated = [
        m.id
        for m in catalog
        if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    assert len(catalog) > 50


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_the_msgid(lang):
    problems = [
        (message.id, [str(error) for error in errors])
        for message, errors in load(lang).check()
        if errors
    ]
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_fit_the_language(lang):
    catalog = load(lang)
    header = dict(catalog.mime_headers)["Plural-Forms"]
    assert header.startswith(f"nplurals={PLURAL_FORMS[lang]};"), header
    for message in catalog:
        if message.id and message.pluralizable:
            assert len(message.string) == PLURAL_FORMS[lang], message.id


def test_every_catalog_has_the_same_entries():
    """`make messages` updates all of them: none lags behind the German one."""
    ids = {lang: {m.id for m in load(lang) if m.id} for lang in LANGUAGES}
    for lang in LANGUAGES:
        assert ids[lang] == ids["de"], lang
