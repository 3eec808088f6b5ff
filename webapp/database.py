"""Engine settings that depend on the database in use.

- SQLite: pragmas on every connection; the database files readable by the site's user
  only (600), so other local users cannot read the requests. Deleted data leaves the
  disk: `secure_delete` zeroes it in the database file, `truncate_wal()` (after a
  deletion of personal data) empties the -wal file, which still holds older copies of
  the changed pages.
- Every database: a connection that failed with an operational error (SQLite opened it
  read-only while the file was unwritable for a moment, a disk error, a PostgreSQL
  server gone read-only) is thrown away, not handed back to the pool to fail again.
  When SQLite says the database is read-only, every connection the pool holds was opened
  in the same moment and is read-only too: the whole pool is renewed at once, so each
  worker fails one request, not one per pooled connection.
"""

import os
import stat
from pathlib import Path

from flask import Flask
from flask import current_app
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.engine import ExceptionContext
from werkzeug.routing import IntegerConverter

from webapp.extensions import db


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL and a busy timeout let several workers share one SQLite file without
    # "database is locked"; foreign keys are off in SQLite unless asked for.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows are overwritten with zeros, not left in free space in the file, where
    # a forgotten visitor's text would stay readable (see truncate_wal for the -wal file).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


PRIVATE = 0o600
READ_ONLY_TRANSACTION = "25006"  # PostgreSQL SQLSTATE read_only_sql_transaction


def _private_files(path: Path) -> None:
    """Make the database private, and its -wal and -shm files private *and writable*.

    SQLite creates -wal and -shm with the database file's mode at that moment: while the
    file was unwritable they come out read-only too, and every connection opened after
    it became writable again would still fail to write until the last one closed. The
    database file itself is only tightened; making it writable is the owner's decision.
    """
    for name, wanted in (
        (path, None),
        (Path(f"{path}-wal"), PRIVATE),
        (Path(f"{path}-shm"), PRIVATE),
    ):
        try:
            current = stat.S_IMODE(name.stat().st_mode)
            target = wanted if wanted is not None else current & ~0o077
            if current != target:
                name.chmod(target)
        except OSError:  # not there (yet), or someone else's: leave it
            pass


def _create_private(path: Path) -> None:
    """Create the database file empty and private before SQLite creates it world-readable."""
    if path.exists():
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except OSError:  # created meanwhile by another worker, or a folder we cannot write
        pass


def _drop_broken_connection(context: ExceptionContext) -> None:
    original = context.original_exception
    if isinstance(context.sqlalchemy_exception, sa_exc.OperationalError) or (
        getattr(original, "sqlstate", None) == READ_ONLY_TRANSACTION
    ):
        context.is_disconnect = True  # the pool discards this connection...
        # ...and keeps the healthy ones, unless SQLite opened them all read-only.
        read_only = getattr(original, "sqlite_errorname", "").startswith("SQLITE_READONLY")
        context.invalidate_pool_on_disconnect = read_only


def truncate_wal() -> bool:
    """SQLite: copy the -wal file into the database and cut it to nothing.

    Call after deleting personal data, once it is committed. Until a checkpoint the -wal
    file keeps earlier versions of every page a transaction changed, the deleted text
    among them, and SQLite's own checkpoints reuse the file without clearing it. TRUNCATE
    waits (busy_timeout) for readers of older snapshots. Returns False when it could not
    finish (a reader stayed): the next call does it. PostgreSQL: nothing to do here
    (VACUUM, see the README).
    """
    if db.engine.dialect.name != "sqlite":
        return True
    with db.engine.connect() as connection:
        busy, _frames, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    if busy:
        current_app.logger.warning(
            "SQLite: the -wal file could not be emptied (a reader stayed); "
            "the next deletion or housekeeping run empties it"
        )
    return not busy


class DatabaseInteger(IntegerConverter):
    """`<int:…>` in URLs, limited to ids the database's INTEGER column can hold.

    A larger number would reach the database and fail there (SQLite: OverflowError,
    PostgreSQL: out of range) as a 500; this way it is simply a page that does not exist.
    """

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register(app: Flask) -> None:
    """Attach per-connection settings to the app's engine; bound ids in URLs.

    Runs before the blueprints are registered: their rules pick up the converter then.
    """
    app.url_map.converters["int"] = DatabaseInteger
    with app.app_context():
        engine: Engine = db.engine
        event.listen(engine, "handle_error", _drop_broken_connection)
        if engine.dialect.name == "sqlite":
            database = engine.url.database
            if database and database != ":memory:" and not database.startswith("file:"):
                path = Path(database)
                _create_private(path)
                # Before the pragmas: they are the first to open -wal and -shm.
                event.listen(engine, "connect", lambda *_args: _private_files(path))
            event.listen(engine, "connect", _sqlite_pragmas)
