"""Someone pastes far too much text: the form stays as typed and says what to do."""

from playwright.sync_api import expect
from sqlalchemy import func
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ContactRequest


def test_a_huge_paste_keeps_the_form_and_explains(app, live_server, phone):
    phone.goto(f"{live_server}/en/help")
    phone.get_by_label("Your name").fill("Ana Pop")
    huge = "Very long text. " * 20000  # 320,000 characters, over the 256 KB limit
    phone.get_by_label("Your message").fill(huge)
    phone.get_by_role("button", name="Send request").click()

    notice = phone.locator("#help-notice .error-summary")
    expect(notice).to_be_focused()
    expect(notice).to_contain_text("too large")
    expect(phone.locator("#announcer")).to_contain_text("shorten your text")
    expect(phone.get_by_label("Your name")).to_have_value("Ana Pop")
    assert phone.get_by_label("Your message").input_value() == huge
    phone.console_problems.clear()  # the browser logs the 413 it was answered with
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContactRequest)) == 0
