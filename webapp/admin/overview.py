"""The staff overview: requests per status, per topic and per week, as tables and a chart."""

from flask import render_template

from webapp.admin import bp
from webapp.helpdesk import reports
from webapp.mail import inbox
from webapp.mail import outbox
from webapp.web.i18n import current_lang


@bp.get("/overview")
def overview():
    """Counts per status and topic, and new requests per week for the last twelve weeks."""
    return render_template(
        "admin/overview.html",
        figures=reports.overview(current_lang()),
        mailbox=inbox.state() if inbox.configured() else None,
        mailbox_configured=inbox.configured(),
        delivery_paused=outbox.paused(),
    )
