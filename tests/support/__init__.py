"""Helpers the tests share: real servers, databases and sign-in, no fixtures.

- `csrf`: `csrf_from(page)`, the one way a test reads a form's CSRF token.
- `database`: test settings (`make_config`), the migrated and seeded databases (SQLite
  template, PostgreSQL per xdist worker), `statements_run`.
- `staff`: the staff account and `StaffActions` (sign in and out through the real form).
- `smtp`: a real SMTP server's handler (`Collector`), `mail_settings`, `free_port`.
- `gunicorn`: gunicorn started as `make serve` does (`start_gunicorn`, `Server`).
- `stack`: `make stack` driven from the tests (`Site`, `Reply`, PostgreSQL and Redis).
- `browser`: Chromium through Playwright (pages, console check, axe, staff sign-in).
- `waiting`: `wait_until(condition, timeout)` instead of fixed sleeps.
- `content` and `hostile`: test data more than one test module uses.
- `dovecot`: a private Dovecot IMAP server on loopback (the incoming e-mail tests).

The conftest.py files only wire these into fixtures; no test module imports another.
"""
