"""Is the help form's POST at least as fast as before the outbox? Four variants, one run.

Serves the site four times under the same gunicorn settings (gunicorn.conf.py, 2
workers x 4 threads unless GUNICORN_WORKERS/GUNICORN_THREADS say otherwise, access log
off), each on its own fresh database built by the migrations (bench/help_post_app.py):

- "before": the POST as it was before the outbox (up to commit 6a2ee1f^): the request
  is stored; after the response, the request's own thread writes the staff notice,
  sends it over SMTP and records the outcome with an UPDATE and a commit;
- "with outbox": the real app; the request is stored and two e-mails (staff notice,
  visitor's confirmation) are queued in the outbox in the same transaction; no request
  thread talks to SMTP. The sender is not running: what is measured is the web request;
- "outbox+sender": the same with the sender (`flask outbox run`) running beside it
  during its rounds and sending every e-mail: the whole site's work on the same cores;
- "no e-mail": neither queued nor sent, so that the cost of the outbox write by itself
  is shown too (with outbox / no e-mail).

The verdict compares "with outbox" with "before" (issue 11: the outbox write must not
make the help POST slower than it was). All variants run the very code a visitor's POST
runs (CSRF, validation, the initiatives query, the INSERT, the commit, the 303); a POST
rejected at validation would skip the INSERT and the commit and flatter every variant.
A real SMTP server (aiosmtpd on loopback, bench/mail_sink.py) accepts and counts every
message; the report says how many arrived.

Each POST uses a new e-mail address (wrk's Lua numbers them), as real visitors do. The
variants are measured in rounds (BENCH_ROUNDS, 5), each round starting one variant later,
and each ratio is the median of the rounds' ratios, so drift in the machine's load hits
the variants compared alike.
Writes bench/results/help_post.md. Only loopback traffic.

Settings (environment): BENCH_DURATION (6), BENCH_CONNECTIONS (64), BENCH_WRK_THREADS (2),
BENCH_ROUNDS (5), GUNICORN_WORKERS (2), GUNICORN_THREADS (4); BENCH_POSTGRES_URL (a
PostgreSQL server, e.g. postgresql+psycopg://postgres@127.0.0.1:5432: every variant on a
fresh database there, named BENCH_POSTGRES_PREFIX + variant), BENCH_RESULT (the file
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
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
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


def start(database: str, port: int, env: dict, variant: str) -> subprocess.Popen:
    env = {**env, "DATABASE_URL": database, "BENCH_VARIANT": variant}
    return start_gunicorn("help_post_app:app", port, env, ["--pythonpath", str(BENCH)])


def start_mail_sink(port: int, tally: Path) -> subprocess.Popen:
    """A real SMTP server on loopback (aiosmtpd) that accepts every message, keeps none
    and counts them in `tally` (bench/mail_sink.py)."""
    command = [str(BIN / "python"), "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
    command += ["-c", "mail_sink.CountingSink", str(tally)]
    return subprocess.Popen(
        command,
        env={**os.environ, "PYTHONPATH": str(BENCH)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_sender(database: str, env: dict) -> subprocess.Popen:
    """The outbox's sender (`flask outbox run`, as make serve starts it) on a database."""
    command = [str(BIN / "flask"), "--app", "wsgi", "outbox", "run"]
    return subprocess.Popen(
        command, cwd=ROOT, env={**env, "DATABASE_URL": database}, stdout=subprocess.DEVNULL
    )


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
    """Requests stored, outbox rows, outbox rows sent."""
    engine = sa.create_engine(database)
    with engine.connect() as connection:
        requests = connection.scalar(sa.text("SELECT count(*) FROM contact_request"))
        outbox = connection.scalar(sa.text("SELECT count(*) FROM outbox_message"))
        sent = connection.scalar(
            sa.text("SELECT count(*) FROM outbox_message WHERE state = 'sent'")
        )
    engine.dispose()
    return requests, outbox, sent


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


# name -> (BENCH_VARIANT of bench/help_post_app.py, whether the outbox's sender runs
# beside the site during the variant's rounds, delivering to the same SMTP server).
VARIANTS = {
    "before": ("before", False),
    "with outbox": ("outbox", False),
    "outbox+sender": ("outbox", True),
    "no e-mail": ("none", False),
}


def slug(name: str) -> str:
    return name.replace(" ", "_").replace("-", "")


def main() -> int:
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is missing (Debian: apt-get install wrk)")
    temp = Path(tempfile.mkdtemp(prefix="bench-help-"))
    sink_port = free_port()
    env = {
        **os.environ,
        "SECRET_KEY": "bench",
        "HELP_RATE_LIMIT": "1000000 per minute",
        "HELP_CONFIRMATIONS_PER_DAY": "3",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Only "before" talks to it, from the request thread; the outbox's sender does
        # not run (it is a separate process; what is measured is the web request).
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(sink_port),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    sink = start_mail_sink(sink_port, temp / "received")
    rig.wait_for_port(sink_port)
    servers, bases, databases = {}, {}, {}
    runs: dict[str, list[dict]] = {name: [] for name in VARIANTS}
    try:
        for name, (variant, _sender) in VARIANTS.items():
            databases[name] = database_url(slug(name), temp)
            prepare(databases[name], env)
            port = free_port()
            servers[name] = start(databases[name], port, env, variant)
            bases[name] = f"http://127.0.0.1:{port}"
        for name in VARIANTS:
            wait_for(f"{bases[name]}/healthz")
            lua_for(bases[name], temp / f"{slug(name)}.lua")
        print(
            f"bench: help POST, {CONNECTIONS} connections, {DURATION} s x {ROUNDS} rounds "
            f"each, gunicorn {WORKERS} workers x {THREADS} threads",
            flush=True,
        )
        for name in VARIANTS:  # warm-up: imports, first connections, page caches
            wrk(f"{bases[name]}/de/help", temp / f"{slug(name)}.lua", 1, "w")
        names = list(VARIANTS)
        for number in range(ROUNDS):
            # Each round starts one variant later, so no variant always runs first.
            for name in names[number % len(names) :] + names[: number % len(names)]:
                sender = start_sender(databases[name], env) if VARIANTS[name][1] else None
                try:
                    result = wrk(
                        f"{bases[name]}/de/help",
                        temp / f"{slug(name)}.lua",
                        DURATION,
                        str(number),
                    )
                finally:
                    if sender is not None:
                        sender.terminate()
                        sender.wait(timeout=60)
                runs[name].append(result)
                print(
                    f"  {name:<12} {result['rps']:>7.0f} req/s  p50 {result['p50']:6.1f} ms"
                    f"  p99 {result['p99']:6.1f} ms  accepted {result['accepted']}"
                    f"  rejected {result['rejected']}",
                    flush=True,
                )
    finally:
        for process in [*servers.values(), sink]:
            process.terminate()
        for process in [*servers.values(), sink]:
            process.wait(timeout=30)
    tallies = {name: counts(databases[name]) for name in VARIANTS}
    received = int((temp / "received").read_text()) if (temp / "received").exists() else 0
    shutil.rmtree(temp, ignore_errors=True)
    report = render(runs, tallies, received)
    (BENCH / "results").mkdir(exist_ok=True)
    result = os.environ.get("BENCH_RESULT", "help_post.md")
    (BENCH / "results" / result).write_text(report)
    print(report)
    return 0


def render(
    runs: dict[str, list[dict]], tallies: dict[str, tuple[int, int, int]], received: int
) -> str:
    rates = {name: median([r["rps"] for r in results]) for name, results in runs.items()}

    def ratios(name: str, baseline: str) -> list[float]:
        """Per round (the variants of one round ran within half a minute of each other,
        so a burst of other work on the machine hits them alike)."""
        return [a["rps"] / b["rps"] for a, b in zip(runs[name], runs[baseline], strict=True)]

    def shown(values: list[float]) -> str:
        return f"**{median(values):.2f}** (rounds: {', '.join(f'{v:.2f}' for v in values)})"

    versus_before = median(ratios("with outbox", "before"))
    write_alone = median(ratios("with outbox", "no e-mail"))
    lines = [
        f"## Help form POST on {BACKEND}: with the outbox, and before it",
        "",
        f"Measured by `bench/help_post.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
        f"({os.cpu_count()} cores, Python {platform.python_version()}). Every variant ran "
        f"in the same run under gunicorn.conf.py with {WORKERS} workers x {THREADS} threads, "
        f"access log off, each on its own fresh {BACKEND} database; wrk with "
        f"{WRK_THREADS} threads, {CONNECTIONS} connections, {DURATION} s per round, "
        f"{ROUNDS} rounds after a 1 s warm-up each, every round starting with the next "
        "variant; client, servers and the SMTP server (aiosmtpd on loopback, which accepts "
        "and counts every message) share the machine's cores.",
        "",
        "- **before**: the help POST as it was before the outbox (commit 6a2ee1f^): "
        "the request is stored, and once the response has gone out the request's own "
        "thread writes the staff notice, sends it over SMTP and records the outcome on "
        "the request (UPDATE, commit). `bench/help_post_app.py` replays those steps.",
        "- **with outbox**: the site as it is: the request is stored and the staff notice "
        "and the visitor's confirmation are queued in the outbox in the same "
        "transaction; no request thread talks to SMTP. The sender is a separate process "
        "and is not running in this variant: what is measured is the web request.",
        "- **outbox+sender**: the same, with the outbox's sender (`flask outbox run`, "
        "as `make serve` starts it) running during the rounds, sending both e-mails of "
        "every request to the SMTP server: the whole site's work on the same cores.",
        "- **no e-mail**: the same POST with no e-mail queued or sent at all (a site that "
        "tells nobody about a request): the difference to *with outbox* is the cost of "
        "the outbox write by itself.",
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
        "Medians: " + ", ".join(f"{name} {rate:.0f} req/s" for name, rate in rates.items()) + ".",
        "",
        "Ratios, each the median of the rounds' ratios:",
        "",
        f"- with outbox / before: {shown(ratios('with outbox', 'before'))}",
        f"- outbox+sender / before: {shown(ratios('outbox+sender', 'before'))}",
        f"- with outbox / no e-mail: {shown(ratios('with outbox', 'no e-mail'))}: the outbox "
        f"write by itself costs about {max(0.0, 1 - write_alone):.0%} of the POST's "
        "throughput",
        "",
    ]
    for name, (requests, rows, sent) in tallies.items():
        lines.append(f"- {name}: {requests} requests stored, {rows} outbox rows, {sent} sent.")
    lines.append(f"- The SMTP server received {received} messages in all.")
    verdict = (
        f"at least as fast as before (ratio {versus_before:.2f}; within the run's noise "
        f"of {TOLERANCE:.0%} counts as met)"
        if versus_before >= 1 - TOLERANCE
        else f"SLOWER than before by {1 - versus_before:.0%}"
    )
    lines += ["", f"Verdict: the help POST with the outbox is {verdict}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
