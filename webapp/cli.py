"""Command-line commands: `flask --app wsgi content load` and friends."""

import json
import os
import signal
import sys
import threading
from pathlib import Path

import click
from flask import Flask
from flask import current_app
from flask.cli import AppGroup
from flask.cli import with_appcontext

from webapp import backup
from webapp import demo
from webapp.content import loader
from webapp.content import operator_details
from webapp.helpdesk import accounts
from webapp.helpdesk import addresses
from webapp.helpdesk import housekeeping
from webapp.helpdesk import persons
from webapp.mail import inbox
from webapp.mail import outbox

content_cli = AppGroup("content", help="Manage the site's content.")
admin_cli = AppGroup("admin", help="Manage staff accounts.")
requests_cli = AppGroup("requests", help="Look after the help requests.")
outbox_cli = AppGroup("outbox", help="Send the e-mails waiting in the outbox.")
operator_cli = AppGroup("operator", help="The operator's details for the legal pages.")
demo_cli = AppGroup("demo", help="Made-up data for a development database.")
mailbox_cli = AppGroup("mailbox", help="Read the help desk mailbox into the requests.")


@content_cli.command("load")
@click.option(
    "--file",
    "path",
    type=click.Path(path_type=Path),
    default=None,
    help="Data file to load (default: CONTENT_FILE from the config).",
)
def load_content(path: Path | None) -> None:
    """Insert or update the initiatives from the data file. Safe to run again."""
    path = path or Path(current_app.config["CONTENT_FILE"])
    try:
        created, updated = loader.load(path, tuple(current_app.config["LANGUAGES"]))
    except loader.ContentError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Loaded {path}: {created} created, {updated} updated.")


def _read_password(from_stdin: bool) -> str:
    """The new password: one line from standard input, or asked for twice, hidden."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("No password on standard input.")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@admin_cli.command("create")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_staff(email: str, password_stdin: bool) -> None:
    """Create a staff account that can sign in at /admin/."""
    password = _read_password(password_stdin)
    try:
        user = accounts.create(email, password)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created staff account {user.email}.")


@admin_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_staff_password(email: str, password_stdin: bool) -> None:
    """Set a new password for a staff account."""
    if accounts.find(email) is None:
        raise click.ClickException(f"There is no account for {addresses.normalise(email)}.")
    password = _read_password(password_stdin)
    try:
        user = accounts.set_password(email, password)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Password changed for {user.email}; every earlier sign-in has ended.")


@admin_cli.command("deactivate")
@click.argument("email")
def deactivate_staff(email: str) -> None:
    """Refuse sign-in to a staff account and end its sessions at once."""
    try:
        user = accounts.set_active(email, False)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Deactivated {user.email}; every sign-in has ended.")


@admin_cli.command("activate")
@click.argument("email")
def activate_staff(email: str) -> None:
    """Allow a deactivated staff account to sign in again."""
    try:
        user = accounts.set_active(email, True)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Activated {user.email}.")


@admin_cli.command("list")
def list_staff() -> None:
    """List the staff accounts."""
    users = accounts.all_accounts()
    if not users:
        click.echo("No staff accounts yet. Create one with: flask --app wsgi admin create EMAIL")
    for user in users:
        state = "active" if user.active else "inactive"
        created = user.created_at.strftime("%Y-%m-%d")
        click.echo(f"{user.email}\t{state}\tcreated {created}\tlanguage {user.language or '-'}")


# What `housekeeping` and `requests purge` say each rule removed.
RULE_REPORTS = {
    "requests": "Removed {n} answered or closed request(s) last changed more than {days} days ago.",
    "spam": "Removed {n} spam request(s) older than {days} days.",
    "emails": "Removed {n} e-mail(s) belonging to no request, older than {days} days.",
    "history": "Removed {n} history entries of deleted requests, older than {days} days.",
}


def _report(done: list[housekeeping.Done]) -> None:
    for item in done:
        text = RULE_REPORTS.get(item.rule.what, "Removed {n} {what} older than {days} days.")
        click.echo(text.format(n=item.removed, days=item.rule.days, what=item.rule.what))


@requests_cli.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=0),
    default=None,
    help="Age in days (default: PURGE_AFTER_DAYS from the config).",
)
def purge_requests(days: int | None) -> None:
    """Delete answered and closed requests last changed more than DAYS days ago, and spam
    after SPAM_PURGE_AFTER_DAYS (`housekeeping` applies these and every other rule)."""
    config = dict(current_app.config)
    if days is not None:
        config["PURGE_AFTER_DAYS"] = days
    _report(housekeeping.run(config, only=("requests", "spam")))


@requests_cli.command("forget")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget_person(email: str, yes: bool) -> None:
    """Delete every request from EMAIL, with notes, e-mails and every other trace of it.

    EMAIL is matched exactly, in any case or Unicode form: ana+news@example.org is
    another address than ana@example.org, and jana@example.org is left alone.
    """
    count = len(persons.requests_from(email))
    if not yes:
        click.confirm(
            f"Delete {count} request(s) from this address and every trace of it, for good?",
            abort=True,
        )
    removed = persons.forget(email)
    click.echo(f"Deleted {removed} request(s); the address is no longer stored.")


@requests_cli.command("export-person")
@click.argument("email")
def export_person(email: str) -> None:
    """Print everything held about EMAIL as JSON (a GDPR access request).

    EMAIL is matched exactly, in any case or Unicode form (not with another +tag).
    """
    click.echo(json.dumps(persons.export(email), ensure_ascii=False, indent=2))


@click.command("housekeeping")
@with_appcontext
def run_housekeeping() -> None:
    """Apply every retention rule once: delete what is kept no longer (see the README).

    The outbox sender does this by itself once a day.
    """
    _report(housekeeping.run(current_app.config))


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(path_type=Path))
def backup_database(path: Path) -> None:
    """Write a consistent copy of the running SQLite database to PATH."""
    try:
        copied = backup.backup(path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    counts = ", ".join(f"{number} {name}" for name, number in copied.counts.items())
    click.echo(f"Backed up to {copied.path} ({counts}); integrity check ok.")


def _housekeeping_when_due() -> None:
    """The sender's daily chore: the retention rules, when a day has passed since they ran."""
    housekeeping.run_if_due(current_app.config)


@outbox_cli.command("send")
def outbox_send() -> None:
    """Send every message that is due, once (for cron), and say how it went; apply the
    retention rules when they last ran a day ago or more."""
    result = outbox.send_due()
    if not current_app.config.get("MAIL_SERVER"):
        click.echo("MAIL_SERVER is not set: nothing sent, messages stay queued.")
    else:
        click.echo(
            f"Sent {result.sent}, failed {result.failed} (failed ones are retried later), "
            f"withheld {result.withheld} (over the daily limit)."
        )
    done = housekeeping.run_if_due(current_app.config)  # after the mail: it must not wait
    if done is not None:
        _report(done)


@outbox_cli.command("run")
@click.option(
    "--stop-with-parent",
    is_flag=True,
    help="Stop when the process that started this one ends (used by make run/serve).",
)
def outbox_run(stop_with_parent: bool) -> None:
    """Keep sending due messages until stopped (SIGTERM or Ctrl-C)."""
    stop = threading.Event()

    def request_stop(_signum, _frame) -> None:
        # Finish the message being sent (bounded by MAIL_TIMEOUT), then leave.
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    parent = None
    if stop_with_parent:
        parent = os.getppid()
        if parent == 1:  # the starting shell is already gone: there is nothing to serve
            click.echo("Outbox sender stopped.")
            return
    click.echo("Outbox sender running; stop it with Ctrl-C.")
    if inbox.configured():
        click.echo("It reads the help desk mailbox every IMAP_POLL_SECONDS too.")
    outbox.run(stop, parent=parent, also=inbox.Poller(), chores=_housekeeping_when_due)
    click.echo("Outbox sender stopped.")


@mailbox_cli.command("fetch")
def mailbox_fetch() -> None:
    """Read the help desk mailbox once and file every e-mail in it (for cron)."""
    if not inbox.configured():
        raise click.ClickException("IMAP_HOST is not set: there is no mailbox to read.")
    result = inbox.fetch_once()
    click.echo(
        f"Filed {result.filed} repl(ies), {result.new_requests} new request(s), "
        f"{result.bounces} delivery report(s); {result.duplicates} already filed, "
        f"{result.unreadable} unreadable (moved to the failed folder)."
    )
    if result.error:
        raise click.ClickException(f"The mailbox could not be read: {result.error}")


@operator_cli.command("check")
def check_operator() -> None:
    """Fail unless the operator's own file (OPERATOR_FILE) exists, is complete and real.

    `make serve` runs this first: a public site must not go live with the sample data.
    What the operator's kind requires is checked too; a text missing in one of the site's
    languages is only warned about (the page shows the German text).
    """
    path = operator_details.configured_path(current_app)
    try:
        details = operator_details.require_real(path)
    except operator_details.OperatorError as exc:
        raise click.ClickException(
            f"{exc}\nThe imprint, privacy notice and accessibility statement are built "
            "from this file; the site will not start in production without it."
        ) from exc
    if not operator_details.public_address_set(current_app.config):
        click.echo(f"Warning: {operator_details.PUBLIC_ADDRESS_MISSING}", err=True)
    for warning in operator_details.missing_languages(details, current_app.config["LANGUAGES"]):
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"{path}: complete ({details.data['provider']['name']}, {details.kind}).")


@demo_cli.command("load")
def load_demo() -> None:
    """Fill a development database with made-up help requests and a demo staff account.

    Refuses unless DEMO_ALLOWED is set, and on any database but SQLite.
    """
    try:
        loaded = demo.load()
    except demo.DemoRefused as exc:
        raise click.ClickException(str(exc)) from exc
    if loaded.requests:
        click.echo(f"Loaded {loaded.requests} made-up help requests.")
    else:
        click.echo("The demo requests were loaded before; the demo account has a new password.")
    click.echo(f"Sign in at /admin/ as {loaded.email} with the password {loaded.password}")


def register(app: Flask) -> None:
    """Attach every command group to the app."""
    app.cli.add_command(content_cli)
    app.cli.add_command(admin_cli)
    app.cli.add_command(requests_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(operator_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(mailbox_cli)
    app.cli.add_command(run_housekeeping)
    app.cli.add_command(backup_database)
