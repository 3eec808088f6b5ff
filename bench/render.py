"""The render path without any cache: the overview for a visitor with a cookie, against hello.

Builds a fresh SQLite database in a temporary directory (migrations + content), starts the
site and bench/hello.py (a bare Flask "hello") under the same gunicorn settings
(gunicorn.conf.py, access log off), and loads them in turn with wrk: hello, page, hello,
page, ... (BENCH_ROUNDS pages), so each page run is compared with the hello runs on either
side of it and the machine's drift (other work on it) cancels out as far as it can. The
site is asked for `/de/` with the session cookie a visitor gets from the help form and
`Accept-Encoding: gzip`, so nothing can serve it from a cache: every request is routed,
rendered, compressed and given its ETag.

Prints requests/s, p50, p99 and the median of the rounds' ratios to hello (target: at
least 0.2), and writes the section to bench/results/render.md. Only loopback traffic.

Settings (environment): BENCH_DURATION (5), BENCH_ROUNDS (3), BENCH_CONNECTIONS (64),
BENCH_WRK_THREADS (2), GUNICORN_WORKERS (2), GUNICORN_THREADS (4).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from datetime import UTC
from datetime import datetime
from http.cookiejar import CookieJar
from pathlib import Path
from statistics import median

import rig
from rig import BENCH
from rig import BIN
from rig import CONNECTIONS
from rig import ROOT
from rig import THREADS
from rig import WORKERS
from rig import WRK_THREADS
from rig import free_port
from rig import start_gunicorn
from rig import wait_for

DURATION = int(os.environ.get("BENCH_DURATION", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TARGET = 0.2


def visitor_cookie(site: str) -> str:
    """Open the help form as a visitor: the session cookie it leaves (CSRF token inside)."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{site}/de/help", timeout=5).read()
    cookies = [f"{c.name}={c.value}" for c in jar]
    if not cookies:
        raise SystemExit("bench: the help form set no cookie")
    return "; ".join(cookies)


def measure(name: str, url: str, headers: dict) -> dict:
    rig.wrk(url, 1, headers)  # warm-up: workers loaded, content read
    result = {"name": name, **rig.wrk(url, DURATION, headers)}
    print(
        f"  {name:<28} {result['rps']:>8.0f} req/s  p50 {result['p50']:6.1f} ms"
        f"  p99 {result['p99']:6.1f} ms  non-2xx {result['non_2xx']}",
        flush=True,
    )
    return result


def main() -> int:
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is missing (Debian: apt-get install wrk)")
    temp = Path(tempfile.mkdtemp(prefix="bench-render-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{temp / 'site.db'}",
        "SECRET_KEY": "bench",
        "RATELIMIT_STORAGE_URI": "memory://",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(flask + ["content", "load"], cwd=ROOT, env=env, check=True)
    site_port, hello_port = free_port(), free_port()
    servers = [
        start_gunicorn("wsgi:app", site_port, env),
        start_gunicorn("hello:app", hello_port, env, ["--pythonpath", str(BENCH)]),
    ]
    try:
        site, hello = f"http://127.0.0.1:{site_port}", f"http://127.0.0.1:{hello_port}"
        wait_for(f"{site}/healthz")
        wait_for(f"{hello}/")
        gz = {"Accept-Encoding": "gzip"}
        page = {**gz, "Cookie": visitor_cookie(site)}
        print(
            f"bench/render.py: {CONNECTIONS} connections, {DURATION} s each, gunicorn "
            f"{WORKERS} workers x {THREADS} threads",
            flush=True,
        )
        hellos = [measure("hello", f"{hello}/", gz)]
        pages = []
        for _ in range(ROUNDS):
            pages.append(measure("overview, cookie, no cache", f"{site}/de/", page))
            hellos.append(measure("hello", f"{hello}/", gz))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        shutil.rmtree(temp, ignore_errors=True)
    for number, item in enumerate(pages):
        item["hello_rps"] = (hellos[number]["rps"] + hellos[number + 1]["rps"]) / 2
        item["ratio"] = item["rps"] / item["hello_rps"]
    report = render(hellos, pages)
    (BENCH / "results").mkdir(exist_ok=True)
    (BENCH / "results" / "render.md").write_text(report)
    print(report)
    return 0 if median(item["ratio"] for item in pages) >= TARGET else 1


def render(hellos: list[dict], pages: list[dict]) -> str:
    ratio = median(item["ratio"] for item in pages)
    lines = [
        "## The render path without any cache",
        "",
        f"Written by `bench/render.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: gunicorn.conf.py "
        f"with {WORKERS} workers x {THREADS} threads (gthread), access log off for both apps, "
        f"SQLite (WAL); wrk with {WRK_THREADS} threads, {CONNECTIONS} connections, {DURATION} s "
        "after 1 s warm-up, client and servers on the same cores over loopback. The overview "
        "`/de/` is asked with the help form's session cookie and `Accept-Encoding: gzip`, "
        "straight from gunicorn: every request is rendered, gzipped and given an ETag. Runs in "
        "the order shown; each page run's ratio is to the mean of the hello runs on either side.",
        "",
        "| run | req/s | p50 ms | p99 ms | non-2xx | ratio to hello |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for number, item in enumerate(hellos):
        lines.append(row(item, ""))
        if number < len(pages):
            lines.append(row(pages[number], f"{pages[number]['ratio']:.2f}"))
    verdict = "met" if ratio >= TARGET else "MISSED"
    lines += [
        "",
        f"Median ratio to hello: **{ratio:.2f}** (target ≥ {TARGET}: {verdict}).",
    ]
    return "\n".join(lines) + "\n"


def row(item: dict, ratio: str) -> str:
    return (
        f"| {item['name']} | {item['rps']:.0f} | {item['p50']:.1f} | {item['p99']:.1f} | "
        f"{item['non_2xx']} | {ratio} |"
    )


if __name__ == "__main__":
    sys.exit(main())
