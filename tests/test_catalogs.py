"""Every string is translated: no empty and no fuzzy entry in any catalog."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOGS = sorted(Path(__file__).resolve().parent.parent.glob("translations/*/LC_MESSAGES/*.po"))


def test_both_languages_have_a_catalog():
    assert {path.parts[-3] for path in CATALOGS} >= {"de", "en"}


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_catalog_is_complete(path):
    with path.open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [
        m.id
        for m in catalog
        if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    assert len(catalog) > 50
