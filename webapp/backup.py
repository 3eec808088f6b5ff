"""`flask --app wsgi backup PATH`: a consistent copy of the running SQLite database.

SQLite's online backup API (sqlite3.Connection.backup) copies the database page by page
as one reader: the copy is the database at one moment, with the -wal file's committed
pages included, while the site goes on writing (in WAL mode writers do not wait for a
reader). It is copied in a single step: a copy made in several steps starts again
whenever the site writes meanwhile, and might never finish on a busy site.

The copy is written beside PATH first, checked (`PRAGMA integrity_check`), switched to a
single file (no -wal) and private (600), then moved onto PATH; an unfinished copy never
sits at PATH. PostgreSQL is backed up with pg_dump (see the README).
"""

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from webapp.extensions import db

PRIVATE = 0o600
COUNTED = {"requests": "contact_request", "emails": "outbox_message", "accounts": "staff_user"}


class BackupError(Exception):
    """The copy could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class Copied:
    """Where the copy is and what it holds."""

    path: Path
    counts: dict[str, int]


def source_path() -> Path:
    """The SQLite file the app uses; BackupError on any other database."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            f"`backup` copies SQLite databases; this site uses {url.get_backend_name()}. "
            "Back up PostgreSQL with pg_dump (README: Backup and restore)."
        )
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("The database is not a file that can be copied.")
    return Path(url.database).resolve()


def backup(target: Path) -> Copied:
    """Copy the app's SQLite database to `target` (replaced if it exists)."""
    source = source_path()
    target = Path(target).resolve()
    if target == source:
        raise BackupError("The copy must not replace the database itself.")
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give the path of the copy's file.")
    if not target.parent.is_dir():
        raise BackupError(f"There is no folder {target.parent}.")
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    try:
        origin = sqlite3.connect(source)
        copy = sqlite3.connect(partial)
        try:
            origin.execute("PRAGMA busy_timeout=5000")
            origin.backup(copy, pages=-1)  # one step: the database at one moment
            check = copy.execute("PRAGMA integrity_check").fetchall()
            if check != [("ok",)]:
                raise BackupError(f"The copy failed its integrity check: {check[:3]}")
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
            counts = {
                name: copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for name, table in COUNTED.items()
                if table in tables
            }
        finally:
            copy.close()
            origin.close()
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Copied(target, counts)
