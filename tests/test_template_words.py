"""`_()` and `ngettext()` in templates (Flask-Babel's): each render in its language."""

from flask import render_template_string
from flask_babel import force_locale

LOOKUP = "{{ _('Language') }}|{{ ngettext('%(num)d error', '%(num)d errors', 3) }}"


def test_each_render_uses_its_own_language(app):
    """A render inside force_locale (an e-mail in the visitor's language, say) is in that
    language, and the page rendered afterwards in the same request is in the page's."""
    with app.test_request_context("/de/"):
        app.preprocess_request()
        with force_locale("pl"):
            polish = render_template_string(LOOKUP)
        german = render_template_string(LOOKUP)
    assert polish == "Język|3 błędy"
    assert german == "Sprache|3 Fehler"


def test_values_are_escaped_and_the_translation_is_not(app):
    template = "{{ _('More on its own page: %(name)s', name=name) }}"
    with app.test_request_context("/en/"):
        app.preprocess_request()
        shown = render_template_string(template, name="<b>R&D</b>")
    assert shown == "More on its own page: &lt;b&gt;R&amp;D&lt;/b&gt;"


def test_imported_macros_translate_too(app):
    """Macros imported without context use the globals, which look the catalogue up."""
    template = '{% from "_macros.html" import error_summary %}{{ error_summary(form) }}'

    class Form:
        errors = {"email": ["bad"]}

        def __iter__(self):
            return iter(())

    with app.test_request_context("/cs/"):
        app.preprocess_request()
        shown = render_template_string(template, form=Form())
    assert "Vyskytl se problém" in shown
