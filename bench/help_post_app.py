"""The site as bench/help_post.py serves it: the real app, or the same app without its
outbox write (BENCH_WITHOUT_OUTBOX=1) as the baseline.

The baseline replaces only `notify.request_stored`, the one call that queues the staff
notice and the visitor's confirmation in the request's transaction. Everything else
(CSRF, validation, the topic query, the INSERT of the request, the commit, the redirect)
is the same code, so the difference between the two is what the outbox write costs.
"""

import os

from webapp import create_app
from webapp import notify

if os.environ.get("BENCH_WITHOUT_OUTBOX") == "1":

    def _no_mail(_item) -> None:
        """Queue nothing: the help POST as it was before the outbox."""

    notify.request_stored = _no_mail

app = create_app()
