"""Staff sign-in: who may see /admin, wrong passwords, throttling, `next`, sign-out, language."""

import re

import pytest
from sqlalchemy import select

from tests.support.csrf import csrf_from
from webapp.extensions import db
from webapp.models import AuditEntry
from webapp.models import ContactRequest
from webapp.models import StaffUser

STAFF_EMAIL = "staff@example.org"  # the `staff` fixture's account
STAFF_PASSWORD = "correct horse battery"
OPEN_ENDPOINTS = {"admin.login", "admin.language"}  # the sign-in page and its language


def admin_urls(app, request_id: int) -> list[tuple[str, str]]:
    """(method, url) for every method of every admin endpoint except sign-in and language."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint in OPEN_ENDPOINTS:
            continue
        url = rule.build(
            {"request_id": request_id, "message_id": 1, "reply_id": 1, "attachment_id": 1},
            append_unknown=False,
        )[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


def test_there_are_admin_endpoints_to_check(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")}
    assert {
        "admin.index",
        "admin.detail",
        "admin.change_status",
        "admin.add_note",
        "admin.delete",
        "admin.export",
        "admin.answer",
        "admin.resend_message",
        "admin.forget",
        "admin.logout",
        "admin.language",
        "admin.overview",
        "admin.replies",
        "admin.new_reply",
        "admin.edit_reply",
        "admin.delete_reply",
        "admin.assign",
        "admin.mark_spam",
    } <= endpoints


def test_every_admin_endpoint_refuses_an_anonymous_client(app, client, make_request):
    request_id = make_request(message="Private message")
    token = csrf_from(client.get("/admin/login").get_data(as_text=True))
    checked = 0
    for method, url in admin_urls(app, request_id):
        data = {"csrf_token": token, "status": "closed", "body": "sneaky note", "lang": "en"}
        response = client.open(url, method=method, data=data if method == "POST" else None)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/admin/login?next="), (method, url)
        assert "Private message" not in response.get_data(as_text=True)
        # htmx is told to load the sign-in page as a whole page, not to swap it in.
        response = client.open(
            url,
            method=method,
            data=data if method == "POST" else None,
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 401, (method, url)
        assert response.headers["HX-Redirect"].startswith("/admin/login")
        checked += 1
    assert checked == 23
    with app.app_context():
        item = db.session.get(ContactRequest, request_id)
        assert item.status == "new"
        assert item.notes == []
        assert db.session.scalars(select(AuditEntry)).all() == []


def test_anonymous_visitor_is_sent_to_sign_in_and_back_afterwards(client, staff):
    response = client.get("/admin/?status=new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/login?next=%2Fadmin%2F%3Fstatus%3Dnew"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/admin/?status=new"' in page
    response = staff.login(next="/admin/?status=new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/?status=new"
    assert client.get("/admin/?status=new").status_code == 200


def test_sign_in_page_is_open_and_has_no_staff_header(client):
    response = client.get("/admin/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'type="password"' in html
    assert 'autocomplete="current-password"' in html
    assert "Sign out" not in html and "Abmelden" not in html
    assert 'data-hx-history="false"' in html
    assert response.headers["Cache-Control"] == "no-store, private"


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        (STAFF_EMAIL, "wrong password!", "The e-mail address or password is not correct"),
        ("nobody@example.org", STAFF_PASSWORD, "The e-mail address or password is not correct"),
        ("", STAFF_PASSWORD, "Enter your e-mail address"),
        (STAFF_EMAIL, "", "Enter your password"),
    ],
)
def test_wrong_or_missing_credentials_show_the_form_again(client, staff, email, password, message):
    staff.choose_language("en")
    response = staff.login(email=email, password=password)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert message in html
    assert "<title>Error:" in html
    assert STAFF_PASSWORD not in html
    assert client.get("/admin/").status_code == 302  # still not signed in


def test_expired_token_on_sign_in_keeps_the_email(client, staff):
    staff.choose_language("en")
    response = client.post(
        "/admin/login",
        data={"csrf_token": "expired", "email": STAFF_EMAIL, "password": STAFF_PASSWORD},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This page was open for a long time. Please send it again." in html
    assert f'value="{STAFF_EMAIL}"' in html
    assert client.get("/admin/").status_code == 302


def test_email_is_matched_without_case_or_spaces(client, staff):
    response = staff.login(email="  Staff@Example.ORG ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_inactive_account_cannot_sign_in(app, client, staff):
    with app.app_context():
        db.session.get(StaffUser, staff.user_id).active = False
        db.session.commit()
    assert staff.login().status_code == 422
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "http://evil.example/admin/",
        "https:evil.example",
        "\\\\evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
        " /admin/",
    ],
)
def test_next_must_be_a_local_path(client, staff, target):
    response = staff.login(next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_next_is_also_checked_on_the_sign_in_page_itself(client):
    html = client.get("/admin/login?next=//evil.example/").get_data(as_text=True)
    assert "evil.example" not in html


def test_signed_in_staff_opening_sign_in_go_to_the_list(client, staff):
    staff.login()
    response = client.get("/admin/login?next=https://evil.example/")
    assert response.headers["Location"] == "/admin/"


def test_guessing_address_is_delayed_for_that_account_only(client, staff):
    staff.choose_language("en")
    for _ in range(3):  # LOGIN_FREE_FAILURES: 3, then this address has to wait
        assert staff.login(password="not the password").status_code == 422
    # Now even the right password is refused here, with a clear message and the form again.
    response = staff.login()
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Too many sign-in attempts. Please wait a few minutes and try again." in html
    assert 'type="password"' in html
    assert f'value="{STAFF_EMAIL}"' in html
    assert client.get("/admin/").status_code == 302
    # Another account from the same client is not blocked by this account's failures.
    staff.create("other@example.org", STAFF_PASSWORD)
    assert staff.login(email="other@example.org").status_code == 302


def test_throttled_per_client(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for number in range(3):
        token = csrf_from(client.get("/admin/login").get_data(as_text=True))
        response = client.post(
            "/admin/login",
            data={"csrf_token": token, "email": f"guess{number}@example.org", "password": "x"},
        )
        assert response.status_code == 422
    token = csrf_from(client.get("/admin/login").get_data(as_text=True))
    response = client.post(
        "/admin/login", data={"csrf_token": token, "email": "guess9@example.org", "password": "x"}
    )
    assert response.status_code == 429
    # German is the default language of the staff area.
    assert "Zu viele Anmeldeversuche" in response.get_data(as_text=True)


def test_successful_sign_ins_do_not_use_up_the_limit(client, staff):
    for _ in range(7):
        assert staff.login().status_code == 302
        assert staff.logout().status_code == 302


def test_sign_out(client, staff):
    staff.login()
    html = client.get("/admin/").get_data(as_text=True)
    assert STAFF_EMAIL in html
    response = staff.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/login"
    assert client.get("/admin/").status_code == 302


def test_sign_out_needs_the_csrf_token(client, staff):
    staff.login()
    assert client.post("/admin/logout").status_code == 400
    assert client.get("/admin/").status_code == 200


def test_session_cookie_is_httponly_and_samesite_lax(client, staff):
    response = staff.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in tests


def test_session_cookie_is_secure_when_configured_for_https(app_factory):
    client = app_factory(SESSION_COOKIE_SECURE=True).test_client()
    response = client.get("/admin/login", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


def test_password_is_stored_as_a_scrypt_hash(app, staff):
    with app.app_context():
        user = db.session.get(StaffUser, staff.user_id)
        assert user.password_hash.startswith("scrypt:")
        assert STAFF_PASSWORD not in user.password_hash


def test_language_choice_is_remembered_on_the_account(app, client, staff):
    staff.login()
    assert '<html lang="de">' in client.get("/admin/").get_data(as_text=True)
    token = staff.token("/admin/")
    response = client.post(
        "/admin/language", data={"csrf_token": token, "lang": "en", "next": "/admin/?status=new"}
    )
    assert response.headers["Location"] == "/admin/?status=new"
    html = client.get("/admin/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Help requests" in html
    with app.app_context():
        assert db.session.get(StaffUser, staff.user_id).language == "en"
    # A fresh browser: German until sign-in, then the staff member's English again.
    fresh = app.test_client()
    assert '<html lang="de">' in fresh.get("/admin/login").get_data(as_text=True)
    token = csrf_from(fresh.get("/admin/login").get_data(as_text=True))
    fresh.post(
        "/admin/login", data={"csrf_token": token, "email": STAFF_EMAIL, "password": STAFF_PASSWORD}
    )
    assert '<html lang="en">' in fresh.get("/admin/").get_data(as_text=True)


def test_language_switch_refuses_other_targets_and_codes(app, client, staff):
    staff.login()
    token = staff.token("/admin/")
    response = client.post(
        "/admin/language", data={"csrf_token": token, "lang": "fr", "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/admin/"
    assert '<html lang="de">' in client.get("/admin/").get_data(as_text=True)


def test_language_button_on_the_sign_in_page(client, staff):
    page = client.get("/admin/login?next=/admin/requests/1").get_data(as_text=True)
    back = re.search(r'name="next" value="([^"]+)"', page).group(1)
    assert back == "/admin/login?next=/admin/requests/1"
    response = client.post(
        "/admin/language", data={"csrf_token": csrf_from(page), "lang": "en", "next": back}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == back
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in to the help desk" in html
    assert '<button class="link-button" type="submit" name="lang" value="de" lang="de">' in html


def test_a_link_cannot_change_a_signed_in_language(client, staff):
    """Another site linking to /admin/login?lang=… changed the language of a signed-in
    session; the choice is now a POST with a CSRF token."""
    staff.login()
    client.get("/admin/login?lang=en")
    assert '<html lang="de">' in client.get("/admin/").get_data(as_text=True)
    token = staff.token("/admin/")
    assert client.post("/admin/language", data={"lang": "en"}).status_code == 400  # no token
    client.post("/admin/language", data={"csrf_token": token, "lang": "en"})
    assert '<html lang="en">' in client.get("/admin/").get_data(as_text=True)


def test_public_pages_do_not_link_to_the_staff_area(client):
    for url in ("/de/", "/en/", "/de/help", "/en/privacy"):
        assert "/admin" not in client.get(url).get_data(as_text=True)


def test_help_form_mail_link_shape_reaches_the_detail_page(app):
    # The help form's staff e-mail links to PUBLIC_BASE_URL + "/admin/requests/<id>".
    with app.test_request_context():
        from flask import url_for

        assert url_for("admin.detail", request_id=7) == "/admin/requests/7"
