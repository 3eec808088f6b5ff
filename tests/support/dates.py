"""Dates as a visitor reads them, in each language (the tests of webapp/web/dates.py and
of the e-mails share them)."""

NBSP = "\u00a0"
# 6 December 2026 in each language's long format, with non-breaking spaces.
LONG_DATES = {
    "de": f"6.{NBSP}Dezember{NBSP}2026",
    "en": f"6{NBSP}December{NBSP}2026",
    "pl": f"6{NBSP}grudnia{NBSP}2026{NBSP}r.",
    "cs": f"6.{NBSP}prosince{NBSP}2026",
    "hu": f"2026.{NBSP}december{NBSP}6.",
    "ro": f"6{NBSP}decembrie{NBSP}2026",
}
