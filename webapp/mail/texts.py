"""The text of every e-mail the site sends, from Jinja text templates.

Each kind of e-mail has two templates under templates/email/: `<name>.subject.txt` and
`<name>.body.txt`; the bodies end with `_footer.txt`, the operator's signature. They are
translated through the catalogues like every page (`_()` and `ngettext()` with the same
msgids as before), in the current locale: call `render` inside the recipient's
`force_locale`.

Plain text: Flask autoescapes only .html, .htm, .xml, .xhtml and .svg templates, so what
is put into a .txt template comes out as it was written (a name with `<b>` or `{{ }}`
in it too), and `_()` here is Flask-Babel's plain gettext, not the pages' markup-making
one. The templates get only what they are given (no page context, no request).
"""

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext
from flask_babel import ngettext

from webapp.content import operator_details

FOLDER = "email"


def _context(values: dict) -> dict:
    lang = str(get_locale())
    return {
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext,
        "operator": operator_details.current().for_language(lang),
        **values,
    }


def subject(name: str, **values) -> str:
    """The subject of e-mail `name` in the current locale, on one line."""
    template = current_app.jinja_env.get_template(f"{FOLDER}/{name}.subject.txt")
    return " ".join(template.render(_context(values)).split())


def body(name: str, **values) -> str:
    """The text of e-mail `name` in the current locale, signature included."""
    template = current_app.jinja_env.get_template(f"{FOLDER}/{name}.body.txt")
    return template.render(_context(values))


def render(name: str, **values) -> tuple[str, str]:
    """Subject and text of e-mail `name` in the current locale."""
    return subject(name, **values), body(name, **values)
