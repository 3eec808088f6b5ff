"""The public pages in all six languages, the redirect from /, 404s and htmx fragments."""

import re

import pytest

from webapp.config import Defaults

LANGUAGES = list(Defaults.LANGUAGES)

PAGES = [
    "/{lang}/",
    "/{lang}/initiatives/recomine",
    "/{lang}/initiatives/smarterz",
    "/{lang}/initiatives/smart-rail-campus",
    "/{lang}/initiatives/blockchain-mittweida",
    "/{lang}/imprint",
    "/{lang}/privacy",
    "/{lang}/accessibility",
    "/{lang}/help",
    "/{lang}/help/status",
]
HEADINGS = {
    "de": {"/{lang}/": "Die Zukunft beginnt jetzt", "/{lang}/privacy": "Datenschutz"},
    "en": {"/{lang}/": "The future begins now", "/{lang}/privacy": "Privacy"},
    "pl": {"/{lang}/": "Przyszłość zaczyna się teraz", "/{lang}/privacy": "Ochrona danych"},
    "cs": {"/{lang}/": "Budoucnost začíná teď", "/{lang}/privacy": "Ochrana osobních údajů"},
    "hu": {"/{lang}/": "A jövő most kezdődik", "/{lang}/privacy": "Adatvédelem"},
    "ro": {"/{lang}/": "Viitorul începe acum", "/{lang}/privacy": "Protecția datelor"},
}


def titles_and_descriptions(html: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
    return title, description


def test_six_languages_are_configured():
    assert LANGUAGES == ["de", "en", "pl", "cs", "hu", "ro"]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_in_every_language(client, lang, page):
    url = page.format(lang=lang)
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert f'<link rel="canonical" href="http://localhost{url}">' in html
    alternates = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
    expected = [(code, f"http://localhost{page.format(lang=code)}") for code in LANGUAGES]
    assert alternates == expected + [("x-default", f"http://localhost{page.format(lang='de')}")]
    # The switch: every other language, named in itself, keeping this page.
    for code in LANGUAGES:
        if code != lang:
            assert f'<a href="{page.format(lang=code)}" hreflang="{code}" lang="{code}">' in html
    assert f'<span aria-current="true" lang="{lang}">' in html
    heading = HEADINGS.get(lang, {}).get(page)
    if heading:
        assert heading in html
    assert (
        '<a class="easy-read" href="/de/leichte-sprache" hreflang="de" lang="de">'
        "Leichte Sprache</a>" in html
    )


def test_the_language_switch_names_each_language_in_itself(client):
    html = client.get("/hu/").get_data(as_text=True)
    names = re.findall(r'lang="(\w\w)">(Deutsch|English|Polski|Čeština|Magyar|Română)<', html)
    assert sorted(set(names)) == sorted(
        [
            ("de", "Deutsch"),
            ("en", "English"),
            ("pl", "Polski"),
            ("cs", "Čeština"),
            ("hu", "Magyar"),
            ("ro", "Română"),
        ]
    )
    # A disclosure, so it works without JavaScript and takes one line on a phone.
    assert re.search(r'<details class="lang-switch">\s*<summary>', html)


def test_an_open_card_links_to_the_overview_and_switches_to_the_open_card(client):
    """The overview with a card open is a view of the overview (its canonical); the switch
    keeps the card open and drops a query string that is not the page's own."""
    html = client.get("/en/initiatives/recomine/summary?from=%3Cmail%3E").get_data(as_text=True)
    assert '<link rel="canonical" href="http://localhost/en/">' in html
    assert 'hreflang="ro" href="http://localhost/ro/">' in html
    assert '<a href="/pl/initiatives/recomine/summary" hreflang="pl" lang="pl">' in html
    assert "mail" not in html


def test_leichte_sprache_is_a_german_page(client):
    response = client.get("/de/leichte-sprache")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "<h1>Leichte Sprache</h1>" in html
    for topic in ("Was ist WIR!?", "Was machen die 4 Bündnisse?", "Wie bekommen Sie Hilfe?"):
        assert topic in html
    assert 'href="/de/help?topic=barrier"' in html  # report a barrier
    alternates = re.findall(r'<link rel="alternate" hreflang="([^"]+)"', html)
    assert alternates == ["de", "x-default"]
    # Switching language from here leads to that language's overview.
    assert '<a href="/pl/" hreflang="pl" lang="pl">Polski</a>' in html


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "de"])
def test_leichte_sprache_in_another_language_leads_to_the_german_page(client, lang):
    response = client.get(f"/{lang}/leichte-sprache")
    assert response.status_code == 301
    assert response.headers["Location"] == "/de/leichte-sprache"


def test_titles_and_descriptions_differ_between_pages(client):
    seen = set()
    for page in PAGES:
        html = client.get(page.format(lang="en")).get_data(as_text=True)
        seen.add(titles_and_descriptions(html)[0])
    assert len(seen) == len(PAGES)


def test_german_overview_shows_german_texts(client):
    html = client.get("/de/").get_data(as_text=True)
    assert "Können wir helfen?" in html
    assert "Mehr lesen" in html
    assert "Read more" not in html
    assert html.count('class="card"') == 4


def test_english_overview_shows_english_texts(client):
    html = client.get("/en/").get_data(as_text=True)
    assert "Can we help you?" in html
    assert "Read more" in html
    assert "Mehr lesen" not in html


@pytest.mark.parametrize(
    ("accept", "target"),
    [
        ("en-GB,en;q=0.9", "/en/"),
        ("de-DE,de;q=0.9", "/de/"),
        ("pl-PL", "/pl/"),
        ("pl,cs;q=0.8", "/pl/"),
        ("cs", "/cs/"),
        ("hu-HU", "/hu/"),
        ("ro-RO", "/ro/"),
        ("ro-RO,en;q=0.5", "/ro/"),  # the primary subtag counts, in the browser's order
        ("sk,cs;q=0.7,en;q=0.3", "/cs/"),
        (None, "/de/"),
        ("fr", "/de/"),
        ("fr;q=1, en;q=0.5", "/en/"),
    ],
)
def test_root_redirects_by_accept_language(client, accept, target):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == target
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("url", "lang", "text"),
    [
        ("/en/initiatives/no-such-thing", "en", "Page not found"),
        ("/de/initiatives/no-such-thing", "de", "Seite nicht gefunden"),
        ("/en/nothing-here", "en", "Page not found"),
        ("/de/nichts", "de", "Seite nicht gefunden"),
        ("/pl/nic-tu-nie-ma", "pl", None),
        ("/hu/initiatives/no-such-thing", "hu", None),
    ],
)
def test_unknown_pages_are_404_in_the_right_language(client, url, lang, text):
    response = client.get(url)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert text is None or text in html
    assert 'class="site-footer"' in html


def test_unknown_language_is_404_in_the_browser_language(client):
    response = client.get("/fr/", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_summary_fragment_for_htmx_and_page_without(client, lang):
    url = f"/{lang}/initiatives/smarterz/summary"
    fragment = client.get(url, headers={"HX-Request": "true"})
    page = client.get(url)
    assert fragment.status_code == page.status_code == 200
    assert "HX-Request" in fragment.headers["Vary"]
    assert "HX-Request" in page.headers["Vary"]
    frag = fragment.get_data(as_text=True)
    assert "<html" not in frag
    assert frag.strip().startswith('<article class="card" id="card-smarterz"')
    assert 'aria-expanded="true"' in frag
    assert '<dl class="facts">' in frag
    full = page.get_data(as_text=True)
    assert full.startswith("<!doctype html>")
    assert 'aria-expanded="true"' in full  # that card is open on the full page too
    assert full.count('aria-expanded="false"') == 3


def test_teaser_fragment_collapses_the_card(client):
    response = client.get("/en/initiatives/smarterz/teaser", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'aria-expanded="false"' in html
    assert "<dl" not in html
    assert 'href="/en/initiatives/smarterz"' in html  # the no-JS link to the detail page


def test_history_restore_gets_the_full_page(client):
    response = client.get(
        "/en/initiatives/smarterz/summary",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert response.get_data(as_text=True).startswith("<!doctype html>")


def test_read_more_is_a_link_to_the_detail_page(client):
    html = client.get("/de/").get_data(as_text=True)
    assert re.search(
        r'<a class="toggle" href="/de/initiatives/recomine"\s+'
        r'data-hx-get="/de/initiatives/recomine/summary"',
        html,
    )


def test_detail_page_has_facts_link_and_way_back(client):
    html = client.get("/en/initiatives/smart-rail-campus").get_data(as_text=True)
    assert "<h1>Smart Rail Connectivity Campus</h1>" in html
    assert 'href="https://www.smart-rail-campus.de/"' in html
    assert 'href="/en/#card-smart-rail-campus"' in html
    assert "<dt>Partners</dt>" in html
    assert 'href="/en/help?topic=smart-rail-campus"' in html


def test_pages_load_nothing_from_other_hosts(client):
    for page in PAGES:
        html = client.get(page.format(lang="de")).get_data(as_text=True)
        loaded = re.findall(r'<(?:script|img|iframe)[^>]+src="([^"]+)"', html)
        loaded += re.findall(r'<link rel="(?:stylesheet|icon|preload)"[^>]+href="([^"]+)"', html)
        assert loaded, "expected the page's own CSS and JS"
        assert all(url.startswith("/static/") for url in loaded), loaded


def test_showcase_pages_set_no_cookie(client):
    for page in PAGES[:-2]:  # the help forms need a session for their CSRF token
        response = client.get(page.format(lang="en"))
        assert "Set-Cookie" not in response.headers, page
