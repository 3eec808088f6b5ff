"""A visitor on a phone reads the overview, opens a summary and switches language."""

from playwright.sync_api import expect


def test_expand_and_collapse_a_summary_without_a_page_load(live_server, phone):
    phone.goto(f"{live_server}/de/")
    expect(phone.locator("h1")).to_contain_text("Die Zukunft beginnt jetzt")
    phone.evaluate("window.__sameDocument = true")  # lost if the page reloads

    card = phone.locator("#card-smarterz")
    toggle = card.locator("a.toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()

    expect(card.locator(".card-summary")).to_be_visible()
    expect(card.locator("dl.facts")).to_contain_text("Förderung")
    expect(card.locator("a.toggle")).to_have_attribute("aria-expanded", "true")
    expect(card.locator("a.toggle")).to_be_focused()
    expect(phone.locator("#announcer")).to_contain_text("SmartERZ")
    assert phone.evaluate("window.__sameDocument") is True
    assert phone.url == f"{live_server}/de/"

    card.locator("a.toggle").click()
    expect(card.locator(".card-summary")).to_have_count(0)
    expect(card.locator("a.toggle")).to_have_attribute("aria-expanded", "false")
    expect(card.locator("a.toggle")).to_be_focused()
    assert phone.evaluate("window.__sameDocument") is True


def test_keyboard_user_opens_a_summary(live_server, phone):
    phone.goto(f"{live_server}/de/")
    toggle = phone.locator("#card-recomine a.toggle")
    toggle.focus()
    phone.keyboard.press("Enter")
    expect(phone.locator("#card-recomine .card-summary")).to_be_visible()
    expect(phone.locator("#card-recomine a.toggle")).to_be_focused()


def test_switching_language_stays_on_the_same_page(live_server, phone):
    phone.goto(f"{live_server}/de/initiatives/blockchain-mittweida")
    phone.locator(".lang-switch summary").click()
    phone.get_by_role("link", name="English").click()
    phone.wait_for_url(f"{live_server}/en/initiatives/blockchain-mittweida")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("link", name="Back to the overview")).to_be_visible()


def test_without_javascript_read_more_opens_the_detail_page(live_server, phone_nojs):
    phone_nojs.goto(f"{live_server}/de/")
    phone_nojs.locator("#card-recomine a.toggle").click()
    phone_nojs.wait_for_url(f"{live_server}/de/initiatives/recomine")
    expect(phone_nojs.locator("h1")).to_have_text("rECOmine")
    expect(phone_nojs.locator("dl.facts")).to_be_visible()
