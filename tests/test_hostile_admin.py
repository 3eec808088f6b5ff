"""Whatever staff forms receive: never a 500, notes stored exactly, everything escaped."""

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.support.csrf import csrf_from
from tests.support.hostile import ATTACKS
from tests.support.hostile import MARKERS
from tests.support.hostile import examples
from webapp.extensions import db
from webapp.models import Note

text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200),
    st.sampled_from(ATTACKS),
)
SLOW_OK = settings(
    max_examples=examples(400),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SLOW_OK
@given(body=text, htmx=st.booleans())
def test_notes_take_anything(signed_in, body, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    with signed_in.app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(Note))
    response = signed_in.client.post(
        f"/admin/requests/{signed_in.request_id}/notes",
        data={"csrf_token": signed_in.token, "body": body},
        headers=headers,
    )
    assert response.status_code in {200, 303, 413, 422}, response.status_code
    html = response.get_data(as_text=True)
    for marker in MARKERS:
        assert marker not in html
    with signed_in.app.app_context():
        notes = db.session.scalars(select(Note).order_by(Note.id)).all()
    if response.status_code in {200, 303}:
        assert len(notes) == before + 1
        assert notes[-1].body == body.strip()
    else:
        assert len(notes) == before


@SLOW_OK
@given(status=text, htmx=st.booleans())
def test_status_changes_take_anything(signed_in, status, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = signed_in.client.post(
        f"/admin/requests/{signed_in.request_id}/status",
        data={"csrf_token": signed_in.token, "status": status},
        headers=headers,
    )
    assert response.status_code in {200, 303, 422}, (response.status_code, status)


@SLOW_OK
@given(
    q=text,
    status=text,
    topic=text,
    page=st.one_of(text, st.integers().map(str)),
    htmx=st.booleans(),
)
def test_list_filters_take_anything(signed_in, q, status, topic, page, htmx):
    client = signed_in.client
    headers = {"HX-Request": "true"} if htmx else {}
    args = {"q": q, "status": status, "topic": topic, "page": page}
    for url in ("/admin/", "/admin/export.csv"):
        response = client.get(url, query_string=args, headers=headers)
        assert response.status_code == 200, (url, response.status_code, args)
        for marker in MARKERS:
            assert marker not in response.get_data(as_text=True) or url.endswith(".csv")


@pytest.fixture
def unlimited_app(app_factory):
    """Sign-in limits off, so that the form's own checks see every example."""
    return app_factory(LOGIN_RATE_LIMIT="100000 per minute", LOGIN_FREE_FAILURES=100000)


# Each example runs a real password hash (scrypt, about 60 ms): fewer of them than the
# other forms get, the attacks list is still drawn from.
@settings(SLOW_OK, max_examples=examples(150))
@given(email=text, password=text)
def test_sign_in_takes_anything(unlimited_app, email, password):
    client = unlimited_app.test_client()
    html = client.get("/admin/login").get_data(as_text=True)
    token = csrf_from(html)
    response = client.post(
        "/admin/login", data={"csrf_token": token, "email": email, "password": password}
    )
    assert response.status_code in {200, 401, 422, 429}, response.status_code
    for marker in MARKERS:
        assert marker not in response.get_data(as_text=True)
