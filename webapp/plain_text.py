"""The one rule for control characters and line breaks in what people type.

A control character is Unicode's category Cc (U+0000–U+001F, U+007F–U+009F). Tab and
the line breaks LF and CR are ordinary text in a message; every other control character
(NUL included, which PostgreSQL cannot store) is a sign of a broken client or an attack.
A line break is anything a browser or a mail program may show as a new line. One-line
values (a name, a subject) reach e-mail headers and CSV rows, so they have none.

Used by the forms' validators (webapp/web/validators.py), the staff forms' one-line
filter and the staff list's search text.
"""

import unicodedata

# Control characters that are ordinary text in a message.
ALLOWED_CONTROLS = frozenset({"\t", "\n", "\r"})
# Everything a browser or a mail program may show as a new line.
LINE_BREAKS = frozenset({"\n", "\r", "\v", "\f", "\x85", "\u2028", "\u2029"})


def is_control(char: str) -> bool:
    """A control character (Unicode category Cc)."""
    return unicodedata.category(char) == "Cc"


def has_forbidden_controls(text: str) -> bool:
    """Whether `text` holds a control character other than tab, LF and CR."""
    return any(is_control(char) and char not in ALLOWED_CONTROLS for char in text)


def has_line_break(text: str) -> bool:
    """Whether `text` holds a line break of any kind."""
    return any(char in LINE_BREAKS for char in text)


def one_line(text: str) -> str:
    """Whitespace runs, line breaks included, as single spaces; trimmed."""
    return " ".join(text.split())


def without_controls(text: str) -> str:
    """`text` with every control character and line break removed (a search text:
    PostgreSQL cannot even compare NUL)."""
    return "".join(char for char in text if not is_control(char) and char not in LINE_BREAKS)
