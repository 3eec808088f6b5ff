"""The Leichte Sprache page: its form steps match the real forms, it says who runs the
site and how to reach a person, and its help box is in Leichte Sprache too."""

import re

from flask_babel import force_locale

from webapp.content.operator_details import EXAMPLE_FILE
from webapp.help.forms import HelpForm
from webapp.help.forms import StatusForm
from webapp.helpdesk import vocabulary

URL = "/de/leichte-sprache"


def quoted(html: str, css_class: str | None = None) -> list[str]:
    """The words the page sets in bold (field names, options), in a list if given."""
    if css_class:
        html = re.search(rf'<[ou]l class="{css_class}">(.*?)</[ou]l>', html, re.S).group(1)
    return [
        re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<strong>(.*?)</strong>", html)
    ]


def form_texts(app) -> dict:
    """The German labels and options of the help form and the status lookup, from the forms."""
    with app.test_request_context("/de/help"), force_locale("de"):
        form = HelpForm(lang="de")
        status = StatusForm()
        fields = (form.name, form.email, form.organisation, form.phone, form.topic, form.message)
        return {
            "labels": [str(field.label.text) for field in fields],
            "options": [str(choice.label) for choice in form.topic.choices if choice.value],
            "groups": {str(choice.optgroup) for choice in form.topic.choices if choice.optgroup},
            "alliances": [str(c.label) for c in form.topic.choices if c.optgroup],
            "status_labels": [str(status.reference.label.text), str(status.email.label.text)],
            "statuses": [str(label) for label in vocabulary.VISITOR_STATUS_LABELS.values()],
        }


def test_the_form_steps_use_the_forms_own_labels_and_options(app, client):
    page = client.get(URL).get_data(as_text=True)
    texts = form_texts(app)
    bold = quoted(page)
    assert [label for label in texts["labels"] if label not in bold] == []
    # Every fixed topic is listed as the form offers it; the alliances by their group name.
    fixed = [o for o in texts["options"] if o not in texts["alliances"]]
    assert quoted(page, "easy-read-topics")[: len(fixed)] == fixed
    assert texts["alliances"], "the alliances are loaded in the test database"
    assert texts["groups"] <= set(bold)
    for alliance in texts["alliances"]:
        assert alliance in page
    # Every field the steps name exists in the form (the old page named ones it lacked).
    named = re.findall(r"Sie sehen (?:das Feld|die Frage): <strong>(.*?)</strong>", page)
    assert set(named) <= set(texts["labels"]) | set(texts["status_labels"])
    assert set(texts["status_labels"]) <= set(quoted(page, "easy-read-status-steps"))
    assert quoted(page, "easy-read-statuses") == texts["statuses"]


def test_the_buttons_named_are_the_buttons_on_the_forms(client):
    page = client.get(URL).get_data(as_text=True)
    named = re.findall(r"Klicken Sie auf den Knopf: <strong>(.*?)</strong>", page)
    buttons = []
    for url in ("/de/help", "/de/help/status"):
        buttons += re.findall(r'<button type="submit">(.*?)</button>', client.get(url).text)
    assert named and set(named) <= set(buttons)


def test_it_says_who_runs_the_site_and_how_to_reach_a_person(app_factory, tmp_path):
    text = (
        EXAMPLE_FILE.read_text(encoding="utf-8")
        .replace('phone = "+49 30 23125 000"', 'phone = "+49 371 555 0100"')
        .replace('email = "kontakt@example.org"', 'email = "hallo@region.example"')
        .replace('street = "Musterstraße 1"', 'street = "Am Markt 7"')
    )
    path = tmp_path / "operator.toml"
    path.write_text(text, encoding="utf-8")
    page = app_factory(OPERATOR_FILE=str(path)).test_client().get(URL).text
    section = page.split("Wer macht diese Internet·seite?")[1].split("<h2>")[0]
    assert "Zweckverband Beispielregion Südwestsachsen" in section
    assert "Am Markt 7" in section and "09999 Beispielstadt" in section
    assert 'href="tel:+49371555' in section and "+49\u00a0371\u00a0555\u00a00100" in section
    assert 'href="mailto:hallo@region.example"' in section
    assert "mit einem Menschen sprechen" in section


def test_the_help_box_is_in_leichte_sprache_and_words_take_the_mediopunkt(client):
    page = client.get(URL).get_data(as_text=True)
    box = re.search(r'<aside class="wrap help-box".*?</aside>', page, re.S).group(0)
    assert "Brauchen Sie Hilfe?" in box and "Zum Hilfe·formular" in box
    assert "Können wir helfen?" not in page  # the standard box
    for word in ("Internet·seite", "Bundes·regierung", "Hilfe·formular", "Arbeits·tagen"):
        assert word in page
    assert "Internet-Seite" not in page and "Bundes-Regierung" not in page
    assert "Stand Ihrer Anfrage abfragen" in page and 'href="/de/help/status"' in page
    assert "Eine Region ist ein Gebiet." in page and "Daten sind Angaben" in page
    assert "wurden" not in page  # no passive
