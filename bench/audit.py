"""`make audit`: serve the site and run Lighthouse on its main pages.

German and English for each page, plus the campaign languages' start page (/pl/) and a
form with long words and diacritics (/hu/help), at the same floors.

Fails (exit 1) when a page scores below the floor: performance 95, accessibility 100,
best practices 100, SEO 100. Reports go to bench/out/lighthouse/ (ignored by git).
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out" / "lighthouse"
VENV_BIN = ROOT / ".venv" / "bin"
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
PAGES = ["/{lang}/", "/{lang}/initiatives/recomine", "/{lang}/help"]
LANGUAGES = ["de", "en"]
EXTRA_PATHS = ["/pl/", "/hu/help"]
FLOOR = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
TRIES = 3  # performance is noisy on a shared machine: the best of up to three runs counts
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-sync "
    "--disable-background-networking --disable-component-update"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(env: dict) -> None:
    flask = [str(VENV_BIN / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "content", "load"], cwd=ROOT, env=env, check=True, capture_output=True)


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer at {url}")


def lighthouse(url: str, report: Path) -> dict[str, int]:
    env = dict(os.environ, CHROME_PATH="/usr/bin/chromium")
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            "--only-categories=performance,accessibility,best-practices,seo",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        env=env,
        check=True,
        timeout=180,
    )
    data = json.loads(report.read_text())
    return {key: round(cat["score"] * 100) for key, cat in data["categories"].items()}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            DATABASE_URL=f"sqlite:///{tmp}/audit.db",
            SECRET_KEY="audit-only",
            HELP_RATE_LIMIT="1000 per minute",
        )
        prepare_database(env)
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(f"{base}/de/")
            rows, failed = [], False
            paths = [page.format(lang=lang) for page in PAGES for lang in LANGUAGES]
            for path in paths + EXTRA_PATHS:
                name = path.strip("/").replace("/", "_") or "root"
                runs = 0
                while runs < TRIES:
                    runs += 1
                    scores = lighthouse(base + path, OUT / f"{name}.json")
                    low = {k: v for k, v in scores.items() if v < FLOOR[k]}
                    # Only performance varies between runs; other misses are real.
                    if not low or set(low) != {"performance"}:
                        break
                rows.append((path, scores, runs))
                failed |= bool(low)
        finally:
            server.terminate()
            server.wait(timeout=10)
    header = f"| page | {' | '.join(FLOOR)} | runs |"
    print(header)
    print("|" + "---|" * (len(FLOOR) + 2))
    for path, scores, runs in rows:
        cells = " | ".join(
            f"{scores[k]}" + ("" if scores[k] >= FLOOR[k] else " (below)") for k in FLOOR
        )
        print(f"| {path} | {cells} | {runs} |")
    print(f"floor: {FLOOR}; reports in {OUT.relative_to(ROOT)}/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
