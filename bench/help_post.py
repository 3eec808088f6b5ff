"""Does the outbox write slow the help form's POST? Both variants in one run.

Serves the site twice under the same gunicorn settings (gunicorn.conf.py, 2 workers x
4 threads unless GUNICORN_WORKERS/GUNICORN_THREADS say otherwise, access log off), each
on its own fresh SQLite database (WAL) built by the migrations:

- "with outbox": the real app; every accepted POST stores the request and queues two
  e-mails (staff notice, visitor confirmation) in the same transaction (their text is
  written later, by the sender);
- "baseline": the same app with only that queueing taken out (bench/help_post_app.py).

That baseline is the fairest one: it runs the very code a visitor's POST runs (CSRF,
validation, the initiatives query, the INSERT, the commit, the 303), so the difference
is the outbox write and nothing else. A POST rejected at validation would skip the
INSERT and the commit, the most expensive part, and flatter neither side fairly.

Every POST queues both e-mails whatever its address: the per-address daily limit on
confirmations is the sender's. Each uses a new e-mail address all the same (wrk's Lua
numbers them), as real visitors do. The variants
are measured alternately (baseline, outbox, baseline, outbox, ...; BENCH_ROUNDS, 3), and
the median of each is compared, so drift in the machine's load hits both alike. The
outbox sender is not running (no MAIL_SERVER): it is a separate process, and what is
measured is the web request. Writes bench/results/help_post.md. Only loopback traffic.

Settings (environment): BENCH_DURATION (6), BENCH_CONNECTIONS (64), BENCH_WRK_THREADS (2),
BENCH_ROUNDS (3), GUNICORN_WORKERS (2), GUNICORN_THREADS (4); BENCH_POSTGRES_URL (a
PostgreSQL server, e.g. postgresql+psycopg://postgres@127.0.0.1:5432: both variants on
fresh databases there, named BENCH_POSTGRES_PREFIX + variant), BENCH_RESULT (the file
under bench/results/, help_post.md).
"""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from datetime import UTC
from datetime import datetime
from http.cookiejar import CookieJar
from pathlib import Path

import forms
import rig
import sqlalchemy as sa
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

DURATION = int(os.environ.get("BENCH_DURATION", "6"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
EMAIL = "bench@example.org"
BACKEND = "PostgreSQL" if os.environ.get("BENCH_POSTGRES_URL") else "SQLite (WAL)"
# Within this share of the baseline counts as "as fast": one run's noise on 2 shared cores.
TOLERANCE = 0.05

# Each request gets its own address: run, thread number and counter in the local part.
LUA = """
local threads = {}
local counter = 1
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args) accepted = 0; rejected = 0; n = 0; run = args[1] end
function request()
  n = n + 1
  local address = "bench-" .. run .. "-" .. id .. "-" .. n .. "%%40example.org"
  local body = string.gsub(BODY, "EMAIL", address)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = COOKIE,
  }, body)
end
function response(status, headers, body)
  if status == 303 then accepted = accepted + 1 else rejected = rejected + 1 end
end
function done(summary, latency, requests)
  local a, r = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("accepted"); r = r + t:get("rejected") end
  io.write(string.format("accepted=%d\\nrejected=%d\\n", a, r))
end
"""


def database_url(name: str, temp: Path) -> str:
    """A fresh database per variant: a SQLite file, or with BENCH_POSTGRES_URL (a server
    address such as postgresql+psycopg://postgres@127.0.0.1:5432) a PostgreSQL database
    named BENCH_POSTGRES_PREFIX + variant, dropped and created anew."""
    server = os.environ.get("BENCH_POSTGRES_URL")
    if not server:
        return f"sqlite:///{temp / name}.db"
    database = os.environ.get("BENCH_POSTGRES_PREFIX", "bench_help_post_") + name
    engine = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
    engine.dispose()
    return f"{server}/{database}"


def prepare(database: str, env: dict) -> None:
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    env = {**env, "DATABASE_URL": database}
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(flask + ["content", "load"], cwd=ROOT, env=env, check=True, capture_output=True)


def start(database: str, port: int, env: dict, without_outbox: bool) -> subprocess.Popen:
    env = {**env, "DATABASE_URL": database, "BENCH_WITHOUT_OUTBOX": "1" if without_outbox else "0"}
    return start_gunicorn("help_post_app:app", port, env, ["--pythonpath", str(BENCH)])


def lua_for(base: str, path: Path) -> None:
    """A session cookie and a CSRF token from the form, then the script that posts it."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), forms.NoRedirect)
    with opener.open(f"{base}/de/help", timeout=5) as response:
        fields = forms.post_fields(response.read().decode())
    fields["email"] = EMAIL
    probe = forms.post(opener, f"{base}/de/help", urllib.parse.urlencode(fields))
    if probe != 303:
        raise SystemExit(f"bench: the help form did not accept the generated answers ({probe})")
    body = urllib.parse.urlencode(fields).replace(urllib.parse.quote(EMAIL), "EMAIL")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    path.write_text(LUA.replace("BODY", json.dumps(body)).replace("COOKIE", json.dumps(cookie)))


def wrk(url: str, script: Path, duration: int, run: str) -> dict:
    """wrk with the POST script; what the site accepted and rejected, as the script counted."""
    result = rig.wrk(url, duration, script=script, script_args=[run])
    output = result["output"]
    result["accepted"] = int(re.search(r"accepted=(\d+)", output)[1])
    result["rejected"] = int(re.search(r"rejected=(\d+)", output)[1])
    return result


def counts(database: str) -> tuple[int, int, int]:
    """Requests, outbox rows, confirmations to distinct addresses."""
    engine = sa.create_engine(database)
    with engine.connect() as connection:
        requests = connection.scalar(sa.text("SELECT count(*) FROM contact_request"))
        outbox = connection.scalar(sa.text("SELECT count(*) FROM outbox_message"))
        confirmations = connection.scalar(
            sa.text(
                "SELECT count(DISTINCT recipient) FROM outbox_message WHERE kind = 'confirmation'"
            )
        )
    engine.dispose()
    return requests, outbox, confirmations


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def main() -> int:
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is missing (Debian: apt-get install wrk)")
    temp = Path(tempfile.mkdtemp(prefix="bench-help-"))
    env = {
        **os.environ,
        "SECRET_KEY": "bench",
        "HELP_RATE_LIMIT": "1000000 per minute",
        "HELP_CONFIRMATIONS_PER_DAY": "3",
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": "",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    variants = {"baseline": True, "with outbox": False}  # name -> without_outbox
    servers, bases, databases = {}, {}, {}
    runs: dict[str, list[dict]] = {name: [] for name in variants}
    try:
        for name, without in variants.items():
            databases[name] = database_url(name.replace(" ", "_"), temp)
            prepare(databases[name], env)
            port = free_port()
            servers[name] = start(databases[name], port, env, without)
            bases[name] = f"http://127.0.0.1:{port}"
        for name in variants:
            wait_for(f"{bases[name]}/healthz")
            lua_for(bases[name], temp / f"{name.replace(' ', '-')}.lua")
        print(
            f"bench: help POST, {CONNECTIONS} connections, {DURATION} s x {ROUNDS} rounds "
            f"each, gunicorn {WORKERS} workers x {THREADS} threads",
            flush=True,
        )
        for name in variants:  # warm-up: imports, first connections, page caches
            wrk(f"{bases[name]}/de/help", temp / f"{name.replace(' ', '-')}.lua", 1, "w")
        for number in range(ROUNDS):
            for name in variants:
                result = wrk(
                    f"{bases[name]}/de/help",
                    temp / f"{name.replace(' ', '-')}.lua",
                    DURATION,
                    str(number),
                )
                runs[name].append(result)
                print(
                    f"  {name:<12} {result['rps']:>7.0f} req/s  p50 {result['p50']:6.1f} ms"
                    f"  p99 {result['p99']:6.1f} ms  accepted {result['accepted']}"
                    f"  rejected {result['rejected']}",
                    flush=True,
                )
    finally:
        for server in servers.values():
            server.terminate()
        for server in servers.values():
            server.wait(timeout=30)
    tallies = {name: counts(databases[name]) for name in variants}
    shutil.rmtree(temp, ignore_errors=True)
    report = render(runs, tallies)
    (BENCH / "results").mkdir(exist_ok=True)
    result = os.environ.get("BENCH_RESULT", "help_post.md")
    (BENCH / "results" / result).write_text(report)
    print(report)
    return 0


def render(runs: dict[str, list[dict]], tallies: dict[str, tuple[int, int, int]]) -> str:
    base = median([r["rps"] for r in runs["baseline"]])
    outbox = median([r["rps"] for r in runs["with outbox"]])
    ratio = outbox / base
    lines = [
        f"## Help form POST on {BACKEND}: the outbox write against the same POST without it",
        "",
        f"Measured by `bench/help_post.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
        f"({os.cpu_count()} cores, Python {platform.python_version()}). Both variants ran "
        f"in the same run under gunicorn.conf.py with {WORKERS} workers x {THREADS} threads, "
        f"access log off, each on its own fresh {BACKEND} database; wrk with "
        f"{WRK_THREADS} threads, {CONNECTIONS} connections, {DURATION} s per round, "
        f"{ROUNDS} rounds taken alternately after a 1 s warm-up each; client and server "
        "share the machine's cores over loopback.",
        "",
        "- **with outbox**: the site as it is; each POST stores the request and queues the "
        "staff notice and the visitor's confirmation in the same transaction (their text "
        "is written by the sender).",
        "- **baseline**: the same app with only that queueing taken out "
        "(`bench/help_post_app.py` makes `notify.prepare` return no e-mail), i.e. the "
        "help POST as it was before the outbox: same CSRF check, validation, INSERT, "
        "commit and 303.",
        "- Every POST queues both e-mails: the per-address daily limit on confirmations is "
        "applied by the sender, not in the POST. Each uses a new e-mail address all the "
        "same. The outbox sender was not running: it is a separate process.",
        "",
        "| variant | round | req/s | p50 ms | p99 ms | accepted (303) | other |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, results in runs.items():
        for number, r in enumerate(results, 1):
            lines.append(
                f"| {name} | {number} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
                f"{r['accepted']} | {r['rejected']} |"
            )
    lines += [
        "",
        f"Median: baseline {base:.0f} req/s, with outbox {outbox:.0f} req/s: ratio {ratio:.2f}.",
        "",
    ]
    for name, (requests, rows, confirmations) in tallies.items():
        lines.append(
            f"- {name}: {requests} requests stored, {rows} outbox rows, "
            f"{confirmations} confirmations to distinct addresses."
        )
    verdict = (
        f"as fast as the baseline (within the run's noise of {TOLERANCE:.0%})"
        if ratio >= 1 - TOLERANCE
        else f"SLOWER than the baseline by {1 - ratio:.0%}"
    )
    lines += ["", f"Verdict: the help POST with the outbox write is {verdict}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
