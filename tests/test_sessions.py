"""Staff sessions end when they should: sign-out, a new password, deactivation, a working
day after sign-in. A copied session cookie stops working at that moment (the attack: a
cookie saved before sign-out opened /admin/ for 31 days)."""

from datetime import timedelta

import pytest
import time_machine
from flask import session
from flask_login.utils import encode_cookie

from webapp.extensions import db
from webapp.models import StaffUser

STAFF_EMAIL = "staff@example.org"  # the `staff` fixture's account
NEW_PASSWORD = "a brand new passphrase"


def saved_cookie(client) -> str:
    """The session cookie as an attacker would copy it from the browser."""
    return client.get_cookie("session").value


def browser_with(app, cookie: str):
    """Another browser presenting a copied session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def opens_staff_area(browser) -> bool:
    response = browser.get("/admin/")
    return response.status_code == 200 and STAFF_EMAIL in response.get_data(as_text=True)


def test_a_copied_cookie_works_while_signed_in(app, client, staff):
    staff.login()
    assert opens_staff_area(browser_with(app, saved_cookie(client)))


def test_sign_out_ends_every_earlier_session_of_the_account(app, client, staff, staff_actions):
    staff.login()
    copied = saved_cookie(client)
    second_browser = app.test_client()
    staff_actions(app, second_browser).login()
    assert opens_staff_area(second_browser)
    staff.logout()
    assert not opens_staff_area(browser_with(app, copied))
    assert not opens_staff_area(second_browser)
    assert browser_with(app, copied).get("/admin/").headers["Location"].startswith("/admin/login")


@pytest.mark.parametrize(
    "command",
    [
        ["admin", "set-password", STAFF_EMAIL, "--password-stdin"],
        ["admin", "deactivate", STAFF_EMAIL],
    ],
    ids=["set-password", "deactivate"],
)
def test_new_password_or_deactivation_ends_sessions_at_once(app, client, staff, command):
    staff.login()
    copied = saved_cookie(client)
    result = app.test_cli_runner().invoke(args=command, input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "ended" in result.output
    assert not opens_staff_area(client)
    assert not opens_staff_area(browser_with(app, copied))


def test_after_a_new_password_the_new_one_signs_in(app, client, staff):
    result = app.test_cli_runner().invoke(
        args=["admin", "set-password", STAFF_EMAIL, "--password-stdin"], input=NEW_PASSWORD + "\n"
    )
    assert result.exit_code == 0
    assert staff.login().status_code == 422
    assert staff.login(password=NEW_PASSWORD).status_code == 302
    assert opens_staff_area(client)


def test_deactivated_account_can_be_activated_again(app, client, staff):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["admin", "deactivate", STAFF_EMAIL]).exit_code == 0
    assert staff.login().status_code == 422
    assert runner.invoke(args=["admin", "activate", STAFF_EMAIL]).exit_code == 0
    assert staff.login().status_code == 302
    with app.app_context():
        assert db.session.get(StaffUser, staff.user_id).active is True


def test_nothing_from_before_sign_in_survives_it(app, client, staff):
    with client.session_transaction("/admin/") as session:
        session["planted"] = "by someone who had this browser before"
        session["help_reference"] = "H-2026-000001"
    staff.login()
    with client.session_transaction("/admin/") as session:
        assert "planted" not in session
        assert "help_reference" not in session
        assert session["_user_id"].startswith(f"{staff.user_id}.")


def test_a_session_ends_a_working_day_after_sign_in(app, client, staff):
    with time_machine.travel("2026-11-30 07:00 +0000", tick=False) as clock:
        staff.login()
        clock.shift(timedelta(hours=8, minutes=59))
        assert opens_staff_area(client)  # busy all day: still signed in
        clock.shift(timedelta(minutes=2))
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/admin/login")


def test_session_lifetime_can_be_configured(app_factory, staff_actions):
    app = app_factory(STAFF_SESSION_HOURS=2)
    client = app.test_client()
    staff = staff_actions(app, client)
    staff.create()
    with time_machine.travel("2026-11-30 07:00 +0000", tick=False) as clock:
        staff.login()
        clock.shift(timedelta(hours=2, minutes=1))
        assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("user_id", ["{id}", "{id}.0"])
def test_a_forged_remember_me_cookie_does_not_sign_in(app, staff, user_id):
    """Flask-Login reads `remember_token` cookies although the site never issues one."""
    with app.test_request_context():
        cookie = encode_cookie(user_id.format(id=staff.user_id))
    browser = app.test_client()
    browser.set_cookie("remember_token", cookie)
    response = browser.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")


def test_an_emptied_session_deletes_its_cookie_and_an_unused_one_sends_nothing(app):
    """Outside the public pages the session is Flask's own, cookie deletion included."""
    app.add_url_rule("/test/fill", "fill", lambda: session.update(x=1) or "filled")
    app.add_url_rule("/test/empty", "empty", lambda: session.clear() or "emptied")
    app.add_url_rule("/test/unused", "unused", lambda: "unused")
    client = app.test_client()
    unused = client.get("/test/unused")
    assert "Set-Cookie" not in unused.headers
    assert "session=" in client.get("/test/fill").headers["Set-Cookie"]
    emptied = client.get("/test/empty")
    assert emptied.headers["Set-Cookie"].startswith("session=;")
    assert "Expires=Thu, 01 Jan 1970" in emptied.headers["Set-Cookie"]
    assert "Cookie" in emptied.vary
    assert client.get_cookie("session") is None
