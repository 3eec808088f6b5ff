"""The legal pages follow the operator's kind, in all six languages.

A public body (the committed sample, made real) rests everything on Art. 6(1)(e) GDPR
with its national basis, names its data protection officer, asks for no consent and
offers no portability; a private operator rests the request on Art. 6(1)(b) and the
logs, counters and cookie on (f). `operator check` enforces what each kind must give.
"""

import html as html_lib
import re

import pytest
from sqlalchemy import select

from tests.support.csrf import csrf_from
from tests.support.operators import PRIVATE_OPERATOR
from webapp.content.operator_details import EXAMPLE_FILE
from webapp.extensions import db
from webapp.models import ContactRequest

NBSP = "\u00a0"
LANGUAGES = ("de", "en", "pl", "cs", "hu", "ro")


def public_body_text() -> str:
    """The committed sample (a Saxon public body, all six languages), made real."""
    return EXAMPLE_FILE.read_text(encoding="utf-8").replace("sample = true\n", "")


OPERATOR_FILES = {"public-body": public_body_text, "private": lambda: PRIVATE_OPERATOR}

# How each language cites Art. 6(1)(x) GDPR.
CITATION = {
    "de": f"Art.{NBSP}6 Abs.{NBSP}1 Buchst.{NBSP}{{}} DSGVO",
    "en": "Article 6(1)({}) GDPR",
    "pl": f"art.{NBSP}6 ust.{NBSP}1 lit.{NBSP}{{}} RODO",
    "cs": f"čl.{NBSP}6 odst.{NBSP}1 písm.{NBSP}{{}}) GDPR",
    "hu": "a GDPR 6. cikk (1) bekezdésének {}) pontja",
    "ro": f"art.{NBSP}6 alin.{NBSP}(1) lit.{NBSP}({{}}) din RGPD",
}
PORTABILITY = {
    "de": f"(Art.{NBSP}20)",
    "en": "(Article 20)",
    "pl": f"(art.{NBSP}20)",
    "cs": f"(čl.{NBSP}20)",
    "hu": "(20. cikk)",
    "ro": f"(art.{NBSP}20)",
}
WITHDRAWAL = {
    "de": "widerrufen",
    "en": "withdraw",
    "pl": "wycofać",
    "cs": "odvolat",
    "hu": "visszavonhatja",
    "ro": "retrage",
}
TDDDG = "Telekommunikation-Digitale-Dienste-Datenschutz-Gesetz"


def cite(lang: str, letter: str) -> str:
    return CITATION[lang].format(letter)


def text_of(page: str) -> str:
    """The page as a reader sees it, links' addresses kept."""
    hrefs = " ".join(re.findall(r'href="([^"]*)"', page))
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"[ \t\r\n]+", " ", text) + " " + html_lib.unescape(hrefs)


@pytest.fixture
def operator_file(tmp_path):
    def write(kind: str, text: str | None = None):
        path = tmp_path / f"{kind}.toml"
        path.write_text(text if text is not None else OPERATOR_FILES[kind](), encoding="utf-8")
        return path

    return write


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", list(OPERATOR_FILES))
def test_the_legal_pages_follow_the_operators_kind(app_factory, operator_file, kind, lang):
    client = app_factory(OPERATOR_FILE=str(operator_file(kind))).test_client()
    privacy = text_of(client.get(f"/{lang}/privacy").get_data(as_text=True))
    imprint = text_of(client.get(f"/{lang}/imprint").get_data(as_text=True))
    statement = text_of(client.get(f"/{lang}/accessibility").get_data(as_text=True))
    form = client.get(f"/{lang}/help").get_data(as_text=True)

    # Both kinds: no consent anywhere, the TDDDG by its full name, the authority, the
    # person responsible for the content, the Leichte Sprache page.
    assert cite(lang, "a") not in privacy
    assert WITHDRAWAL[lang] not in privacy
    assert f"{TDDDG}, TDDDG" in privacy or f"{TDDDG} – TDDDG" in privacy
    assert "Sächsische Datenschutz- und Transparenzbeauftragte" in privacy
    assert 'type="checkbox"' not in form
    assert f'href="/{lang}/privacy"' in form
    assert "/de/leichte-sprache" in statement
    if kind == "public-body":
        assert cite(lang, "e") in privacy and "SächsDSDG" in privacy
        assert cite(lang, "f") not in privacy and cite(lang, "b") not in privacy
        assert PORTABILITY[lang] not in privacy
        assert "Max Mustermann" in privacy and "datenschutz@example.org" in privacy
        assert "Erika Mustermann, Musterstraße 1, 09999 Beispielstadt" in imprint
        assert "Landesdirektion Sachsen" in imprint
        assert "BfWebG" in statement and "BITV 2.0" in statement
        assert "Durchsetzungsstelle@sk.sachsen.de" in statement
        assert "dzb lesen" in statement
        assert "Sample data" not in imprint and "Beispieldaten" not in imprint
    else:
        assert cite(lang, "b") in privacy and cite(lang, "f") in privacy
        assert cite(lang, "e") not in privacy
        assert PORTABILITY[lang] in privacy
        assert "Jana Beispiel, Bahnhofstraße 12" in imprint
        assert "Überwachungsstelle Beispiel" in statement
        if lang not in ("de", "en"):
            # A text missing in this language shows the German original, never English.
            assert "eingetragener Verein" in imprint
            assert "registered association" not in imprint
            assert "Germany" not in imprint


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sample_speaks_every_language(app_factory, operator_file, lang):
    """The public-body sample gives every translatable value in all six languages."""
    client = app_factory(OPERATOR_FILE=str(operator_file("public-body"))).test_client()
    imprint = text_of(client.get(f"/{lang}/imprint").get_data(as_text=True))
    country = {
        "de": "Deutschland",
        "en": "Germany",
        "pl": "Niemcy",
        "cs": "Německo",
        "hu": "Németország",
        "ro": "Germania",
    }
    assert country[lang] in imprint


def test_the_privacy_notice_states_the_running_configuration(app_factory, operator_file):
    app = app_factory(
        OPERATOR_FILE=str(operator_file("private")),
        HELP_RATE_LIMIT="4 per minute;20 per day",
        HELP_STATUS_RATE_LIMIT="7 per hour",
        LOGIN_RATE_LIMIT="9 per minute",
        LOGIN_FREE_FAILURES=2,
        PURGE_AFTER_DAYS=90,
        SPAM_PURGE_AFTER_DAYS=12,
    )
    client = app.test_client()
    english = text_of(client.get("/en/privacy").get_data(as_text=True))
    for wanted in (
        "the help form: requests sent (at most 4 per minute, 20 per day)",
        "the status lookup: lookups sent (at most 7 per hour)",
        "the staff sign-in: failed sign-ins (at most 9 per minute)",
        "after 2 failed sign-ins",
        "90 days after its last change",
        "with the copies of the e-mails about it",
        "Requests that we mark as spam are deleted 12 days after their last change",
        "The web server’s logs are deleted after 14 days",
        "at most 24 hours",
        "one of the alliances",
    ):
        assert wanted in english, wanted
    german = text_of(client.get("/de/privacy").get_data(as_text=True))
    assert "höchstens 4 pro Minute, 20 pro Tag" in german
    assert f"12{NBSP}Tage nach ihrer letzten Änderung gelöscht" in german


def test_replies_read_from_the_mailbox_are_named_in_the_privacy_notice(app_factory, operator_file):
    path = str(operator_file("public-body"))
    without = text_of(app_factory(OPERATOR_FILE=path).test_client().get("/en/privacy").text)
    assert "your e-mail goes to the help desk" in without
    assert "files it with your request" not in without
    with_imap = app_factory(OPERATOR_FILE=path, IMAP_HOST="imap.example.org")
    text = text_of(with_imap.test_client().get("/en/privacy").text)
    assert "reads your e-mail from the help desk’s mailbox and files it with your request" in text


def test_third_country_transfers_come_from_the_operator_file(app_factory, operator_file):
    transfers = (
        'third_country_transfers = { de = "Der Mail-Dienst speichert in den USA '
        '(Angemessenheitsbeschluss).", en = "The mail service stores data in the USA '
        '(adequacy decision)." }'
    )
    path = operator_file(
        "public-body", public_body_text().replace('third_country_transfers = ""', transfers)
    )
    client = app_factory(OPERATOR_FILE=str(path)).test_client()
    text = text_of(client.get("/en/privacy").text)
    assert "The mail service stores data in the USA (adequacy decision)." in text
    assert "is not transferred to countries outside" not in text
    german = text_of(client.get("/pl/privacy").text)
    assert "Der Mail-Dienst speichert in den USA" in german  # German, not English


def test_the_statement_gives_reasons_alternatives_and_its_address(app_factory, operator_file):
    app = app_factory(
        OPERATOR_FILE=str(operator_file("public-body")),
        PUBLIC_BASE_URL="https://wir.example.org",
        HELP_REPLY_DAYS=5,
    )
    text = text_of(app.test_client().get("/en/accessibility").text)
    assert "This statement applies to https://wir.example.org/." in text
    assert "German Sign Language (DGS)" in text
    assert text.count("Reason: ") == 3 and text.count("Alternative: ") == 3
    assert "Reason: outside the scope of the law" in text
    assert "checked by hand" in text
    assert "We answer within 5 working days" in text
    assert "no answer within one month" in text
    assert "Monitoring body" in text


def check(app_factory, path):
    """`operator check` on `path`, from an app started on a complete file (a file that
    fails the check also stops the app from starting)."""
    app = app_factory(OPERATOR_FILE=str(EXAMPLE_FILE))
    app.config["OPERATOR_FILE"] = str(path)
    return app.test_cli_runner().invoke(args=["operator", "check"])


def test_operator_check_passes_the_complete_public_body(app_factory, operator_file):
    result = check(app_factory, operator_file("public-body"))
    assert result.exit_code == 0, result.output
    assert "public-body" in result.output
    assert "has no text in" not in result.output


def test_operator_check_fails_a_public_body_without_data_protection_officer(
    app_factory, operator_file
):
    text = re.sub(r"\[data_protection_officer\]\nname = .*\nemail = .*\n", "", public_body_text())
    result = check(app_factory, operator_file("public-body", text))
    assert result.exit_code != 0
    assert "'data_protection_officer.name' is missing or empty (a public-body operator" in (
        result.output
    )


def test_operator_check_fails_a_public_body_without_national_basis(app_factory, operator_file):
    text = re.sub(r"\nnational_basis = .*\n", "\n", public_body_text())
    result = check(app_factory, operator_file("public-body", text))
    assert result.exit_code != 0
    assert "'privacy.national_basis' is missing" in result.output


@pytest.mark.parametrize("kind", list(OPERATOR_FILES))
def test_operator_check_requires_the_person_responsible_and_the_authority(
    app_factory, operator_file, kind
):
    text = re.sub(r"\ncontent_responsible = .*\n", "\n", OPERATOR_FILES[kind]())
    text = re.sub(
        r"\[data_protection_authority\]\nname = .*\n", "[data_protection_authority]\n", text
    )
    result = check(app_factory, operator_file(kind, text))
    assert result.exit_code != 0
    assert "'provider.content_responsible' is missing" in result.output
    assert "'data_protection_authority.name' is missing" in result.output


def test_operator_check_warns_about_each_missing_language(app_factory, operator_file):
    result = check(app_factory, operator_file("private"))
    assert result.exit_code == 0, result.output
    assert "Warning: 'provider.legal_form' has no text in pl, cs, hu, ro; German is shown" in (
        result.output
    )


def test_operator_check_refuses_an_unknown_kind_and_a_text_without_german(
    app_factory, operator_file
):
    text = PRIVATE_OPERATOR.replace('kind = "private"', 'kind = "ngo"').replace(
        'legal_form = { de = "eingetragener Verein", en = "registered association" }',
        'legal_form = { en = "registered association" }',
    )
    result = check(app_factory, operator_file("private", text))
    assert result.exit_code != 0
    assert '\'kind\' must be "public-body" or "private"' in result.output
    assert "'provider.legal_form' has no German text (de)" in result.output


@pytest.mark.parametrize("kind", list(OPERATOR_FILES))
def test_the_help_form_works_without_consent_and_without_javascript(
    app_factory, operator_file, kind
):
    app = app_factory(OPERATOR_FILE=str(operator_file(kind)))
    client = app.test_client()
    page = client.get("/de/help").get_data(as_text=True)
    assert "Wir verwenden Ihre Angaben nur, um Ihre Anfrage zu beantworten." in page
    token = csrf_from(page)
    data = {
        "csrf_token": token,
        "name": "Jana",
        "email": "jana@example.org",
        "topic": "housing",
        "message": "Eine Frage zur Wohnungssuche in Zwickau.",
    }
    assert client.post("/de/help", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(ContactRequest.name)).all() == ["Jana"]


def test_operator_check_warns_without_the_public_address(app_factory, operator_file):
    path = operator_file("public-body")
    result = check(app_factory, path)
    assert "Warning: PUBLIC_BASE_URL is not set" in result.output
    app = app_factory(OPERATOR_FILE=str(path), PUBLIC_BASE_URL="https://wir.example.org")
    result = app.test_cli_runner().invoke(args=["operator", "check"])
    assert result.exit_code == 0 and "Warning" not in result.output
