"""`make bench`, part two: the pages through `make stack` (nginx in front) against a floor.

The floor is the same nginx serving the rendered overview as a static file (its gzip
bytes, exactly as the cache holds them, from a .gz beside it): nothing in front of the
app can be faster than that. Each page is measured with and without a session cookie,
each right after a floor run, and must reach FLOOR_TARGET of it with a p99 under
P99_LIMIT_MS. The stack is started by the same code as `make stack` (webapp/stack.py).
"""

import gzip
import shutil
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

# This checkout's webapp, whichever one the virtualenv has installed: the stack must run
# the same code as the rest of the benchmark (which starts from this folder).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.stack import STATIC_DIR  # noqa: E402
from deploy.stack import Stack  # noqa: E402
from deploy.stack import free_port  # noqa: E402

FLOOR_TARGET = 0.6
P99_LIMIT_MS = 10.0
FLOOR_FOLDER = STATIC_DIR / "_bench"  # removed again when the run ends
GZ = {"Accept-Encoding": "gzip"}
PAGES = [
    ("overview", "/de/", {}),
    ("initiative", "/de/initiatives/recomine", {}),
    ("fragment", "/de/initiatives/recomine/summary", {"HX-Request": "true"}),
]


def fetch(url: str, headers: dict) -> tuple[bytes, dict]:
    """The body as sent (never decompressed) and the headers."""
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read(), dict(response.headers)


def session_cookie(base: str) -> str:
    """A real session cookie, as a visitor has after opening the help form."""
    _body, headers = fetch(f"{base}/de/help", {})
    return headers["Set-Cookie"].split(";", 1)[0]


def run(measure: Callable[..., dict], env: dict, logs: Path, workers: str, threads: str) -> dict:
    """Start the stack, write the floor file, measure; everything stopped and removed after."""
    environ = {
        **env,
        "DATABASE_URL": f"sqlite:///{logs / 'stack.db'}",
        "GUNICORN_WORKERS": workers,
        "GUNICORN_THREADS": threads,
    }
    stack = Stack(port=free_port(), instances=2, environ=environ, logs=logs, access_log="off")
    stack.prepare()
    stack.start()
    rows, floors = [], []
    try:
        base = stack.url
        packed, headers = fetch(f"{base}/de/", GZ)
        if headers.get("Content-Encoding") != "gzip":
            packed = gzip.compress(packed, 6, mtime=0)
        FLOOR_FOLDER.mkdir(exist_ok=True)
        (FLOOR_FOLDER / "overview.html").write_bytes(gzip.decompress(packed))
        (FLOOR_FOLDER / "overview.html.gz").write_bytes(packed)
        floor_url = f"{base}/static/_bench/overview.html"
        cookie = session_cookie(base)
        print(f"stack: nginx on {base}, {len(stack.apps)} instances x {workers} workers")
        for number, (name, path, extra) in enumerate(PAGES):
            for label, more in (("", {}), (" + cookie", {"Cookie": cookie})):
                # The floor right before each page: the machine's load drifts, a ratio
                # of two runs side by side much less.
                first = number == 0 and not label
                floors.append(measure("floor", floor_url, warm=first, headers=GZ))
                headers = {**GZ, **extra, **more}
                result = measure(f"{name}{label}", base + path, headers=headers)
                body, answered = fetch(base + path, headers)
                result.update(
                    floor_rps=floors[-1]["rps"],
                    cache=answered.get("X-Cache-Status", "-"),
                    bytes=len(body),
                )
                rows.append(result)
    finally:
        shutil.rmtree(FLOOR_FOLDER, ignore_errors=True)
        stack.stop()
    return {"rows": rows, "floors": floors, "floor_bytes": len(packed), "workers": workers}


def render(result: dict, connections: int) -> tuple[list[str], list[str]]:
    """The RESULTS.md section and the targets it missed."""
    floors = sorted(result["floors"], key=lambda item: item["rps"])
    median = floors[len(floors) // 2]
    lines = [
        "## Through nginx (`make stack`) against nginx serving a file",
        "",
        "The stack as `make stack` starts it: nginx (deploy/nginx/wir.conf.in) in front "
        f"of 2 gunicorn instances of {result['workers']} workers each, access log off. The "
        "floor is the same nginx sending the rendered overview as a static file "
        f"({result['floor_bytes']} bytes gzip, from a .gz). Each page with and without a "
        "session cookie, each right after a floor run; its ratio is to that floor run. "
        f"`cache` is X-Cache-Status of one more request after the run.",
        "",
        f"| URL | req/s | p50 ms | p99 ms | floor req/s | ratio | cache | bytes | "
        f"target (≥ {FLOOR_TARGET:.1f}× floor, p99 < {P99_LIMIT_MS:.0f} ms at {connections} "
        "connections) | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---|---:|---|---:|",
        f"| floor (median) | {median['rps']:.0f} | {median['p50']:.2f} | {median['p99']:.2f} "
        f"| {median['rps']:.0f} | 1.00 | file | {result['floor_bytes']} | – | "
        f"{median['non_2xx']} |",
    ]
    missed = []
    for row in result["rows"]:
        ratio = row["rps"] / row["floor_rps"]
        ok_ratio, ok_p99 = ratio >= FLOOR_TARGET, row["p99"] < P99_LIMIT_MS
        if not ok_ratio:
            missed.append(f"{row['name']} via nginx {ratio:.2f}× floor")
        if not ok_p99:
            missed.append(f"{row['name']} via nginx p99 {row['p99']:.1f} ms")
        verdict = f"ratio {'met' if ok_ratio else 'MISSED'}; p99 {'met' if ok_p99 else 'MISSED'}"
        lines.append(
            f"| {row['name']} | {row['rps']:.0f} | {row['p50']:.2f} | {row['p99']:.2f} | "
            f"{row['floor_rps']:.0f} | {ratio:.2f} | {row['cache']} | {row['bytes']} | "
            f"{verdict} | {row['non_2xx']} |"
        )
    return lines, missed
