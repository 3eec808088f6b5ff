"""logrotate for nginx's access log of the site: kept exactly as many days as the operator's
file says (`privacy.server_log_days`), the number the privacy notice states.

`python -m deploy.logrotate` (`make logrotate-conf`) writes the example
deploy/logrotate/wir from the sample operator file (a test fails when it is stale);
`python -m deploy.logrotate instance/operator.toml` prints the snippet for a real file,
to install as /etc/logrotate.d/wir. The log has a folder of its own
(/var/log/nginx/wir/): Debian's /etc/logrotate.d/nginx takes every /var/log/nginx/*.log
for 14 days, and logrotate refuses a second rule for a file a first one already matched.
"""

import sys
from pathlib import Path

from deploy.nginx_config import PRODUCTION
from deploy.nginx_config import ROOT
from webapp.content import operator_details

EXAMPLE_FILE = ROOT / "deploy" / "logrotate" / "wir"
ACCESS_LOG = PRODUCTION.access_log.split()[0]


def log_days(operator_file: Path) -> int:
    """`privacy.server_log_days` of an operator file (checked as the app checks it)."""
    return int(operator_details.read(operator_file).data["privacy"]["server_log_days"])


def render(days: int, source: str, access_log: str = ACCESS_LOG) -> str:
    """The snippet: rotated daily, the last `days` days kept, older ones deleted."""
    return f"""\
# RENDERED by deploy/logrotate.py from privacy.server_log_days in {source}.
# nginx's access log of the site (deploy/nginx/wir.conf): rotated daily and kept
# {days} days, as the privacy notice says. Install as /etc/logrotate.d/wir.
{access_log} {{
    daily
    rotate {days}
    maxage {days}
    missingok
    notifempty
    compress
    delaycompress
    create 0640 www-data adm
    sharedscripts
    postrotate
        invoke-rc.d nginx rotate >/dev/null 2>&1 || true
    endscript
}}
"""


def example() -> str:
    """The example as committed in deploy/logrotate/wir, from the sample operator file."""
    sample = operator_details.EXAMPLE_FILE
    return render(log_days(sample), str(sample.relative_to(ROOT)))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        path = Path(sys.argv[1])
        print(render(log_days(path), str(path)), end="")
    else:
        EXAMPLE_FILE.write_text(example())
        print(f"wrote {EXAMPLE_FILE.relative_to(ROOT)}", file=sys.stderr)
