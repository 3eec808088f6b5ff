"""Rate limits: the help form, the status lookup and sign-in keep their limits (POST only);
reading pages never counts against them."""

from tests.support.csrf import csrf_from

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


def test_the_status_lookup_keeps_its_limit_and_its_page_does_not_count(app_factory):
    client = app_factory(HELP_STATUS_RATE_LIMIT="2 per minute").test_client()
    statuses = []
    for _ in range(3):
        for url in [*PUBLIC, "/de/help/status"] * 3:
            assert client.get(url).status_code in (200, 404)
        token = csrf_from(client.get("/de/help/status").get_data(as_text=True))
        data = {"csrf_token": token, "reference": "H-2026-000001", "email": "a@example.org"}
        statuses.append(client.post("/de/help/status", data=data).status_code)
    assert 429 not in statuses[:2]
    assert statuses[2] == 429
