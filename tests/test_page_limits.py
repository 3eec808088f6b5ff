"""Rate limits and the public pages (extensions.PageLimiter): the help form and sign-in keep
their limits; the check before the view is left out only where no limit can reach."""

import pytest
from flask_limiter.util import get_remote_address

from tests.support.csrf import csrf_from
from webapp.extensions import PageLimiter
from webapp.extensions import limiter

PUBLIC = ["/de/", "/en/initiatives/recomine", "/pl/imprint", "/de/leichte-sprache", "/de/nope"]


def help_post(client) -> int:
    token = csrf_from(client.get("/de/help").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "name": "Jana Nováková",
        "email": "jana@example.org",
        "topic": "housing",
        "message": "Ich suche eine Wohnung in Chemnitz für meine Familie.",
        "consent": "y",
        "website": "",
    }
    return client.post("/de/help", data=data).status_code


def test_the_help_form_keeps_its_limit_and_pages_do_not_count(app_factory):
    client = app_factory(HELP_RATE_LIMIT="2 per minute").test_client()
    statuses = []
    for _ in range(3):
        for url in PUBLIC * 4:
            assert client.get(url).status_code in (200, 404)
        statuses.append(help_post(client))
    assert statuses[0] in (200, 303) and statuses[1] in (200, 303)
    assert statuses[2] == 429


def test_sign_in_keeps_its_limit_and_pages_do_not_count(app_factory, staff_actions):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    staff = staff_actions(app, client)
    statuses = []
    for _ in range(4):
        for url in PUBLIC * 4:
            client.get(url)
        statuses.append(staff.login(password="wrong").status_code)
    assert statuses == [422, 422, 422, 429]


@pytest.mark.parametrize(
    ("blueprint", "endpoint"),
    [("public", "public.overview"), ("public", "public.initiative"), ("root", "root.root")],
)
def test_public_pages_are_left_unchecked(app, blueprint, endpoint):
    """No limit over all routes is configured, so nothing can reach a public page."""
    with app.app_context():
        assert limiter._unreachable(blueprint, endpoint)


@pytest.mark.parametrize(
    ("blueprint", "endpoint"), [("help", "help.send"), ("admin", "admin.login"), (None, None)]
)
def test_other_addresses_are_checked(app, blueprint, endpoint):
    with app.app_context():
        assert not limiter._unreachable(blueprint, endpoint)


@pytest.mark.parametrize(
    "limits",
    [{"application_limits": ["2 per minute"]}, {"default_limits": ["2 per minute"]}],
    ids=["application", "default"],
)
def test_a_limit_over_all_routes_reaches_public_pages(app, limits):
    """With such a limit configured the check runs, and counts, on public pages too."""
    own = PageLimiter(key_func=get_remote_address, **limits)
    own.init_app(app)
    client = app.test_client()
    with app.app_context():
        assert not own._unreachable("public", "public.overview")
    assert [client.get("/de/").status_code for _ in range(3)] == [200, 200, 429]
