"""Any query string on any public or help page: never a 500, and the language links point at
the same page in the other language, keeping only the page's own query (i18n.OWN_QUERY).

The attack: `/de/?lang=en`, `/de/help?_external=1`, `/de/?_method=POST` and
`/de/help/status?lang=x` answered 500, and `/de/initiatives/recomine?slug=x` made the
language switch point at `/en/initiatives/x`, because the links passed the whole query
string into `url_for`.
"""

import html
import re
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from webapp.config import Defaults
from webapp.web.i18n import OWN_QUERY

LANGUAGES = list(Defaults.LANGUAGES)
SLUGS = ["recomine", "smarterz", "smart-rail-campus", "blockchain-mittweida"]
# What each URL argument of the public and help pages may be.
ARGUMENTS = {
    "lang": st.sampled_from(LANGUAGES),
    "slug": st.one_of(st.sampled_from(SLUGS), st.sampled_from(["x", "nope", "lang"])),
    "page": st.sampled_from(["imprint", "privacy", "accessibility"]),
}
# Names url_for and the views treat specially, and the pages' own ones.
NAMES = ["lang", "slug", "page", "_external", "_anchor", "_method", "_scheme", "reference"]
NAMES += ["topic", "q", "v", "next"]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
PARAMS = st.lists(st.tuples(st.one_of(st.sampled_from(NAMES), TEXT), TEXT), max_size=4)
SWITCH = re.compile(r'<a href="([^"]*)" hreflang="(\w\w)" lang="\w\w">(?!Leichte Sprache<)')
ALTERNATE = re.compile(r'<link rel="alternate" hreflang="(\w\w)" href="([^"]*)">')
# Pages that are a view of another page: their canonical and alternates are that page.
VIEWS_OF_THE_OVERVIEW = ("public.summary", "public.teaser")


def pages(app):
    """A GET page of the public and help blueprints, with values for its URL arguments."""
    rules = sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint.partition(".")[0] in ("public", "help")
        ),
        key=lambda rule: rule.rule,
    )
    assert {name for rule in rules for name in rule.arguments} <= set(ARGUMENTS)
    return st.sampled_from(rules).flatmap(
        lambda rule: st.fixed_dictionaries(
            {name: ARGUMENTS[name] for name in sorted(rule.arguments)}
        ).map(lambda values: (rule, values))
    )


def same_page(path: str, lang: str) -> str:
    """`path` (under /<lang>/) in `lang`."""
    return "/" + lang + "/" + path.split("/", 2)[2]


def check_language_links(endpoint: str, path: str, query: list, body: str) -> None:
    args = dict(reversed(query))  # the first value of each name, as request.args.get
    own = {name: args[name] for name in OWN_QUERY.get(endpoint, ()) if name in args}
    switch = SWITCH.findall(body)
    assert len(switch) == len(LANGUAGES) - 1, body[:400]
    for href, lang in switch:
        link = urlsplit(html.unescape(href))
        if endpoint == "public.easy_read" and lang != "de":
            expected = f"/{lang}/"
        else:
            expected = same_page(path, lang)
        assert link.path == expected, (href, path)
        assert dict(parse_qsl(link.query, keep_blank_values=True)) == own, (href, query)
        assert not link.fragment
    for lang, href in ALTERNATE.findall(body):
        link = urlsplit(html.unescape(href))
        if endpoint in VIEWS_OF_THE_OVERVIEW:
            expected = f"/{lang}/"
        else:
            expected = same_page(path, lang)
        assert (link.scheme, link.netloc, link.path, link.query) == (
            "http",
            "localhost",
            expected,
            "",
        )


@pytest.mark.parametrize(
    "url",
    [
        "/de/?lang=en",
        "/de/help?_external=1",
        "/de/?_method=POST",
        "/de/help/status?lang=x",
        "/de/?_anchor=x&_scheme=ftp",
        "/de/imprint?page=privacy",
    ],
)
def test_the_probed_query_strings_answer_the_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert 'hreflang="en" lang="en">English</a>' in response.get_data(as_text=True)


def test_a_slug_in_the_query_does_not_move_the_language_switch(client):
    body = client.get("/de/initiatives/recomine?slug=x").get_data(as_text=True)
    assert '<a href="/en/initiatives/recomine" hreflang="en" lang="en">' in body
    assert "/initiatives/x" not in body


def test_the_pages_own_query_is_kept_and_nothing_else(client):
    body = client.get("/de/help/status?reference=H-2026-000007&lang=en&x=1").get_data(as_text=True)
    assert '<a href="/pl/help/status?reference=H-2026-000007" hreflang="pl"' in body
    body = client.get("/en/help?topic=housing&next=//evil.example").get_data(as_text=True)
    assert '<a href="/cs/help?topic=housing" hreflang="cs"' in body
    assert "evil" not in body


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), query=PARAMS, htmx=st.booleans())
def test_any_query_on_any_page_is_no_server_error(app, data, query, htmx):
    rule, values = data.draw(pages(app))
    path = app.url_map.bind("localhost").build(rule.endpoint, values)
    url = path + ("?" + urlencode(query) if query else "")
    response = app.test_client().get(url, headers={"HX-Request": "true"} if htmx else {})
    assert response.status_code < 500, url
    body = response.get_data(as_text=True)
    if response.status_code in (200, 404) and "<html" in body:
        check_language_links(rule.endpoint, path, query, body)
