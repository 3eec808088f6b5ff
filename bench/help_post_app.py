"""The site as bench/help_post.py serves it: the real app, or the same app without its
outbox write (BENCH_WITHOUT_OUTBOX=1) as the baseline.

The baseline replaces only `notify.confirmation_allowed` (the daily-limit look-up) and
`notify.request_stored`, the calls that queue the staff notice and the visitor's
confirmation in the request's transaction. Everything else
(CSRF, validation, the topic query, the INSERT of the request, the commit, the redirect)
is the same code, so the difference between the two is what the outbox write costs.
"""

import os

from webapp import create_app
from webapp import notify

if os.environ.get("BENCH_WITHOUT_OUTBOX") == "1":

    def _no_mail(_item, _confirm) -> None:
        """Queue nothing: the help POST as it was before the outbox."""

    def _no_count(_email) -> bool:
        """Ask nothing: the help POST as it was before the outbox."""
        return False

    notify.request_stored = _no_mail
    notify.confirmation_allowed = _no_count

app = create_app()
