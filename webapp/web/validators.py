"""Validators shared by every form."""

from flask_babel import gettext as _
from wtforms.validators import ValidationError

# Line breaks and tabs are ordinary text; every other control character (NUL included,
# which PostgreSQL cannot store) is a sign of a broken client or an attack.
ALLOWED_CONTROLS = {"\t", "\n", "\r"}


class NoControlCharacters:
    """Reject text holding control characters other than tab and line breaks."""

    def __init__(self, message=None) -> None:
        self.message = message

    def __call__(self, _form, field) -> None:
        value = field.data
        if isinstance(value, str) and any(
            (ord(char) < 32 or 127 <= ord(char) < 160) and char not in ALLOWED_CONTROLS
            for char in value
        ):
            raise ValidationError(
                self.message
                or _(
                    "%(field)s contains invisible control characters: please remove them",
                    field=field.label.text,
                )
            )


# Everything a browser or a mail program may show as a new line.
LINE_BREAKS = {"\n", "\r", "\v", "\f", "\x85", "\u2028", "\u2029"}


class SingleLine:
    """Reject line breaks in a one-line field (a name reaches e-mail headers and CSV rows)."""

    def __init__(self, message) -> None:
        self.message = message

    def __call__(self, _form, field) -> None:
        value = field.data
        if isinstance(value, str) and any(char in LINE_BREAKS for char in value):
            raise ValidationError(self.message)
