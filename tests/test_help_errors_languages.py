"""Every way the help form can fail speaks the visitor's language, in all six.

A wrong field, an expired security token, the rate limit, a body over the size limit
and a database failure: each answer has the page's `lang` and says, in that language,
what happened and that the input is kept. The expected wording is the language's own
catalog entry (and, for any language but English, not the English msgid).
"""

import html as html_lib
import sqlite3

import pytest
from flask_babel import force_locale
from flask_babel import gettext

from tests.support.csrf import csrf_from
from webapp.config import Defaults
from webapp.help.routes import PROBLEMS

LANGUAGES = list(Defaults.LANGUAGES)
HX = {"HX-Request": "true"}
TOO_LARGE = (
    "What you sent is too large. Your details are still in the form: please shorten your "
    "text and send it again."
)


def answers(**changes) -> dict:
    data = {
        "name": "Ana Popescu",
        "email": "ana@example.org",
        "topic": "housing",
        "message": "Caut o locuință în Chemnitz pentru familia mea.",
    }
    data.update(changes)
    return data


def token(client, lang: str) -> str:
    page = client.get(f"/{lang}/help").get_data(as_text=True)
    return csrf_from(page)


def translated(app, lang: str, text) -> str:
    """`text` (a msgid or a lazy string) in `lang`, as the page shows it."""
    with app.test_request_context(f"/{lang}/help"), force_locale(lang):
        return str(text) if not isinstance(text, str) else gettext(text)


def page_text(response) -> str:
    return " ".join(html_lib.unescape(response.get_data(as_text=True)).split())


def assert_in_language(app, response, lang: str, text, whole_page: bool = True) -> None:
    shown = page_text(response)
    wanted = " ".join(translated(app, lang, text).split())
    assert wanted in shown
    if lang != "en":
        assert " ".join(str(text if isinstance(text, str) else text._args[0]).split()) not in shown
    if whole_page:
        assert f'<html lang="{lang}">' in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_field_errors(app, client, lang):
    data = answers(name="", email="not an address", csrf_token=token(client, lang))
    response = client.post(f"/{lang}/help", data=data)
    assert response.status_code == 422
    assert_in_language(app, response, lang, "Enter your name")
    assert_in_language(
        app, response, lang, "Enter an e-mail address in the correct format, like name@example.com"
    )


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_expired_token(app, client, lang, htmx):
    client.get(f"/{lang}/help")
    response = client.post(
        f"/{lang}/help", data=answers(csrf_token="expired"), headers=HX if htmx else {}
    )
    assert response.status_code == 400
    assert_in_language(app, response, lang, PROBLEMS["expired"], whole_page=not htmx)
    assert 'value="Ana Popescu"' in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rate_limit(app_factory, lang):
    app = app_factory(HELP_RATE_LIMIT="1 per minute")
    client = app.test_client()
    assert (
        client.post(f"/{lang}/help", data=answers(csrf_token=token(client, lang))).status_code
        == 303
    )
    response = client.post(f"/{lang}/help", data=answers(csrf_token=token(client, lang)))
    assert response.status_code == 429
    assert_in_language(app, response, lang, PROBLEMS["limited"])
    assert 'value="Ana Popescu"' in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_size_limit(app_factory, lang):
    app = app_factory(MAX_CONTENT_LENGTH=4096)
    client = app.test_client()
    data = answers(message="x" * 5000, csrf_token=token(client, lang))
    page = client.post(f"/{lang}/help", data=data)
    assert page.status_code == 413
    assert_in_language(app, page, lang, "What you sent is too large")
    fragment = client.post(f"/{lang}/help", data=data, headers=HX)
    assert fragment.status_code == 413
    assert_in_language(app, fragment, lang, TOO_LARGE, whole_page=False)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_database_failure(app, client, db_path, lang):
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON contact_request "
            "BEGIN SELECT RAISE(ABORT, 'disk is full'); END"
        )
    connection.close()
    response = client.post(f"/{lang}/help", data=answers(csrf_token=token(client, lang)))
    assert response.status_code == 503
    assert_in_language(app, response, lang, PROBLEMS["unavailable"])
    assert 'value="Ana Popescu"' in response.get_data(as_text=True)
