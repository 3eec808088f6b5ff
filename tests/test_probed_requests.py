"""The requests an outside probe answered with 500, each sent exactly as it was.

Every one must get a 4xx answer; pages come in the site's look (its style sheet and
header), never a bare error. Runs on PostgreSQL too when TEST_DATABASE_URL is set (the
NUL in an initiative's address failed only there).
"""

import pytest

TOO_BIG = "99999999999999999999999"
INT_MAX = 2**31 - 1


def in_site_look(html: str) -> bool:
    return 'class="brand"' in html and "/static/css/site.css" in html and "Traceback" not in html


@pytest.mark.parametrize(
    ("path", "status"),
    [("/static/%00", 404), ("/static/css/%00.css", 404), ("/de/initiatives/%00", 404)],
)
def test_nul_in_a_path_is_not_found(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert in_site_look(response.get_data(as_text=True))


NOT_FOUND = {
    "de": "Seite nicht gefunden",
    "en": "Page not found",
    "pl": "Nie znaleziono strony",
    "cs": "Stránka nenalezena",
    "hu": "Az oldal nem található",
    "ro": "Pagina nu a fost găsită",
}


@pytest.mark.parametrize("lang", sorted(NOT_FOUND))
@pytest.mark.parametrize("path", ["/static/%00", "/{lang}/initiatives/%00"])
def test_probed_paths_answer_in_the_visitors_language(client, lang, path):
    """The URL's language where there is one, else the browser's."""
    response = client.get(path.format(lang=lang), headers={"Accept-Language": lang})
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert in_site_look(html)
    assert f'<html lang="{lang}"' in html
    assert NOT_FOUND[lang] in html


@pytest.mark.parametrize(
    ("accept", "lang", "title"),
    [("de-DE", "de", "Bitte melden Sie sich an"), ("en", "en", "Please sign in")],
)
def test_malformed_htmx_current_url_sends_anonymous_staff_to_sign_in(client, accept, lang, title):
    response = client.get(
        "/admin/",
        headers={
            "HX-Request": "true",
            "HX-Current-URL": "http://[abc",
            "Accept-Language": accept,
        },
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/admin/login"
    html = response.get_data(as_text=True)
    # htmx swaps nothing for a 401 and follows HX-Redirect; anyone else reads a page
    assert in_site_look(html)
    assert f'<html lang="{lang}"' in html
    assert title in html
    assert 'href="/admin/login"' in html


def test_malformed_htmx_current_url_is_harmless_when_signed_in(client, staff):
    staff.login()
    response = client.get(
        "/admin/", headers={"HX-Request": "true", "HX-Current-URL": "http://[abc"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "staff"])
def test_status_change_of_a_huge_id_without_token_is_not_found(client, staff, signed_in):
    if signed_in:
        staff.login()
    response = client.post(f"/admin/requests/{TOO_BIG}/status", headers={"Accept-Language": "de"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert in_site_look(html)
    assert '<html lang="de"' in html and NOT_FOUND["de"] in html


@pytest.mark.parametrize("number", [INT_MAX + 1, 2**63, int(TOO_BIG)])
@pytest.mark.parametrize(
    ("method", "suffix"),
    [("GET", ""), ("POST", "/status"), ("POST", "/notes"), ("GET", "/delete"), ("POST", "/delete")],
)
def test_ids_beyond_the_database_integer_are_not_found(client, staff, number, method, suffix):
    staff.login()
    token = staff.token("/admin/")
    response = client.open(
        f"/admin/requests/{number}{suffix}",
        method=method,
        data={"csrf_token": token, "status": "closed", "body": "a note"}
        if method == "POST"
        else None,
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert in_site_look(html)
    assert '<html lang="en"' in html and NOT_FOUND["en"] in html


def test_the_largest_id_the_database_holds_is_still_looked_up(client, staff, make_request):
    staff.login()
    request_id = make_request(id=INT_MAX)
    response = client.get(f"/admin/requests/{request_id}")
    assert response.status_code == 200
