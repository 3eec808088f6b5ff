"""Command-line commands: `flask --app wsgi content load` and friends."""

from pathlib import Path

import click
from flask import Flask
from flask import current_app
from flask.cli import AppGroup

from . import content

content_cli = AppGroup("content", help="Manage the site's content.")


@content_cli.command("load")
@click.option("--file", "path", type=click.Path(path_type=Path), default=None,
              help="Data file to load (default: CONTENT_FILE from the config).")
def load_content(path: Path | None) -> None:
    """Insert or update the initiatives from the data file. Safe to run again."""
    path = path or Path(current_app.config["CONTENT_FILE"])
    try:
        created, updated = content.load(path, tuple(current_app.config["LANGUAGES"]))
    except content.ContentError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Loaded {path}: {created} created, {updated} updated.")


def register(app: Flask) -> None:
    """Attach every command group to the app."""
    app.cli.add_command(content_cli)
