"""Whatever anyone sends to the help form: never a 500, valid input stored exactly, all escaped."""

import re

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.support.hostile import ATTACKS
from tests.support.hostile import MARKERS
from tests.support.hostile import examples
from webapp.extensions import db
from webapp.models import ContactRequest

FIELDS = ["name", "email", "organisation", "phone", "topic", "message", "consent", "website"]

text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.sampled_from(ATTACKS),
    st.builds(lambda a, b: a + b, st.sampled_from(ATTACKS), st.text(max_size=20)),
)
valid_message = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=10, max_size=400
).filter(lambda m: len(m.strip()) >= 10)
field_value = st.one_of(text, st.lists(text, min_size=2, max_size=3))  # lists: duplicated


@st.composite
def submissions(draw):
    """Mostly-plausible forms with hostile values, missing and duplicated fields."""
    data = {
        "name": draw(st.one_of(text, st.just("Ana Pop"))),
        "email": draw(st.sampled_from(["ana@example.org", "x@y", "", "ä@ö.de", "a@b.c\x00"])),
        "topic": draw(st.sampled_from(["job", "housing", "recomine", "other", "", "<b>x</b>"])),
        "message": draw(st.one_of(valid_message, text)),
        "consent": draw(st.sampled_from(["y", "", "no", "on"])),
    }
    for field in draw(st.sets(st.sampled_from(FIELDS), max_size=3)):
        if draw(st.booleans()):
            data.pop(field, None)
        else:
            data[field] = draw(field_value)
    return data


def settle(value):
    return value[0] if isinstance(value, list) else value


@settings(
    max_examples=examples(1500),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=submissions(), htmx=st.booleans())
def test_help_form_survives_anything(hostile_app, data, htmx):
    app = hostile_app.app
    headers = {"HX-Request": "true"} if htmx else {}
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(ContactRequest))
    response = hostile_app.client.post(
        "/en/help", data={**data, "csrf_token": hostile_app.token}, headers=headers
    )
    html = response.get_data(as_text=True)
    assert response.status_code in {200, 303, 413, 422}, (response.status_code, data)
    for marker in MARKERS:
        assert marker not in html
    with app.app_context():
        rows = db.session.scalars(select(ContactRequest).order_by(ContactRequest.id)).all()
    accepted = response.status_code in {200, 303}
    honeypot = bool((settle(data.get("website")) or "").strip())
    # A bot's request (honeypot filled) is stored too, marked as spam.
    assert len(rows) == before + (1 if accepted else 0)
    if accepted:
        row = rows[-1]
        assert row.is_spam is honeypot
        assert row.name == settle(data["name"]).strip()
        assert row.message == settle(data["message"]).strip()
        assert row.email == settle(data["email"]).strip()
        reference = re.search(r"H-\d{4}-\d{6}", html) if htmx else None
        assert not htmx or reference.group(0) == row.reference


def test_a_huge_body_gets_a_friendly_413(client):
    response = client.post("/en/help", data={"message": "x" * (300 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_a_huge_body_with_htmx_keeps_the_form_in_place(client):
    response = client.post(
        "/de/help", data={"message": "x" * (300 * 1024)}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 413
    assert response.headers["HX-Reswap"] == "none"
    html = response.get_data(as_text=True)
    assert 'id="help-notice" data-hx-swap-oob="true"' in html
    assert "zu groß" in html
