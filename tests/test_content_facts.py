"""The facts and wording an editor checked, pinned in both languages as visitors read them.

Each test names the slip it guards against (issue 9): a fact overstated, a name that
breaks the grammar of a link, a missing non-breaking space, a straight quote.
"""

import html as html_lib
import re

import pytest

NBSP = "\u00a0"
SLUGS = ("recomine", "smarterz", "smart-rail-campus", "blockchain-mittweida")
PUBLIC = ["/{lang}/", "/{lang}/help", "/{lang}/imprint", "/{lang}/privacy", "/{lang}/accessibility"]
PUBLIC += [f"/{{lang}}/initiatives/{slug}" for slug in SLUGS]


def visible_text(page: str) -> str:
    """What a reader sees: the body without tags, scripts or attributes, entities decoded."""
    body = page.split("<body", 1)[1]
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


def fact_box(page: str) -> dict[str, str]:
    """The initiative's fact box as {label: value}."""
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page, re.S)
    return {html_lib.unescape(k): html_lib.unescape(v) for k, v in pairs}


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "label", "coordinator"),
    [
        ("de", "Partner", "Koordination: Helmholtz-Institut Freiberg (HIF);"),
        ("en", "Partners", "Coordinator: Helmholtz Institute Freiberg (HIF);"),
    ],
)
def test_recomine_is_coordinated_by_hif_alone(client, lang, label, coordinator):
    page = get(client, f"/{lang}/initiatives/recomine")
    partners = fact_box(page)[label]
    assert partners.startswith(coordinator)
    assert "TU Bergakademie Freiberg" in partners.split(";", 1)[1]  # a partner, not coordinator
    meta = re.search(r'<p class="meta">(.*?)</p>', page, re.S).group(1)
    assert "TU Bergakademie" not in meta  # the lead line names only the coordinator
    assert "und TU Bergakademie Freiberg" not in page
    assert "and TU Bergakademie Freiberg" not in page


@pytest.mark.parametrize("lang", ["de", "en"])
def test_smarterz_link_names_the_site_it_leads_to(client, lang):
    page = get(client, f"/{lang}/initiatives/smarterz")
    link = re.search(r'<a href="(https://[^"]+)" rel="noopener external">(.*?)<span', page)
    assert link.group(1) == "https://www.wfe-erzgebirge.de/"
    assert link.group(2) == "Website: www.wfe-erzgebirge.de"
    assert "Wirtschaftsförderung Erzgebirge" in visible_text(page)
    assert "Offizielle Website" not in page and "Official website" not in page


@pytest.mark.parametrize(
    ("lang", "label", "funding", "summary"),
    [
        (
            "de",
            "Förderung",
            f"Bis zu 15{NBSP}Mio.{NBSP}€ über etwa fünf Jahre, davon 7{NBSP}Mio.{NBSP}€ "
            "nach der Zwischenbewertung",
            f"Sie gehören zu den höchstens 15{NBSP}Mio.{NBSP}€, die das Programm einem "
            "Bündnis geben kann.",
        ),
        (
            "en",
            "Funding",
            f"Up to EUR{NBSP}15{NBSP}million over about five years, of which EUR{NBSP}7"
            f"{NBSP}million came after the interim review",
            f"This is part of the programme’s maximum of EUR{NBSP}15{NBSP}million per alliance.",
        ),
    ],
)
def test_blockchain_seven_million_are_part_of_the_fifteen(client, lang, label, funding, summary):
    page = get(client, f"/{lang}/initiatives/blockchain-mittweida")
    assert fact_box(page)[label] == funding
    assert summary in visible_text(page)
    assert "weitere 7 Mio" not in fact_box(page)[label]


@pytest.mark.parametrize(
    ("lang", "cautious"),
    [
        (
            "de",
            [
                f"Nach Angaben des Bündnisses wurde im April{NBSP}2023",
                "nach eigenen Angaben später über 150",
                "das nach Angaben der Hochschule 2017 gegründet wurde",
            ],
        ),
        (
            "en",
            [
                "According to the alliance, a research building",
                "according to the alliance, over 150 later",
                "founded in 2017 according to the university",
            ],
        ),
    ],
)
def test_secondary_facts_are_worded_cautiously(client, lang, cautious):
    text = visible_text(get(client, f"/{lang}/initiatives/smart-rail-campus"))
    text += visible_text(get(client, f"/{lang}/initiatives/blockchain-mittweida"))
    assert [phrase for phrase in cautious if phrase not in text] == []


@pytest.mark.parametrize(
    ("lang", "wanted"),
    [
        ("de", [f"15{NBSP}Mio.{NBSP}€", f"1.{NBSP}April{NBSP}2019", f"25{NBSP}km"]),
        ("en", [f"EUR{NBSP}15{NBSP}million", f"1{NBSP}April{NBSP}2019", f"25{NBSP}km"]),
    ],
)
def test_numbers_and_units_stay_on_one_line(client, lang, wanted):
    text = " ".join(visible_text(get(client, url.format(lang=lang))) for url in PUBLIC)
    assert [w for w in wanted if w not in text] == []
    broken = re.findall(r"\d (?:Mio\.|million|km\b)|Mio\. €|EUR \d|\d\. April|Art\. \d|§ \d", text)
    assert broken == []


@pytest.mark.parametrize("url", PUBLIC)
def test_english_uses_curly_quotes(client, url):
    text = visible_text(get(client, url.format(lang="en")))
    assert re.findall(r".{0,20}[\"'].{0,20}", text) == []


@pytest.mark.parametrize("url", PUBLIC)
def test_one_word_for_an_alliance_and_no_anglicisms(client, url):
    german = visible_text(get(client, url.format(lang="de")))
    english = visible_text(get(client, url.format(lang="en")))
    assert "Initiative" not in german
    assert "initiative" not in english.lower()
    assert "Management" not in german
    assert not re.search(r"\bStart\b", german)


def test_funding_start_is_called_foerderbeginn(client):
    assert "Förderbeginn" in fact_box(get(client, "/de/initiatives/recomine"))
    assert "Start of funding" in fact_box(get(client, "/en/initiatives/recomine"))


@pytest.mark.parametrize(
    ("lang", "wanted", "unwanted"),
    [
        (
            "de",
            "Fragen Sie uns (Thema: Blockchain-Schaufensterregion Mittweida)",
            "Fragen Sie uns zu Blockchain",
        ),
        (
            "en",
            "Ask us a question (topic: Blockchain Showcase Region Mittweida)",
            "Ask us about Blockchain",
        ),
    ],
)
def test_link_texts_fit_any_name(client, lang, wanted, unwanted):
    page = get(client, f"/{lang}/initiatives/blockchain-mittweida")
    assert wanted in visible_text(page)
    assert unwanted not in page
    assert "Website: blockchain-mittweida.com" in visible_text(page)


def test_english_footer_says_legal_notice(client):
    page = get(client, "/en/")
    assert ">Legal notice</a>" in page
    assert "Imprint" not in page


def test_the_other_topic_is_called_sonstiges(client):
    page = get(client, "/de/help")
    assert '<option value="other">Sonstiges</option>' in page
    assert "Etwas anderes" not in page


@pytest.mark.parametrize(
    ("lang", "fixed", "old"),
    [
        (
            "de",
            "Rund 14\u00a0Mio.\u00a0€ Fördergeld gingen an 17 Projekte.",
            "In 17 Projekten flossen",
        ),
        ("de", "Wie jeder Webserver zeichnet auch der Server dieser Website", "speichert unserer"),
        (
            "en",
            "we delete it, with the copies of the e-mails about it, 365 days after its last change",
            "one year after we have closed it",
        ),
        ("en", "We use your details only to answer your request.", "I agree that my"),
    ],
)
def test_the_sentences_an_editor_flagged_are_rewritten(client, lang, fixed, old):
    pages = ["/initiatives/smarterz", "/privacy", "/help"]
    text = " ".join(visible_text(get(client, f"/{lang}{page}")) for page in pages)
    assert fixed in text
    assert old not in text


@pytest.mark.parametrize("lang", ["de", "en"])
def test_privacy_names_the_help_form_cookie(client, lang):
    text = visible_text(get(client, f"/{lang}/privacy"))
    assert "“session”" in text or "„session“" in text
    assert "Reading the pages sets no cookies" not in text
    cookie = client.get(f"/{lang}/help").headers["Set-Cookie"]
    assert cookie.startswith("session=") and "Expires" not in cookie  # gone with the browser
    assert "Set-Cookie" not in client.get(f"/{lang}/").headers


# Every public page that sets the cookie, and how the privacy notice names it.
COOKIE_PAGES = {
    "/help": {"de": "das Hilfeformular:", "en": "the help form:"},
    "/help/status": {
        "de": "die Statusabfrage einer Anfrage:",
        "en": "the status lookup for a request:",
    },
}


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_public_page_that_sets_a_cookie_is_named_in_the_privacy_notice(client, lang):
    """Crawls the public pages a visitor reaches from the overview and the footer."""
    privacy = visible_text(get(client, f"/{lang}/privacy"))
    pages = [page.format(lang=lang) for page in PUBLIC] + [
        f"/{lang}/help/status",
        f"/{lang}/help/status?reference=H-2026-000001",
        "/de/leichte-sprache",
    ]
    setting = set()
    for url in pages:
        client.delete_cookie("session")
        if "Set-Cookie" in client.get(url).headers:
            setting.add(url.split("?")[0].removeprefix(f"/{lang}"))
    assert setting == set(COOKIE_PAGES)
    for page, names in COOKIE_PAGES.items():
        assert names[lang] in privacy, page


@pytest.mark.parametrize("lang", ["de", "en"])
def test_imprint_does_not_say_who_runs_the_campaign_or_the_site(client, lang):
    text = visible_text(get(client, f"/{lang}/imprint"))
    assert "together with the City of Chemnitz" not in text
    assert "gemeinsam mit der Stadt Chemnitz" not in text
    assert "IHK Chemnitz" in text and "HWK Chemnitz" in text and "DGB Südwestsachsen" in text
    assert "This website is run for the J-Team" not in text
