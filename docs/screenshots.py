"""`make screenshots`: the README's pictures, taken from the real pages of a demo instance.

Builds a throw-away SQLite database in a temporary folder (the migrations, the
initiatives, `demo load`), serves it with werkzeug on loopback and photographs the
pages with Debian's Chromium (CHROMIUM overrides /usr/bin/chromium) through Playwright.
Phone pictures are 390 px wide, desktop ones 1280 px, one device pixel per CSS pixel,
so the files stay small. Writes SHOTS into docs/screenshots/; commit them with the
README, which shows every one (tests/test_screenshots.py checks that).
"""

import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Every picture this script writes, in the order the README shows them.
SHOTS = (
    "overview-phone.png",
    "initiative-card-phone.png",
    "help-form-errors-phone.png",
    "help-sent-phone.png",
    "staff-list.png",
    "staff-request.png",
)


def build_site(folder: Path):
    """An app on a fresh demo database in `folder`; returns it and the demo password."""
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp import demo
    from webapp.content import loader

    uri = f"sqlite:///{folder / 'site.db'}"
    app = create_app(
        {
            "DATABASE_URL": uri,  # wins over a DATABASE_URL in the environment
            "SQLALCHEMY_DATABASE_URI": uri,
            "SECRET_KEY": "screenshots",
            "MAIL_SERVER": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "PAGE_CACHE_SECONDS": 0,
        },
        instance_path=str(folder / "instance"),
    )
    os.environ["DEMO_ALLOWED"] = "1"  # a temporary SQLite file: the demo's own database
    with app.app_context():
        upgrade()
        loader.load(Path(app.config["CONTENT_FILE"]), tuple(app.config["LANGUAGES"]))
        password = demo.load().password
    return app, password


def photograph(base: str, password: str) -> None:
    """Visit the pages as a visitor and a member of staff would, saving SHOTS."""
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        phone = browser.new_context(viewport=PHONE, locale="en-GB").new_page()

        phone.goto(f"{base}/en/")
        phone.screenshot(path=OUT / "overview-phone.png")

        card = phone.locator("#card-recomine")
        card.locator("a.toggle").click()
        card.locator(".card-summary").wait_for()
        phone.wait_for_timeout(300)  # let the focus ring settle
        card.screenshot(path=OUT / "initiative-card-phone.png")

        phone.goto(f"{base}/en/help")
        phone.get_by_label("Your name").fill("Jana Nováková")
        phone.get_by_label("E-mail address").fill("jana(at)example.org")
        phone.get_by_label("What is your question about?").select_option("housing")
        phone.get_by_label("Your message").fill(
            "We are moving to Zwickau in spring with two children and need a flat."
        )
        phone.get_by_role("button", name="Send request").click()
        phone.locator(".error-summary").wait_for()
        phone.wait_for_timeout(300)
        phone.screenshot(path=OUT / "help-form-errors-phone.png")

        phone.get_by_label("E-mail address").fill("jana@example.org")
        phone.get_by_label("I agree").check()
        phone.get_by_role("button", name="Send request").click()
        phone.locator(".help-sent").wait_for()  # swapped in place by htmx
        phone.wait_for_timeout(300)
        phone.screenshot(path=OUT / "help-sent-phone.png")

        desktop = browser.new_context(viewport=DESKTOP, locale="en-GB").new_page()
        desktop.goto(f"{base}/admin/login")
        english = desktop.get_by_role("button", name="English")
        if english.count():  # the browser's English may have chosen it already
            english.click()
        desktop.get_by_label("E-mail address").fill("demo@example.org")
        desktop.get_by_label("Password").fill(password)
        desktop.get_by_role("button", name="Sign in").click()
        desktop.wait_for_url(f"{base}/admin/")
        desktop.screenshot(path=OUT / "staff-list.png")

        desktop.locator("tr", has_text="Dr Priya Raman").get_by_role("link").click()
        desktop.locator("#conversation").wait_for()
        # The top of the page: what the visitor sent, the status, the e-mails.
        top = {"x": 0, "y": 0, "width": DESKTOP["width"], "height": 1300}
        desktop.screenshot(path=OUT / "staff-request.png", full_page=True, clip=top)
        browser.close()


def main() -> None:
    from werkzeug.serving import make_server

    with tempfile.TemporaryDirectory(prefix="screenshots-") as folder:
        app, password = build_site(Path(folder))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            photograph(f"http://127.0.0.1:{server.server_port}", password)
        finally:
            server.shutdown()
            server.server_close()
    for name in SHOTS:
        size = (OUT / name).stat().st_size
        print(f"docs/screenshots/{name}: {size // 1024} KB")


if __name__ == "__main__":
    main()
