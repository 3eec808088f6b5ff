"""The list of requests with its filters, and the same list as a CSV download."""

from datetime import date

from flask import Response
from flask import request
from flask_login import current_user

from webapp.admin import bp
from webapp.admin.forms import FilterForm
from webapp.helpdesk import csv_export
from webapp.helpdesk import request_list
from webapp.helpdesk import vocabulary
from webapp.web.i18n import current_lang
from webapp.web.responses import fragment_or_page
from webapp.web.responses import wants_fragment


def _filter_form_and_filters() -> tuple[FilterForm, request_list.Filters]:
    topics = vocabulary.topic_choices(current_lang())
    form = FilterForm(formdata=request.args)
    form.fill_choices(topics)
    filters = request_list.Filters.from_args(
        request.args, {value for value, _label in topics}, me=current_user.id
    )
    return form, filters


@bp.get("/")
def index():
    """The list of requests, filtered; htmx gets the results only."""
    form, filters = _filter_form_and_filters()
    pagination = request_list.page_of(filters)
    return fragment_or_page(
        "admin/_results.html",
        "admin/index.html",
        form=form,
        filters=filters,
        pagination=pagination,
        announce=wants_fragment(),
    )


@bp.get("/export.csv")
def export():
    """Every request matching the current filter as a CSV download."""
    _form, filters = _filter_form_and_filters()
    body = csv_export.export_csv(filters, current_lang())
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="requests-{date.today().isoformat()}.csv"'
    )
    return response
