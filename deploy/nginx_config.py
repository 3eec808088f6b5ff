"""nginx configuration for the site, rendered from the one template deploy/nginx/wir.conf.in.

Production and `make stack` render the same template, so what the stack tests check is
what production runs: `python -m webapp.nginx_config` (`make nginx-conf`) writes the
production example deploy/nginx/wir.conf (a test fails when it is stale); webapp/stack.py
renders it into a temporary directory beside a small main file standing in for Debian's
/etc/nginx/nginx.conf.
"""

import os
import pwd
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "wir.conf.in"
PRODUCTION_FILE = ROOT / "deploy" / "nginx" / "wir.conf"
MIME_TYPES = Path("/etc/nginx/mime.types")  # Debian's nginx-common


@dataclass(frozen=True)
class Site:
    """What differs between hosts: the rest is the template's."""

    upstreams: tuple[str, ...]  # app instances, "host:port"
    listen: tuple[str, ...]  # each a `listen` directive's arguments
    server_name: str
    static_dir: Path  # the package's static folder
    cache_dir: Path  # proxy_cache_path
    access_log: str  # `access_log`'s arguments
    tls: tuple[str, str] | None = None  # certificate and key files
    redirect_http: bool = False  # a server on port 80 sending everyone to https


PRODUCTION = Site(
    upstreams=("127.0.0.1:8001", "127.0.0.1:8002"),
    listen=("443 ssl http2", "[::]:443 ssl http2"),
    server_name="wir.example.org",
    static_dir=Path("/srv/wir/webapp/static"),
    cache_dir=Path("/var/lib/nginx/wir-cache"),  # Debian keeps nginx's own files here
    access_log="/var/log/nginx/wir/access.log wir",  # own folder: see deploy/logrotate.py
    tls=(
        "/etc/letsencrypt/live/wir.example.org/fullchain.pem",
        "/etc/letsencrypt/live/wir.example.org/privkey.pem",
    ),
    redirect_http=True,
)

PRODUCTION_HEADER = """\
# RENDERED from deploy/nginx/wir.conf.in by `make nginx-conf`: edit the template, not this.
# Install: copy to /etc/nginx/sites-available/wir, link it from sites-enabled, replace
# wir.example.org, /srv/wir and the upstream addresses with yours, then
# `nginx -t && systemctl reload nginx`. See the README's "Deployment" section.
"""


def render(site: Site) -> str:
    """The site file for `site`."""
    lines = [f"    listen {listen};" for listen in site.listen]
    if site.tls:
        certificate, key = site.tls
        lines += [f"    ssl_certificate {certificate};", f"    ssl_certificate_key {key};"]
    redirect = ""
    if site.redirect_http:
        redirect = (
            "\nserver {\n    listen 80;\n    listen [::]:80;\n"
            f"    server_name {site.server_name};\n"
            "    return 301 https://$host$request_uri;\n}\n"
        )
    values = {
        "UPSTREAM_SERVERS": "\n".join(
            f"    server {address} max_fails=1 fail_timeout=10s;" for address in site.upstreams
        ),
        "CACHE_DIR": str(site.cache_dir),
        "LISTEN": "\n".join(lines),
        "SERVER_NAME": site.server_name,
        "ACCESS_LOG": site.access_log,
        "STATIC_DIR": str(site.static_dir).rstrip("/"),
        "HTTP_REDIRECT": redirect,
    }
    text = "".join(
        line for line in TEMPLATE.read_text().splitlines(keepends=True) if not line.startswith("##")
    )
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    leftover = re.findall(r"@[A-Z_]+@", text)
    if leftover:
        raise ValueError(f"{TEMPLATE}: placeholders without a value: {leftover}")
    return text


def production() -> str:
    """The production example, as committed in deploy/nginx/wir.conf."""
    return PRODUCTION_HEADER + render(PRODUCTION)


def nginx_user(static_dir: Path) -> str | None:
    """The account nginx's workers run as: None unless root (they stay this user then).

    As root, workers switch to the `user` directive's account; it must read the static
    folder (and gets the cache and temporary folders). Debian's www-data if it can,
    else nobody, else the folder's owner.
    """
    if os.geteuid() != 0:
        return None
    probe = next((p for p in static_dir.rglob("*") if p.is_file()), static_dir)
    for name in ("www-data", "nobody"):
        try:
            account = pwd.getpwnam(name)
        except KeyError:
            continue
        readable = subprocess.run(
            ["test", "-r", str(probe)], user=account.pw_uid, group=account.pw_gid, extra_groups=[]
        )
        if readable.returncode == 0:
            return name
    return pwd.getpwuid(static_dir.stat().st_uid).pw_name


def main_config(prefix: Path, site_file: Path, user: str | None, error_log: str) -> str:
    """A main nginx.conf for running nginx from `prefix` in the foreground (`make stack`).

    It does what Debian's /etc/nginx/nginx.conf does for a site file, with every file
    nginx writes (pid, logs, temporary bodies) under `prefix`.
    """
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / (kind + '_temp')};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""\
{f"user {user};" if user else "# not root: the workers run as this user"}
worker_processes auto;
daemon off;
pid {prefix / "nginx.pid"};
error_log {error_log};

events {{
    worker_connections 1024;
}}

http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    keepalive_timeout 65;
{temp}
    include {site_file};
}}
"""


if __name__ == "__main__":
    PRODUCTION_FILE.write_text(production())
    print(f"wrote {PRODUCTION_FILE.relative_to(ROOT)}")
