"""Imprint, privacy notice and accessibility statement from the operator's details.

With a filled-in operator.toml every required item appears on its page in both
languages; with the committed sample every page says it is not configured; in
production mode (OPERATOR_REQUIRED, as `make serve` sets) the app refuses the sample.
"""

import html as html_lib
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.csrf import csrf_from
from tests.support.operators import FILLED_OPERATOR
from webapp import create_app
from webapp.content.operator_details import EXAMPLE_FILE
from webapp.content.operator_details import OperatorError
from webapp.extensions import db
from webapp.mail import outbox
from webapp.mail.kinds import Kind
from webapp.models import OutboxMessage

NBSP = "\u00a0"
# A private operator (an association) with German and English texts only.
FILLED = FILLED_OPERATOR


# Every required item, the words a visitor reads, per page and language.
ITEMS = {
    "imprint": {
        "both": [
            "Zukunftsverein Erzgebirge e. V.",
            "Bahnhofstraße 12",
            "09456 Annaberg-Buchholz",
            "impressum@zukunft.example",
            f"+49{NBSP}3733{NBSP}123456",
            "VR 4711, Amtsgericht Chemnitz",
            "Landesdirektion Sachsen",
            "DE999999999",
            "Jana Beispiel",
        ],
        "de": ["Impressum", "eingetragener Verein", "Deutschland", f"§{NBSP}5"],
        "en": ["Legal notice", "registered association", "Germany", "section 5"],
    },
    "privacy": {
        "both": [
            "Zukunftsverein Datenstelle",
            "Marktplatz 3",
            "09111 Chemnitz",
            "daten@zukunft.example",
            "Tom Schutz",
            "dsb@zukunft.example",
            "Sachsen-Server AG, Serverstraße 1, 01067 Dresden",
            "Post-Dienst GmbH, Briefweg 5, 04109 Leipzig",
            "Sächsische Datenschutz- und Transparenzbeauftragte",
            "Postfach 11 01 32, 01330 Dresden",
            "post@sdtb.sachsen.de",
            "session",
        ],
        "de": [
            f"nach 14{NBSP}Tagen gelöscht",
            f"höchstens 24{NBSP}Stunden",
            f"200{NBSP}Tage nach ihrer letzten Änderung",
            f"gültig für 60{NBSP}Minuten",
            f"Art.{NBSP}15 DSGVO",
            f"Art.{NBSP}21",
            f"Art.{NBSP}6 Abs.{NBSP}1 Buchst.{NBSP}b DSGVO",
            f"Art.{NBSP}6 Abs.{NBSP}1 Buchst.{NBSP}f DSGVO",
            f"§{NBSP}25 Abs.{NBSP}2 Nr.{NBSP}2",
            "nicht in Länder außerhalb der Europäischen Union",
            "keine automatisierten Entscheidungen",
            "Pflichtangaben",
            f"28.{NBSP}November{NBSP}2026",
        ],
        "en": [
            "deleted after 14 days",
            "at most 24 hours",
            "200 days after its last change",
            "valid for 60 minutes",
            "Article 15 GDPR",
            "to object (Article 21)",
            "Article 6(1)(b) GDPR",
            "Article 6(1)(f) GDPR",
            "section 25(2) no. 2",
            "not transferred to countries outside the European Union",
            "no automated decisions",
            "(required)",
            f"28{NBSP}November{NBSP}2026",
        ],
    },
    "accessibility": {
        "both": [
            "Zukunftsverein Erzgebirge e. V.",
            "impressum@zukunft.example",
            "Amtsweg 9, 01097 Dresden",
            "schlichtung@behoerde.example",
            "/help?topic=barrier",
            "Überwachungsstelle Beispiel",
            "/de/leichte-sprache",
        ],
        "de": [
            "teilweise vereinbar",
            "BITV",
            "Gebärdensprache",
            f"2.{NBSP}März{NBSP}2026",
            f"15.{NBSP}Oktober{NBSP}2026",
            "Schlichtungsstelle Barrierefreiheit",
            "Durchsetzungsstelle",
        ],
        "en": [
            "partially compliant",
            "BITV",
            "Sign Language",
            f"2{NBSP}March{NBSP}2026",
            f"15{NBSP}October{NBSP}2026",
            "Accessibility conciliation body",
            "enforcement body",
        ],
    },
}
SAMPLE_NOTICE = {"de": "Beispieldaten – nicht eingerichtet", "en": "Sample data – not configured"}


def text_of(page: str) -> str:
    """The page as a reader sees it, links' addresses kept (they are part of what counts)."""
    hrefs = " ".join(re.findall(r'href="([^"]*)"', page))
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page)) + " " + html_lib.unescape(hrefs)


@pytest.fixture
def filled(tmp_path) -> Path:
    path = tmp_path / "operator.toml"
    path.write_text(FILLED, encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("page", list(ITEMS))
def test_a_filled_in_operator_file_shows_every_required_item(app_factory, filled, page, lang):
    app = app_factory(OPERATOR_FILE=str(filled), PURGE_AFTER_DAYS=200)
    response = app.test_client().get(f"/{lang}/{page}")
    assert response.status_code == 200
    text = text_of(response.get_data(as_text=True))
    missing = [item for item in ITEMS[page]["both"] + ITEMS[page][lang] if item not in text]
    assert missing == []
    assert SAMPLE_NOTICE[lang] not in text


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("page", list(ITEMS))
def test_without_the_operator_file_every_statutory_page_says_sample_data(
    app_factory, tmp_path, page, lang
):
    app = app_factory(OPERATOR_FILE=str(tmp_path / "not-there.toml"))
    text = text_of(app.test_client().get(f"/{lang}/{page}").get_data(as_text=True))
    assert SAMPLE_NOTICE[lang] in text
    assert "Zweckverband Beispielregion Südwestsachsen" in text  # the sample, clearly invented


def test_the_committed_sample_is_marked_as_sample():
    assert re.search(r"^sample = true$", EXAMPLE_FILE.read_text(encoding="utf-8"), re.M)


def test_production_mode_refuses_the_sample_a_missing_file_and_no_public_address(
    make_config, db_path, filled
):
    uri = f"sqlite:///{db_path}"
    with pytest.raises(OperatorError, match="does not exist"):
        create_app(make_config(uri, OPERATOR_REQUIRED=True, OPERATOR_FILE=str(filled) + ".x"))
    with pytest.raises(OperatorError, match="sample = true"):
        create_app(make_config(uri, OPERATOR_REQUIRED=True, OPERATOR_FILE=str(EXAMPLE_FILE)))
    with pytest.raises(OperatorError, match="PUBLIC_BASE_URL is not set"):
        create_app(make_config(uri, OPERATOR_REQUIRED=True, OPERATOR_FILE=str(filled)))
    app = create_app(
        make_config(
            uri,
            OPERATOR_REQUIRED=True,
            OPERATOR_FILE=str(filled),
            PUBLIC_BASE_URL="https://wir.example.org",
        )
    )
    assert app.test_client().get("/de/imprint").status_code == 200


def test_operator_check_explains_what_is_missing(app_factory, filled, tmp_path):
    missing = app_factory(OPERATOR_FILE=str(tmp_path / "new" / "operator.toml")).test_cli_runner()
    result = missing.invoke(args=["operator", "check"])
    assert result.exit_code != 0
    assert "operator.toml does not exist" in result.output
    assert "operator.example.toml" in result.output
    sample = app_factory(OPERATOR_FILE=str(EXAMPLE_FILE)).test_cli_runner()
    result = sample.invoke(args=["operator", "check"])
    assert result.exit_code != 0
    assert "still says 'sample = true'" in result.output
    good = app_factory(OPERATOR_FILE=str(filled)).test_cli_runner()
    result = good.invoke(args=["operator", "check"])
    assert result.exit_code == 0, result.output
    assert "Zukunftsverein Erzgebirge e. V." in result.output


def test_an_incomplete_file_names_each_missing_item(make_config, db_path, tmp_path):
    path = tmp_path / "operator.toml"
    text = (
        FILLED.replace('email = "impressum@zukunft.example"', "")
        .replace('status = "partially"', 'status = "mostly"')
        .replace("server_log_days = 14", 'server_log_days = "14"')
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OperatorError) as caught:
        create_app(make_config(f"sqlite:///{db_path}", OPERATOR_FILE=str(path)))
    assert str(path) in str(caught.value)
    assert "'provider.email' is missing" in str(caught.value)
    assert "'accessibility.status' must be" in str(caught.value)
    assert "'privacy.server_log_days' must be a whole number" in str(caught.value)


def test_a_fully_compliant_statement_lists_no_barriers(app_factory, tmp_path):
    path = tmp_path / "operator.toml"
    path.write_text(FILLED.replace('status = "partially"', 'status = "fully"'), "utf-8")
    app = app_factory(OPERATOR_FILE=str(path))
    text = text_of(app.test_client().get("/en/accessibility").get_data(as_text=True))
    assert "fully compliant" in text
    assert "partially compliant" not in text
    assert "Sign Language" not in text


def mails_after_a_request(app) -> dict[str, str]:
    """Send one request through the help form; return {kind: body} of the queued e-mails,
    their bodies as the sender writes them."""
    client = app.test_client()
    form = client.get("/en/help").get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(form),
        "name": "Ada",
        "email": "ada@example.org",
        "topic": "job",
        "message": "A question about a job in Chemnitz.",
        "consent": "y",
    }
    assert client.post("/en/help", data=data).status_code == 303
    with app.app_context():
        return {m.kind: outbox.text_of(m)[1] for m in db.session.scalars(select(OutboxMessage))}


def test_every_mail_ends_with_the_operator_footer(app_factory, filled):
    mails = mails_after_a_request(app_factory(OPERATOR_FILE=str(filled)))
    assert set(mails) >= {Kind.STAFF_NOTIFICATION, Kind.CONFIRMATION}
    for kind, body in mails.items():
        assert body.splitlines()[-5:] == [
            "-- ",
            "Zukunftsverein Erzgebirge e. V.",
            "Bahnhofstraße 12",
            "09456 Annaberg-Buchholz",
            "impressum@zukunft.example",
        ], kind


def test_a_mail_with_sample_data_says_so_in_its_language(app_factory, tmp_path):
    mails = mails_after_a_request(app_factory(OPERATOR_FILE=str(tmp_path / "none.toml")))
    assert mails[Kind.STAFF_NOTIFICATION].splitlines()[-1] == "[Beispieldaten – nicht eingerichtet]"
    assert mails[Kind.CONFIRMATION].splitlines()[-1] == "[Sample data – not configured]"


@pytest.mark.parametrize(
    ("lang", "label"), [("de", "Eine Barriere"), ("en", "Reporting a barrier")]
)
def test_the_help_form_preselects_the_barrier_topic(client, lang, label):
    page = client.get(f"/{lang}/help?topic=barrier").get_data(as_text=True)
    assert re.search(rf'<option selected value="barrier">{label}', page)


def test_purge_and_the_privacy_notice_use_the_same_retention(app_factory, filled):
    app = app_factory(OPERATOR_FILE=str(filled), PURGE_AFTER_DAYS=45)
    result = app.test_cli_runner().invoke(args=["requests", "purge"])
    assert "more than 45 days ago" in result.output
    text = text_of(app.test_client().get("/en/privacy").get_data(as_text=True))
    assert "45 days after its last change" in text


# The section on the e-mails a request causes, in every language: what the confirmation
# holds, the reply promise and the daily limit from the settings, and that the copies
# kept in the outbox go with the request.
EMAIL_SECTION = {
    "de": [
        "E-Mails zu Ihrer Anfrage",
        "Bestätigung",
        f"innerhalb von 4{NBSP}Arbeitstagen",
        f"höchstens 2{NBSP}Bestätigungen am Tag",
        "weder Ihren Namen noch Ihre Nachricht",
        "zusammen mit Ihrer Anfrage gelöscht",
    ],
    "en": [
        "E-mails about your request",
        "confirmation",
        "within 4 working days",
        "at most 2 confirmations a day",
        "neither your name nor your message",
        "deleted together with your request",
    ],
    "pl": [
        "Wiadomości e-mail dotyczące zgłoszenia",
        "potwierdzenie",
        f"w ciągu 4{NBSP}dni roboczych",
        f"najwyżej 2{NBSP}potwierdzenia dziennie",
        "ani imienia i nazwiska, ani treści wiadomości",
        "Usuwamy je razem ze zgłoszeniem",
    ],
    "cs": [
        "E-maily k vašemu dotazu",
        "potvrzení",
        f"do 4{NBSP}pracovních dnů",
        f"nejvýše 2{NBSP}potvrzení denně",
        "ani vaše jméno, ani vaši zprávu",
        "Mažou se spolu s vaším dotazem",
    ],
    "hu": [
        "E-mailek a megkeresésével kapcsolatban",
        "visszaigazolás",
        f"4{NBSP}munkanapon belül",
        "legfeljebb 2 visszaigazolást",
        "sem a nevét, sem az üzenetét",
        "A megkeresésével együtt töröljük",
    ],
    "ro": [
        "E-mailuri despre solicitarea dumneavoastră",
        "confirmare",
        f"în cel mult 4{NBSP}zile lucrătoare",
        f"cel mult 2{NBSP}confirmări pe zi",
        "nici numele, nici mesajul",
        "se șterg odată cu solicitarea",
    ],
}


@pytest.mark.parametrize("lang", list(EMAIL_SECTION))
def test_the_privacy_notice_explains_the_emails_a_request_causes(app_factory, filled, lang):
    app = app_factory(OPERATOR_FILE=str(filled), HELP_REPLY_DAYS=4, HELP_CONFIRMATIONS_PER_DAY=2)
    page = app.test_client().get(f"/{lang}/privacy").get_data(as_text=True)
    assert 'id="emails"' in page
    text = text_of(page)
    missing = [item for item in EMAIL_SECTION[lang] if item not in text]
    assert missing == []


@pytest.mark.parametrize(
    ("lang", "privacy", "barrier"),
    [
        ("en", "valid for 1 minute)", "longer than 1 minute must"),
        ("de", f"gültig für 1{NBSP}Minute)", f"länger als 1{NBSP}Minute geöffnet"),
        ("pl", f"ważny przez 1{NBSP}minutę)", f"dłużej niż 1{NBSP}minutę trzeba"),
        ("ro", f"valabil 1{NBSP}minut)", f"mai mult de 1{NBSP}minut trebuie"),
    ],
)
def test_the_token_lifetime_is_counted_in_the_pages_language(
    app_factory, filled, lang, privacy, barrier
):
    """The form's time limit is a count: one minute is singular (ngettext, not "1 minutes")."""
    app = app_factory(OPERATOR_FILE=str(filled), WTF_CSRF_TIME_LIMIT=60)
    client = app.test_client()
    assert privacy in text_of(client.get(f"/{lang}/privacy").get_data(as_text=True))
    assert barrier in text_of(client.get(f"/{lang}/accessibility").get_data(as_text=True))
