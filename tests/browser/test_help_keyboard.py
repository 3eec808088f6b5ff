"""Someone who uses only the keyboard fills in the help form, makes a mistake and sends it."""

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ContactRequest


def tab_to(page, element_id: str, limit: int = 40) -> None:
    """Press Tab until the element has focus; fail if it never does."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def focus_is_visible(page) -> bool:
    """The focused element draws an outline or a focus ring."""
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                          || s.boxShadow !== 'none'; }"""
    )


def test_help_form_with_the_keyboard_only(app, live_server, desktop):
    page = desktop
    page.goto(f"{live_server}/en/help")

    tab_to(page, "name")
    assert focus_is_visible(page)
    page.keyboard.type("Mihai Popescu")
    tab_to(page, "email")
    page.keyboard.type("mihai@example.ro")
    tab_to(page, "topic")
    assert focus_is_visible(page)
    page.keyboard.type("Housing")
    tab_to(page, "message")  # left empty
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the privacy link, onto the button
    expect(page.get_by_role("button", name="Send request")).to_be_focused()
    assert focus_is_visible(page)
    page.keyboard.press("Enter")

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your message")
    expect(page.locator("#announcer")).to_contain_text("There is a problem")
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Enter your message")).to_be_focused()
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_be_focused()
    page.keyboard.type("We are moving to Zwickau in March and need a flat.")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the privacy link, onto the button
    page.keyboard.press("Enter")

    heading = page.get_by_role("heading", name="Your request has been sent")
    expect(heading).to_be_focused()
    reference = page.locator(".reference").inner_text()
    with app.app_context():
        row = db.session.scalar(select(ContactRequest))
        assert (row.reference, row.topic, row.name) == (reference, "housing", "Mihai Popescu")
