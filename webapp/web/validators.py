"""Validators shared by every form, by the rule of webapp/plain_text.py."""

from flask_babel import gettext as _
from wtforms.validators import ValidationError

from webapp import plain_text


class NoControlCharacters:
    """Reject text holding control characters other than tab and line breaks."""

    def __init__(self, message=None) -> None:
        self.message = message

    def __call__(self, _form, field) -> None:
        value = field.data
        if isinstance(value, str) and plain_text.has_forbidden_controls(value):
            raise ValidationError(
                self.message
                or _(
                    "%(field)s contains invisible control characters: please remove them",
                    field=field.label.text,
                )
            )


class SingleLine:
    """Reject line breaks in a one-line field (a name reaches e-mail headers and CSV rows)."""

    def __init__(self, message) -> None:
        self.message = message

    def __call__(self, _form, field) -> None:
        value = field.data
        if isinstance(value, str) and plain_text.has_line_break(value):
            raise ValidationError(self.message)
