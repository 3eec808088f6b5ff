"""Every page and fragment the site serves is valid HTML, checked by the Nu Html Checker.

The pages are rendered by the real app into files, then the W3C's checker (vnu.jar from
npm, `make test` installs it into tests/vnu/) runs once over all of them: one Java start
instead of one per page. An htmx fragment is checked inside a minimal document, without
the leading <title> that htmx takes for the page title and never inserts.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.csrf import csrf_from
from webapp.web.errors import render_error

VNU_JAR = Path(__file__).parent / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
HX = {"HX-Request": "true"}
SLUGS = ("recomine", "smarterz", "smart-rail-campus", "blockchain-mittweida")
LEADING_TITLE = re.compile(r"^\s*(?:\{#.*?#\}\s*)?<title>.*?</title>", re.S)
ERROR_CODES = (400, 403, 404, 405, 413, 429, 500, 503)


def as_document(fragment: str, lang: str) -> str:
    """A fragment inside the smallest valid document, its htmx <title> line removed."""
    body = LEADING_TITLE.sub("", fragment, count=1)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>Fragment</title></head><body>{body}</body></html>"
    )


def token(html: str) -> str:
    return csrf_from(html)


def public_pages(client, languages) -> dict[str, str]:
    """name -> HTML of every public page and fragment, in every language."""
    pages: dict[str, str] = {}

    def page(name: str, url: str, status: int = 200, **kwargs) -> str:
        response = client.get(url, **kwargs)
        assert response.status_code == status, url
        pages[name] = response.get_data(as_text=True)
        return pages[name]

    def fragment(name: str, html: str, lang: str) -> None:
        pages[name] = as_document(html, lang)

    for lang in languages:
        page(f"{lang}-overview", f"/{lang}/")
        for slug in SLUGS:
            page(f"{lang}-{slug}", f"/{lang}/initiatives/{slug}")
            page(f"{lang}-{slug}-open", f"/{lang}/initiatives/{slug}/summary")
            for view in ("summary", "teaser"):
                html = client.get(f"/{lang}/initiatives/{slug}/{view}", headers=HX)
                fragment(f"{lang}-{slug}-{view}-fragment", html.get_data(as_text=True), lang)
        for name in ("imprint", "privacy", "accessibility"):
            page(f"{lang}-{name}", f"/{lang}/{name}")
        page(f"{lang}-help-barrier", f"/{lang}/help?topic=barrier")
        form = page(f"{lang}-help", f"/{lang}/help")
        data = {"csrf_token": token(form), "name": "", "email": "no", "message": "short"}
        response = client.post(f"/{lang}/help", data=data)
        assert response.status_code == 422
        pages[f"{lang}-help-errors"] = response.get_data(as_text=True)
        response = client.post(f"/{lang}/help", data=data, headers=HX)
        fragment(f"{lang}-help-errors-fragment", response.get_data(as_text=True), lang)
        good = dict(data, name="Ada", email="ada@example.org", topic="job", consent="y")
        good["message"] = "A question about a job in Chemnitz."
        response = client.post(f"/{lang}/help", data=good, headers=HX)
        fragment(f"{lang}-help-sent-fragment", response.get_data(as_text=True), lang)
        assert client.post(f"/{lang}/help", data=good).status_code == 303
        sent = page(f"{lang}-help-sent", f"/{lang}/help/sent")
        reference = re.search(r'class="reference">([^<]+)<', sent).group(1)
        lookup = page(f"{lang}-help-status", f"/{lang}/help/status?reference={reference}")
        for name, email in (("found", "ada@example.org"), ("missing", "eve@example.org")):
            response = client.post(
                f"/{lang}/help/status",
                data={"csrf_token": token(lookup), "reference": reference, "email": email},
            )
            assert response.status_code == 200
            pages[f"{lang}-help-status-{name}"] = response.get_data(as_text=True)
        page(f"{lang}-not-found", f"/{lang}/nothing-here", status=404)
        expired = dict(good, csrf_token="expired")
        response = client.post(f"/{lang}/help", data=expired)
        assert response.status_code == 400
        pages[f"{lang}-help-expired"] = response.get_data(as_text=True)
        huge = dict(good, message="x" * 300_000)
        response = client.post(f"/{lang}/help", data=huge, headers=HX)
        assert response.status_code == 413
        fragment(f"{lang}-help-too-large-fragment", response.get_data(as_text=True), lang)
    return pages


def limited_form(client) -> dict[str, str]:
    """The help form as shown over the rate limit (the app's normal limit)."""
    form = client.get("/en/help").get_data(as_text=True)
    data = {"csrf_token": token(form), "name": "", "email": "", "message": ""}
    for _ in range(10):
        response = client.post("/en/help", data=data)
        if response.status_code == 429:
            return {"en-help-limited": response.get_data(as_text=True)}
    raise AssertionError("the rate limit never answered")


def error_pages(app) -> dict[str, str]:
    """Every error page the site has, as a page and as an htmx fragment, every language."""
    pages = {}
    for lang in app.config["LANGUAGES"]:
        for code in ERROR_CODES:
            with app.test_request_context(f"/{lang}/"):
                app.preprocess_request()
                pages[f"{lang}-error-{code}"] = render_error(code)[0]
            with app.test_request_context(f"/{lang}/", headers=HX):
                app.preprocess_request()
                pages[f"{lang}-error-{code}-fragment"] = as_document(render_error(code)[0], lang)
    return pages


def staff_pages(client, staff, make_request) -> dict[str, str]:
    """The staff area: sign-in, list, one request, the delete question, and fragments."""
    pages = {"admin-login": client.get("/admin/login").get_data(as_text=True)}
    staff.login()
    request_id = make_request(topic="barrier")
    pages["admin-list"] = client.get("/admin/").get_data(as_text=True)
    pages["admin-list-fragment"] = as_document(
        client.get("/admin/?q=Person", headers=HX).get_data(as_text=True), "en"
    )
    detail = client.get(f"/admin/requests/{request_id}").get_data(as_text=True)
    pages["admin-detail"] = detail
    pages["admin-delete"] = client.get(f"/admin/requests/{request_id}/delete").get_data(
        as_text=True
    )
    csrf = staff.token(f"/admin/requests/{request_id}")
    note = client.post(
        f"/admin/requests/{request_id}/notes",
        data={"csrf_token": csrf, "text": "Called back."},
        headers=HX,
    )
    pages["admin-note-fragment"] = as_document(note.get_data(as_text=True), "en")
    status = client.post(
        f"/admin/requests/{request_id}/status",
        data={"csrf_token": csrf, "status": "in_progress"},
        headers=HX,
    )
    pages["admin-status-fragment"] = as_document(status.get_data(as_text=True), "en")
    answer = client.post(
        f"/admin/requests/{request_id}/answer",
        data={"answer-csrf_token": csrf, "answer-subject": "Re: x", "answer-body": "Hello"},
        headers=HX,
    )
    pages["admin-answer-fragment"] = as_document(answer.get_data(as_text=True), "en")
    for name, choice in (("ok", str(staff.user_id)), ("error", "999")):
        assigned = client.post(
            f"/admin/requests/{request_id}/assign",
            data={"csrf_token": csrf, "assign-assignee": choice, "assign-submit": "y"},
            headers=HX,
        )
        pages[f"admin-assign-fragment-{name}"] = as_document(assigned.get_data(as_text=True), "en")
    client.post(f"/admin/requests/{request_id}/spam", data={"csrf_token": csrf, "spam": "1"})
    # The request page again, now with an e-mail in the conversation, assigned and marked as
    # spam; the spam assigned to me; the forget question.
    pages["admin-list-spam"] = client.get("/admin/?spam=1&assigned=me").get_data(as_text=True)
    assert 'class="age"' in pages["admin-list-spam"]  # the request is in it, with its age
    pages["admin-detail-conversation"] = client.get(f"/admin/requests/{request_id}").get_data(
        as_text=True
    )
    pages["admin-forget"] = client.get(f"/admin/requests/{request_id}/forget").get_data(
        as_text=True
    )
    return pages


def overview_and_reply_pages(app, client, make_request) -> dict[str, str]:
    """The overview, the saved replies and the answer form offering them (signed in)."""
    from webapp.helpdesk import saved_replies

    with app.app_context():
        reply_id = saved_replies.create("job", "pl", "Praca", "Dzień dobry,\nzapraszamy.").id
    request_id = make_request(topic="job", language="pl")
    make_request(topic="job", language="pl", is_spam=True)
    pages = {"admin-overview": client.get("/admin/overview").get_data(as_text=True)}
    pages["admin-replies"] = client.get("/admin/replies").get_data(as_text=True)
    new = client.get("/admin/replies/new?topic=job&language=pl").get_data(as_text=True)
    pages["admin-reply-new"] = new
    response = client.post("/admin/replies/new", data={"csrf_token": token(new)})
    assert response.status_code == 422
    pages["admin-reply-errors"] = response.get_data(as_text=True)
    pages["admin-reply-edit"] = client.get(f"/admin/replies/{reply_id}/edit").get_data(as_text=True)
    pages["admin-reply-delete"] = client.get(f"/admin/replies/{reply_id}/delete").get_data(
        as_text=True
    )
    detail = f"/admin/requests/{request_id}"
    pages["admin-detail-replies"] = client.get(f"{detail}?reply={reply_id}").get_data(as_text=True)
    pages["admin-detail-reply-missing"] = client.get(f"{detail}?reply=0").get_data(as_text=True)
    fragment = client.get(f"{detail}?reply={reply_id}", headers=HX).get_data(as_text=True)
    pages["admin-answer-form-fragment"] = as_document(fragment, "de")
    return pages


def run_vnu(files: list[Path]) -> list[dict]:
    """The checker's errors for all files, from one run."""
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stderr or result.stdout)
    return [m for m in report["messages"] if m["type"] in ("error", "non-document-error")]


@pytest.mark.skipif(shutil.which("java") is None, reason="needs Java (Debian's default-jre)")
def test_every_page_and_fragment_is_valid_html(
    app, app_factory, client, staff, make_request, tmp_path
):
    assert VNU_JAR.exists(), "vnu.jar is missing: run `make test` (it installs tests/vnu/)"
    # Four posts per language are more than the help form's limit allows one client.
    limitless = app_factory(
        HELP_RATE_LIMIT="1000 per minute", HELP_STATUS_RATE_LIMIT="1000 per minute"
    )
    pages = public_pages(limitless.test_client(), limitless.config["LANGUAGES"])
    pages.update(limited_form(client))
    pages.update(error_pages(app))
    pages.update(staff_pages(client, staff, make_request))
    pages.update(overview_and_reply_pages(app, client, make_request))
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    errors = run_vnu(files)
    listed = "\n".join(
        f"{Path(e.get('url', '?')).name}:{e.get('lastLine', '?')}: {e['message']}"
        f" [{' '.join(e.get('extract', '').split())}]"
        for e in errors
    )
    assert errors == [], f"{len(errors)} HTML error(s) in {len(files)} pages:\n{listed}"
    assert len(files) > 90  # every page really was written and checked
