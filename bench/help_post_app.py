"""The site as bench/help_post.py serves it: the real app, or the same app without its
outbox write (BENCH_WITHOUT_OUTBOX=1) as the baseline.

The baseline replaces only `notify.prepare`, which names the staff notice and the
visitor's confirmation, as (draft, recipient) pairs, for `notify.queue` to put in the
outbox in the request's transaction (the sender writes their text later); with no
drafts, nothing is queued. Everything else
(CSRF, validation, the topic query, the INSERT of the request, the commit, the redirect)
is the same code, so the difference between the two is what the outbox write costs.
"""

import os

from webapp import create_app
from webapp import notify

if os.environ.get("BENCH_WITHOUT_OUTBOX") == "1":

    def _no_mail(_item) -> list:
        """Write no e-mail: the help POST as it was before the outbox."""
        return []

    notify.prepare = _no_mail

app = create_app()
