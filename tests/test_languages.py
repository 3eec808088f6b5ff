"""Six languages for visitors, two for staff: what each side sees of a request's language.

Also the check that a page in Polish, Czech, Hungarian or Romanian shows no interface
text left in English or German: every text on the page (and every label a screen reader
reads) is compared with the English and German catalog entries that this language
translates differently.
"""

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from tests.support.csrf import csrf_from
from webapp.config import Defaults
from webapp.extensions import db
from webapp.models import ContactRequest

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
NEW_LANGUAGES = [code for code in Defaults.LANGUAGES if code not in ("de", "en")]
PAGES = [
    "/{lang}/",
    "/{lang}/initiatives/recomine",
    "/{lang}/initiatives/blockchain-mittweida",
    "/{lang}/initiatives/smarterz/summary",
    "/{lang}/imprint",
    "/{lang}/privacy",
    "/{lang}/accessibility",
    "/{lang}/help",
    "/{lang}/help/status",
    "/{lang}/no-such-page",
]
READ_ALOUD = ("aria-label", "title", "alt", "placeholder", "data-announce", "content")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


def polish_request(client, lang: str = "pl", **changes):
    html = client.get(f"/{lang}/help").get_data(as_text=True)
    token = csrf_from(html)
    data = {
        "name": "Katarzyna Wiśniewska",
        "email": "kasia@example.org",
        "topic": "job",
        "message": "Jestem spawaczką i szukam pracy w Zwickau.",
        "consent": "y",
        "csrf_token": token,
    }
    data.update(changes)
    return client.post(f"/{lang}/help", data=data)


@pytest.mark.parametrize("lang", Defaults.LANGUAGES)
def test_the_confirmation_in_every_language(app, client, lang):
    response = polish_request(client, lang=lang)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/{lang}/help/sent"
    page = client.get(f"/{lang}/help/sent")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    with app.app_context():
        item = db.session.scalars(select(ContactRequest)).one()
    assert item.language == lang
    assert f'<strong class="reference">{item.reference}</strong>' in html


def test_a_polish_request_keeps_its_language_and_staff_see_it_by_name(app, client, staff):
    response = polish_request(client)
    assert response.headers["Location"] == "/pl/help/sent"
    with app.app_context():
        item = db.session.scalars(select(ContactRequest)).one()
        request_id, language = item.id, item.language
    assert language == "pl"

    staff.login()
    listing = client.get("/admin/").get_data(as_text=True)
    assert '<th scope="col">Sprache</th>' in listing
    assert '<span lang="pl">Polski</span>' in listing
    detail = client.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    assert '<dd><span lang="pl">Polski</span></dd>' in detail
    body = client.get("/admin/export.csv").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert dict(zip(table[0], table[1], strict=True))["Sprache"] == "Polski"


@pytest.mark.parametrize("accept", ["pl-PL,pl;q=0.9", "hu", "ro-RO", "cs-CZ"])
def test_the_staff_area_stays_german_or_english(client, accept):
    html = client.get("/admin/login", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert '<html lang="de">' in html
    switch = re.findall(r'lang="(\w\w)">(\w+)</', html)
    assert sorted({code for code, _name in switch}) == ["de", "en"]
    english = client.get("/admin/login", headers={"Accept-Language": f"{accept},en;q=0.5"})
    assert '<html lang="en">' in english.get_data(as_text=True)


def test_the_staff_area_refuses_a_visitor_language(client):
    response = client.get("/admin/login?lang=pl")
    assert response.status_code == 200  # not remembered: no redirect, page stays German
    assert '<html lang="de">' in response.get_data(as_text=True)


class PageTexts(HTMLParser):
    """Every text node and every read-aloud attribute of a page, outside other languages."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack = [lang]
        self.page_lang = lang
        self.skip = 0
        self.texts: list[str] = []

    def _own_language(self) -> bool:
        return self.stack[-1] == self.page_lang

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang") or self.stack[-1]
        if lang == self.page_lang and tag != "html":
            for name in READ_ALOUD:
                if attrs.get(name):
                    self.texts.append(" ".join(attrs[name].split()))
        if tag in ("script", "style"):
            self.skip += 1
        if tag not in VOID:
            self.stack.append(lang)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if tag not in VOID and len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.skip and self._own_language():
            self.texts.append(text)


def catalog(lang: str) -> dict:
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def leftover_patterns(lang: str) -> list[re.Pattern]:
    """English and German texts this language translates differently, as whole-text patterns."""
    own, english, german = catalog(lang), catalog("en"), catalog("de")
    patterns = []
    for msgid, translation in own.items():
        for source in (english.get(msgid), german.get(msgid)):
            forms = source if isinstance(source, tuple) else (source,)
            mine = translation if isinstance(translation, tuple) else (translation,)
            for form in forms:
                if not form or form in mine or len(form) < 4:
                    continue
                parts = re.split(r"%\(\w+\)[sd]|%[sd]", form.replace("%%", "%"))
                patterns.append(re.compile(".+?".join(re.escape(p) for p in parts)))
    return patterns


@pytest.mark.parametrize("lang", NEW_LANGUAGES)
def test_no_english_or_german_left_in_the_interface(client, lang):
    patterns = leftover_patterns(lang)
    assert patterns, "the catalog translates nothing"
    for page in PAGES:
        parser = PageTexts(lang)
        parser.feed(client.get(page.format(lang=lang)).get_data(as_text=True))
        leftovers = sorted({text for text in parser.texts for p in patterns if p.fullmatch(text)})
        assert leftovers == [], f"{page.format(lang=lang)}: {leftovers}"


def test_the_leftover_check_finds_an_english_text():
    parser = PageTexts("pl")
    parser.feed('<p>Get help</p><a lang="en">English</a><nav aria-label="Legal information">')
    patterns = leftover_patterns("pl")
    found = {text for text in parser.texts for p in patterns if p.fullmatch(text)}
    assert found == {"Get help", "Legal information"}
