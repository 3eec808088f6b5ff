"""Hostile input that more than one test sends, and what must never come back unescaped."""

import os
from dataclasses import dataclass

# `make check` (the inner loop) sets HOSTILE_EXAMPLES=quick: a tenth of the examples.
QUICK = os.environ.get("HOSTILE_EXAMPLES", "").strip().lower() == "quick"


def examples(full: int) -> int:
    """How many examples a property test tries: `full` in `make test`, fewer in `make check`."""
    return max(full // 10, 25) if QUICK else full


ATTACKS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1; DROP TABLE contact_request; --",
    "{{ 7*7 }}{% raw %}",
    "\u202eevil\u202c",
    "مرحبا بكم في ساكسونيا",
    "Zażółć gęślą jaźń – Příliš žluťoučký kůň",
    "👩‍👩‍👧‍👦🇩🇪" * 3,
    "\x00\x01\x1b[31m",
    "a" * 6000,
]
# Markup from ATTACKS that must never appear as it was sent.
MARKERS = ["<script>alert(1)</script>", "<img src=x onerror"]


@dataclass(frozen=True)
class HostileApp:
    """An app with no practical rate limit, a client of it, and a CSRF token for it."""

    app: object
    client: object
    token: str
