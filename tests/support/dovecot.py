"""A private Dovecot IMAP server on loopback, for the tests of the incoming e-mail.

Debian's Dovecot (`dovecot-imapd`, installed by `.ci/ensure`), started in the foreground
with a throw-away configuration, password file and maildir under a temporary folder: the
system's configuration and mail are never read or touched. Plain IMAP on loopback only
(the site allows IMAP_SECURITY=none for loopback hosts alone).

Started as root, Dovecot's own processes switch to `dovenull` (logins) and `nobody`
(internal work, and the mail itself, owned by `nobody`); started by a normal user, they
all run as that user.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from tests.support.waiting import wait_until

DOVECOT = os.environ.get("DOVECOT", "/usr/sbin/dovecot")
USER = "hilfe@wir.example"
PASSWORD = "mailbox-test-password"

CONFIG = """\
base_dir = {base}/run
state_dir = {base}/state
instance_name = wir-test-{port}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 0
mail_uid = {mail_uid}
mail_gid = {mail_gid}
mail_location = maildir:{base}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={base}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {internal}
  }}
  unix_listener stats-writer {{
    user = {internal}
  }}
}}
"""


def available() -> bool:
    """Whether Dovecot is installed here."""
    return Path(DOVECOT).is_file() and os.access(DOVECOT, os.X_OK)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Dovecot:
    """One running Dovecot: host, port, user and password of its single mailbox."""

    host = "127.0.0.1"
    user = USER
    password = PASSWORD

    def __init__(self, base: Path | None = None) -> None:
        # Under /tmp, not pytest's tmp_path: that lies in a folder only root may enter, and
        # Dovecot's mail processes run as `nobody`. Removed again by stop().
        self.own_base = base is None
        self.base = Path(tempfile.mkdtemp(prefix="wir-dovecot-")) if base is None else base
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def settings(self, **extra) -> dict:
        """The site's settings to read this mailbox."""
        return {
            "IMAP_HOST": self.host,
            "IMAP_PORT": self.port,
            "IMAP_USER": self.user,
            "IMAP_PASSWORD": self.password,
            "IMAP_SECURITY": "none",
            **extra,
        }

    def start(self) -> "Dovecot":
        base = self.base
        root = os.geteuid() == 0
        me = pwd.getpwuid(os.geteuid())
        internal = "nobody" if root else me.pw_name
        internal_account = pwd.getpwnam(internal)
        login = "dovenull" if root and _has_user("dovenull") else internal
        for sub in ("run", "state", "mail", "home"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("mail", "home"):
            shutil.chown(base / sub, internal_account.pw_uid, internal_account.pw_gid)
        # The mail folders belong to the mail user; the temporary folder above must let it in.
        base.chmod(0o755)
        (base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        config = base / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                base=base,
                port=self.port,
                internal=internal,
                internal_group=_group_of(internal_account.pw_gid),
                login=login,
                mail_uid=internal_account.pw_uid,
                mail_gid=internal_account.pw_gid,
            )
        )
        with (base / "stderr.log").open("wb") as stderr:
            self.process = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=stderr
            )

        def greets() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"Dovecot stopped: {self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    return sock.recv(100).startswith(b"* OK")
            except OSError:
                return False

        wait_until(greets, timeout=20, message="Dovecot did not start")
        return self

    def log(self) -> str:
        parts = []
        for name in ("stderr.log", "dovecot.log"):
            path = self.base / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-3000:])
        return "\n".join(parts)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.own_base:
            shutil.rmtree(self.base, ignore_errors=True)

    # --- The mailbox, as a mail server and a mail program see it ---------------------

    def client(self):
        """A logged-in IMAPClient (the library the site uses too)."""
        from imapclient import IMAPClient

        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message into a folder the way a delivering server does: IMAP APPEND."""
        with self.client() as client:
            client.append(folder, raw)

    def count(self, folder: str) -> int:
        """How many messages a folder holds (0 if it does not exist)."""
        with self.client() as client:
            if not client.folder_exists(folder):
                return 0
            return client.folder_status(folder, ["MESSAGES"])[b"MESSAGES"]


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _group_of(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name
