"""The request list: order, columns, filters, search, paging (with and without htmx), CSV."""

import csv
import io
import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/admin/"}


def rows(html: str) -> list[str]:
    """The references in the list's table, in the order shown."""
    return re.findall(r'<th scope="row"><a href="/admin/requests/\d+">([^<]+)</a>', html)


@pytest.fixture
def signed_in(client, staff):
    staff.login()
    staff.choose_language("en")  # English labels for the assertions below
    return client


def at(days_ago: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days_ago)


def test_newest_first_with_the_columns(signed_in, make_request):
    make_request(reference="H-OLD", created_at=at(3), name="Anna Alt", topic="housing")
    make_request(
        reference="H-NEW", created_at=at(1), name="Bert Neu", topic="recomine", status="in_progress"
    )
    html = signed_in.get("/admin/").get_data(as_text=True)
    assert rows(html) == ["H-NEW", "H-OLD"]
    for header in ("Reference", "Received", "Topic", "Name", "Status"):
        assert f'<th scope="col">{header}</th>' in html
    assert "Anna Alt" in html and "Bert Neu" in html
    assert "<td>Housing</td>" in html
    assert "<td>rECOmine</td>" in html  # an initiative topic shows the initiative's name
    assert '<span class="status status-in_progress">In progress</span>' in html
    assert "2 requests found" in html


def test_spam_is_hidden_unless_asked_for(signed_in, make_request):
    make_request(reference="H-REAL")
    make_request(reference="H-SPAM", is_spam=True)
    assert rows(signed_in.get("/admin/").get_data(as_text=True)) == ["H-REAL"]
    assert rows(signed_in.get("/admin/?spam=y").get_data(as_text=True)) == ["H-SPAM"]


def test_filter_by_status_and_topic(signed_in, make_request):
    make_request(reference="H-A", status="new", topic="job")
    make_request(reference="H-B", status="closed", topic="job")
    make_request(reference="H-C", status="new", topic="childcare")
    assert rows(signed_in.get("/admin/?status=new").get_data(as_text=True)) == ["H-C", "H-A"]
    assert rows(signed_in.get("/admin/?topic=job").get_data(as_text=True)) == ["H-B", "H-A"]
    html = signed_in.get("/admin/?status=new&topic=job").get_data(as_text=True)
    assert rows(html) == ["H-A"]
    # The form shows the filter that is in effect.
    assert '<option selected value="new">' in html
    assert '<option selected value="job">' in html


def test_unknown_filter_values_are_ignored(signed_in, make_request):
    make_request(reference="H-A")
    response = signed_in.get("/admin/?status=bogus&topic=<x>&page=abc")
    assert response.status_code == 200
    assert rows(response.get_data(as_text=True)) == ["H-A"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("H-FIND", ["H-FIND-1"]),
        ("zoë", ["H-FIND-1"]),
        ("ZOË@EXAMPLE", ["H-FIND-1"]),
        ("kita", ["H-OTHER"]),
        ("%", []),
        ("_", []),
        ("nothing like it", []),
    ],
)
def test_search_reference_name_email_and_message(signed_in, make_request, query, expected):
    make_request(reference="H-FIND-1", name="Zoë Beispiel", email="zoë@example.org")
    make_request(reference="H-OTHER", message="Wir suchen einen Kita-Platz.")
    html = signed_in.get("/admin/", query_string={"q": query}).get_data(as_text=True)
    assert rows(html) == expected
    assert f'value="{query}"' in html or query in ("%", "_")


def test_paging_25_per_page(signed_in, make_request):
    for number in range(30):
        make_request(reference=f"H-{number:03d}", created_at=at(30 - number), status="new")
    html = signed_in.get("/admin/?status=new").get_data(as_text=True)
    assert len(rows(html)) == 25
    assert rows(html)[0] == "H-029"
    assert "30 requests found" in html
    assert 'href="/admin/?status=new&amp;page=2"' in html
    assert re.search(r'href="/admin/\?status=new"[^>]*aria-current="page"', html)
    page2 = signed_in.get("/admin/?status=new&page=2").get_data(as_text=True)
    assert rows(page2) == ["H-004", "H-003", "H-002", "H-001", "H-000"]
    assert re.search(r'href="/admin/\?status=new&amp;page=2"[^>]*aria-current="page"', page2)
    # A page past the end shows the last page rather than nothing.
    assert rows(signed_in.get("/admin/?status=new&page=9").get_data(as_text=True))[0] == "H-004"


def test_paging_and_filter_links_work_with_htmx(signed_in, make_request):
    for number in range(26):
        make_request(reference=f"H-{number:03d}", created_at=at(30 - number))
    html = signed_in.get("/admin/").get_data(as_text=True)
    link = re.search(r'<a rel="next" ([^>]*)>', html).group(1)
    assert 'href="/admin/?page=2"' in link
    assert 'data-hx-get="/admin/?page=2"' in link
    assert 'data-hx-target="#results"' in link and 'data-hx-push-url="true"' in link
    form = re.search(r'<form class="filter"[^>]*>', html).group(0)
    assert 'method="get"' in form and 'data-hx-get="/admin/"' in form
    assert 'data-hx-push-url="true"' in form


def test_htmx_gets_only_the_results_and_announces_them(signed_in, make_request):
    make_request(reference="H-A", status="new")
    make_request(reference="H-B", status="closed")
    response = signed_in.get("/admin/?status=closed", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in html and "<form" not in html
    assert html.lstrip().startswith('<div id="results"')
    assert rows(html) == ["H-B"]
    assert 'data-swap-focus data-announce="1 request found"' in html
    # The same address opened directly (pushed URL, reload, new tab) is the full page.
    full = signed_in.get("/admin/?status=closed")
    assert "<html" in full.get_data(as_text=True)
    assert "HX-Request" in full.headers["Vary"]
    # A history restore needs the full page too.
    restore = signed_in.get(
        "/admin/?status=closed", headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.get_data(as_text=True)


def test_list_escapes_what_visitors_typed(signed_in, make_request):
    make_request(name='<script>alert("x")</script>')
    html = signed_in.get("/admin/").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_empty_list_says_so(signed_in):
    html = signed_in.get("/admin/?q=nobody").get_data(as_text=True)
    assert "0 requests found" in html
    assert "No requests match this filter." in html
    assert "<table" not in html


# --- CSV export -----------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_csv_has_bom_header_umlauts_and_follows_the_filter(signed_in, make_request):
    make_request(
        reference="H-A",
        status="new",
        name="Jürgen Größe",
        organisation="Müller & Söhne",
        message="Zeile eins\nZeile zwei; mit Semikolon",
    )
    make_request(reference="H-B", status="closed", name="Other Person")
    html = signed_in.get("/admin/?status=new").get_data(as_text=True)
    assert 'href="/admin/export.csv?status=new"' in html
    response = signed_in.get("/admin/export.csv?status=new")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="requests-')
    assert response.headers["Cache-Control"] == "no-store, private"
    table = read_csv(response)
    assert table[0][:5] == ["Reference", "Received", "Status", "Topic", "Name"]
    assert len(table) == 2
    row = dict(zip(table[0], table[1], strict=True))
    assert row["Reference"] == "H-A"
    assert row["Name"] == "Jürgen Größe"
    assert row["Organisation"] == "Müller & Söhne"
    assert row["Message"] == "Zeile eins\nZeile zwei; mit Semikolon"
    assert row["Status"] == "New"
    assert "Größe".encode() in response.data


def test_csv_includes_every_page(signed_in, make_request):
    for number in range(30):
        make_request(reference=f"H-{number:03d}")
    assert len(read_csv(signed_in.get("/admin/export.csv?page=2"))) == 31


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_neutralises_formula_injection(signed_in, make_request, start):
    payload = f'{start}HYPERLINK("http://evil.example","click")'
    make_request(reference="H-X", name=payload, message=payload, phone=f"{start}49 371 1234")
    table = read_csv(signed_in.get("/admin/export.csv"))
    row = dict(zip(table[0], table[1], strict=True))
    for column in ("Name", "Message", "Phone"):
        assert row[column].startswith("'" + start), column
        assert row[column][1:] == (payload if column != "Phone" else f"{start}49 371 1234")


def test_csv_leaves_ordinary_text_alone(signed_in, make_request):
    make_request(reference="H-X", name="Anna Müller", message="1 + 1 = 2")
    row = read_csv(signed_in.get("/admin/export.csv"))[1]
    assert "Anna Müller" in row and "1 + 1 = 2" in row


@pytest.mark.parametrize("query", ["özil.probe", "ÖZIL.PROBE@EXAMPLE", "O\u0308zil"])
def test_search_finds_an_address_in_any_case_or_unicode_form(signed_in, make_request, query):
    make_request(reference="H-OZIL", email="ÖZIL.Probe@Example.org")
    make_request(reference="H-OZ", email="ozil.probe@example.org")
    html = signed_in.get("/admin/", query_string={"q": query}).get_data(as_text=True)
    assert rows(html) == ["H-OZIL"]
