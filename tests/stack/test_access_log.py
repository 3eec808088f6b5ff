"""nginx's access log holds paths, never query strings: staff search by name and e-mail
address, and a visitor's status lookup link carries a reference number.

The fault: the format logged `$request`, so `/admin/?q=jana%40example.org` and
`/admin/export.csv?q=Jana+Nowak` stood in the access log as typed.
"""

from urllib.parse import quote

from tests.support.waiting import wait_until

SEARCHES = [
    f"/admin/?q={quote('jana@example.org')}&status=new",
    "/admin/export.csv?q=Jana+Nowak",
    f"/de/help/status?reference=H-2026-000001&email={quote('x@y.z')}",
]


def test_no_query_string_reaches_nginx_access_log(site):
    for path in SEARCHES:
        assert site.get(path).status in (200, 302), path
    # nginx writes a request's line after its answer has gone out: wait for the last one.
    wait_until(
        lambda: '"GET /de/help/status HTTP/1.1"' in "\n".join(site.access_log()),
        message="the status lookup is not in the access log",
    )
    log = "\n".join(site.access_log())
    assert '"GET /admin/ HTTP/1.1" 302' in log
    assert '"GET /admin/export.csv HTTP/1.1" 302' in log
    assert '"GET /de/help/status HTTP/1.1" 200' in log
    for secret in ("jana", "Jana", "Nowak", "x%40y.z", "x@y.z", "H-2026-000001", "q=", "?"):
        assert secret not in log, secret
