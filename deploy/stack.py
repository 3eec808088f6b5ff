"""`make stack`: the production setup on one machine, in the foreground.

nginx, configured from deploy/nginx/wir.conf.in (webapp/nginx_config.py), listens on
PORT and balances over APP_INSTANCES gunicorn instances (gunicorn.conf.py) on loopback
ports; the outbox sender runs beside them. Before that: Debian's nginx is installed if
missing (.ci/ensure), and the database is migrated and the content loaded. Ctrl-C (or
SIGTERM) stops everything: nginx first, so no request reaches a stopping instance.

Environment: PORT (8080) and HOST (127.0.0.1) for nginx, APP_INSTANCES (2),
DATABASE_URL, RATELIMIT_STORAGE_URI, SECRET_KEY (a throw-away one when missing),
PUBLIC_BASE_URL (http://HOST:PORT), and gunicorn's own GUNICORN_* settings. The tests in
tests/stack/ start the stack through the same `Stack` class.
"""

import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from deploy import nginx_config

ROOT = nginx_config.ROOT
STATIC_DIR = ROOT / "webapp" / "static"
BIN = Path(sys.executable).parent
NGINX = "/usr/sbin/nginx"
PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: end when the stack's process ends, even by SIGKILL."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def app_environment(base: Mapping[str, str], host: str, port: int) -> tuple[dict, list[str]]:
    """The app instances' environment behind this nginx, and warnings for the operator."""
    env = dict(base)
    warnings = []
    # nginx is the one proxy in front: trust its X-Forwarded-For/-Proto/-Host, no more.
    env.update(PROXY_FIX_X_FOR="1", PROXY_FIX_X_PROTO="1", PROXY_FIX_X_HOST="1")
    if not env.get("SECRET_KEY"):
        env["SECRET_KEY"] = secrets.token_hex(32)
        warnings.append(
            "SECRET_KEY is not set: using a throw-away key, so sessions end when the stack "
            "stops. Set SECRET_KEY (the same on every host) for anything real."
        )
    storage = env.get("RATELIMIT_STORAGE_URI", "memory://")
    if storage.startswith("memory://"):
        warnings.append(
            "RATELIMIT_STORAGE_URI is not set: each instance and worker counts rate limits "
            "for itself. Share them: RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0"
        )
    env.setdefault("PUBLIC_BASE_URL", f"http://{host}:{port}")
    env.setdefault("GUNICORN_ACCESS_LOG", "")  # nginx logs every request, with its instance
    env["PYTHONUNBUFFERED"] = "1"
    return env, warnings


def ensure_nginx() -> None:
    """Install Debian's nginx when it is missing (as root), or stop with the command to run."""
    result = subprocess.run([str(ROOT / ".ci" / "ensure"), "nginx"])
    if result.returncode != 0:
        raise SystemExit("stack: nginx is missing (see above)")


def wait_until_up(url: str, process: subprocess.Popen, what: str, timeout: float = 60) -> None:
    """Until `url` answers 200; fail when `process` ends first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} ended with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:  # refused, reset or 5xx while it starts
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer {url} within {timeout:.0f} s")


@dataclass
class Instance:
    """One gunicorn on a loopback port."""

    port: int
    process: subprocess.Popen | None = None
    stopped: bool = False  # on purpose (Stack.stop_instance), not by a crash


@dataclass
class Stack:
    """nginx in front of several app instances and the outbox sender (see module doc).

    `logs`: None sends every process's output to this terminal; a folder gets one file
    per process (the tests). `access_log`: the nginx access log, a path or
    "/dev/stdout", or "off"; by default `nginx-access.log` in the work folder.
    """

    port: int = 8080
    host: str = "127.0.0.1"
    instances: int = 2
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    logs: Path | None = None
    access_log: str | None = None
    workdir: Path = field(init=False)
    apps: list[Instance] = field(init=False, default_factory=list)
    nginx: subprocess.Popen | None = field(init=False, default=None)
    sender: subprocess.Popen | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.env, self.warnings = app_environment(self.environ, self.host, self.port)
        self.workdir = Path(tempfile.mkdtemp(prefix="wir-stack-"))
        self.workdir.chmod(0o755)  # nginx's workers (another user when root) go through it
        self.apps = [Instance(free_port()) for _ in range(self.instances)]
        self._files: list = []

    @property
    def url(self) -> str:
        """Where nginx answers (on loopback when it listens on every address)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "*", "") else self.host
        return f"http://{host}:{self.port}"

    def _popen(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        output = None
        if self.logs is not None:
            output = (self.logs / f"{name}.log").open("ab")
            self._files.append(output)
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env if env is not None else self.env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            process_group=0,  # Ctrl-C reaches only us; we stop the rest in order
            preexec_fn=_die_with_parent,
        )

    def prepare(self) -> None:
        """nginx installed, the database migrated and the content loaded."""
        ensure_nginx()
        flask = [str(BIN / "flask"), "--app", "wsgi"]
        for step in (["db", "upgrade"], ["content", "load"]):
            result = subprocess.run(
                flask + step, cwd=ROOT, env=self.env, capture_output=True, process_group=0
            )
            if result.returncode != 0:
                sys.stderr.buffer.write(result.stdout + result.stderr)
                raise RuntimeError(f"flask {' '.join(step)} failed")

    def write_nginx_config(self) -> Path:
        """The site file from the template and a main file, both in the work folder."""
        access_log = self.access_log or str(self.workdir / "nginx-access.log")
        if access_log != "off":
            access_log += " wir"
        site = nginx_config.Site(
            upstreams=tuple(f"127.0.0.1:{app.port}" for app in self.apps),
            listen=(f"{self.host}:{self.port}",),
            server_name="_",
            static_dir=STATIC_DIR,
            cache_dir=self.workdir / "cache",
            access_log=access_log,
        )
        site_file = self.workdir / "wir.conf"
        site_file.write_text(nginx_config.render(site))
        main = self.workdir / "nginx.conf"
        error_log = str(self.logs / "nginx-error.log") if self.logs else "stderr"
        main.write_text(
            nginx_config.main_config(
                self.workdir, site_file, nginx_config.nginx_user(STATIC_DIR), error_log
            )
        )
        return main

    def start_instance(self, index: int) -> None:
        """Start (or restart) app instance `index` and wait until it answers."""
        app = self.apps[index]
        env = {**self.env, "HOST": "127.0.0.1", "PORT": str(app.port)}
        command = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")]
        if _has_control_socket():  # gunicorn 27: one per instance, not ~/.gunicorn's shared one
            command += ["--control-socket", str(self.workdir / f"gunicorn-{app.port}.ctl")]
        command.append("wsgi:app")
        app.process = self._popen(f"app-{app.port}", command, env)
        app.stopped = False

    def stop_instance(self, index: int, sig: int = signal.SIGTERM) -> None:
        """Stop app instance `index` (gunicorn finishes the requests it has) and wait."""
        app = self.apps[index]
        app.stopped = True
        _stop(app.process, sig)

    def start(self) -> None:
        """Everything up and answering, or an exception (and nothing left running)."""
        try:
            for index in range(len(self.apps)):
                self.start_instance(index)
            for app in self.apps:
                wait_until_up(f"http://127.0.0.1:{app.port}/healthz", app.process, "gunicorn")
            config = self.write_nginx_config()
            self.nginx = self._popen(
                "nginx", [NGINX, "-p", str(self.workdir), "-c", str(config), "-e", "stderr"]
            )
            wait_until_up(f"{self.url}/healthz", self.nginx, "nginx")
            sender = [str(BIN / "flask"), "--app", "wsgi", "outbox", "run", "--stop-with-parent"]
            self.sender = self._popen("outbox", sender)
        except BaseException:
            self.stop()
            raise

    def crashed(self) -> str | None:
        """What ended without being asked to, if anything."""
        for app in self.apps:
            if not app.stopped and app.process and app.process.poll() is not None:
                return f"the app instance on port {app.port} ended"
        for name, process in (("nginx", self.nginx), ("outbox sender", self.sender)):
            if process is not None and process.poll() is not None:
                return f"{name} ended"
        return None

    def stop(self) -> None:
        """nginx first (it finishes what it has in hand), then the instances, the sender."""
        _stop(self.nginx, signal.SIGQUIT)
        rest = [app.process for app in self.apps] + [self.sender]
        for process in rest:  # all at once: each finishes its own work in parallel
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in rest:
            _stop(process, signal.SIGTERM)
        for handle in self._files:
            handle.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _has_control_socket() -> bool:
    from gunicorn.config import Config

    return "control_socket" in Config().settings


def _stop(process: subprocess.Popen | None, sig: int, timeout: float = 25) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> int:
    """Run the stack until Ctrl-C or SIGTERM; exit 1 if a part of it fails or ends by itself."""
    stack = Stack(
        port=int(os.environ.get("PORT") or 8080),
        host=os.environ.get("HOST") or "127.0.0.1",
        instances=int(os.environ.get("APP_INSTANCES") or 2),
        access_log="/dev/stdout",
    )
    for warning in stack.warnings:
        print(f"WARNING: {warning}", file=sys.stderr)
    stopping = []

    def request_stop(signum, _frame) -> None:
        stopping.append(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, request_stop)
    crashed = None
    try:
        stack.prepare()
        if not stopping:
            stack.start()
            ports = ", ".join(str(app.port) for app in stack.apps)
            print(
                f"stack: {stack.url}/ (nginx) -> {len(stack.apps)} app instances on "
                f"127.0.0.1 ports {ports}, outbox sender running. Ctrl-C stops everything.",
                flush=True,
            )
        while not stopping and not crashed:
            time.sleep(0.5)
            crashed = stack.crashed()
    except RuntimeError as exc:
        crashed = str(exc)
    finally:
        stack.stop()
    if crashed:
        print(f"stack: {crashed}; everything stopped", file=sys.stderr)
        return 1
    print("stack: stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
