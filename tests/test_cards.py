"""The overview's cards (webapp/public/cards.py): in the page's language, open or closed,
under the mount point, shown anew when `content load` changes them."""

import re
from contextlib import contextmanager

from flask import template_rendered

from tests.support.content import NAME
from tests.support.content import load_file
from tests.support.content import renamed_file

HX = {"HX-Request": "true"}


@contextmanager
def card_renders(app):
    """The list of cards rendered while the block runs (Flask's template_rendered signal)."""
    rendered = []

    def record(sender, template, context, **extra):
        if template.name == "public/_card.html":
            rendered.append((context["initiative"].slug, context["expanded"]))

    template_rendered.connect(record, app)
    try:
        yield rendered
    finally:
        template_rendered.disconnect(record, app)


def squeezed(html: str) -> str:
    return re.sub(r"\s+>", ">", " ".join(html.split()))


def cards_of(html: str) -> list[str]:
    return re.findall(r'<article class="card".*?</article>', html, re.S)


def test_each_card_is_in_the_page_language(client):
    german = cards_of(client.get("/de/").get_data(as_text=True))
    english = cards_of(client.get("/en/").get_data(as_text=True))
    assert len(german) == len(english) == 4
    assert all("Mehr lesen" in card for card in german)
    assert all("Read more" in card and "Mehr lesen" not in card for card in english)


def test_an_open_card_is_kept_apart_from_the_closed_one(client):
    opened = cards_of(client.get("/en/initiatives/recomine/summary").get_data(as_text=True))
    closed = cards_of(client.get("/en/").get_data(as_text=True))
    assert len(opened) == len(closed) == 4
    assert ['aria-expanded="true"' in card for card in opened].count(True) == 1
    assert not any('aria-expanded="true"' in card for card in closed)
    assert 'id="card-recomine-summary"' in opened[0] and "card-summary" not in closed[0]
    # The other three cards are the same closed cards on both pages.
    assert opened[1:] == closed[1:]


def test_the_page_shows_the_cards_as_the_fragment_does_bar_the_announcement(client):
    """Same markup as the card htmx swaps in, which alone announces itself."""
    page = cards_of(client.get("/pl/initiatives/smarterz/summary").get_data(as_text=True))
    fragment = client.get("/pl/initiatives/smarterz/summary", headers=HX).get_data(as_text=True)
    shown = next(card for card in page if 'id="card-smarterz"' in card)
    swapped = re.sub(r"data-swap-focus data-announce=\"[^\"]*\"", "", fragment)
    assert squeezed(shown) == squeezed(swapped)


def test_cards_link_under_the_mount_point(client):
    root = client.get("/de/").get_data(as_text=True)
    mounted = client.get("/de/", base_url="http://localhost/wir").get_data(as_text=True)
    assert 'href="/de/initiatives/recomine"' in root
    assert 'href="/wir/de/initiatives/recomine"' in mounted
    assert 'href="/de/initiatives/recomine"' not in mounted


def test_content_load_shows_new_cards(app_factory, tmp_path):
    app = app_factory(CONTENT_CHECK_SECONDS=0)
    client = app.test_client()
    assert NAME in client.get("/en/").get_data(as_text=True)
    load_file(app, renamed_file(app, tmp_path, "Carded Anew"))
    with card_renders(app) as rendered:
        html = client.get("/en/").get_data(as_text=True)
    assert "Carded Anew" in html and f">{NAME}<" not in html
    assert len(rendered) == 4
