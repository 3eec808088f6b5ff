"""The status lookup under /<lang>/help/status: reference and e-mail address in, status out."""

from flask import current_app
from flask import render_template
from flask import request

from webapp.extensions import limiter
from webapp.help import bp
from webapp.help.forms import StatusForm
from webapp.helpdesk import status_lookup


def status_page(form: StatusForm, code: int = 200, **context):
    """The lookup page; `found` (a status_lookup.Found), `not_found` or `problem` if any."""
    return render_template("help/status.html", form=form, **context), code


@bp.get("/status")
def status():
    """The empty lookup form; `?reference=` (from the confirmation) fills in the reference."""
    form = StatusForm(formdata=None, reference=request.args.get("reference", "")[:40])
    return status_page(form)


@bp.post("/status")
@limiter.limit(lambda: current_app.config["HELP_STATUS_RATE_LIMIT"], methods=["POST"])
def status_lookup_post():
    """Look a request up; the same answer for an unknown reference and a wrong address."""
    form = StatusForm()
    if not form.validate():
        return status_page(form, 422)
    found = status_lookup.lookup(form.reference.data, form.email.data)
    return status_page(form, found=found, not_found=found is None)
