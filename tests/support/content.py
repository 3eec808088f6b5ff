"""The initiatives' content file, renamed and loaded as `flask content load` does."""

from pathlib import Path

from webapp.content import loader

NAME = "rECOmine"  # an initiative's name in the content file


def load_file(app, path: Path) -> None:
    with app.app_context():
        loader.load(path, tuple(app.config["LANGUAGES"]))


def renamed_file(app, tmp_path: Path, new_name: str) -> Path:
    """A copy of the content file in which NAME is `new_name`."""
    original = Path(app.config["CONTENT_FILE"]).read_text(encoding="utf-8")
    path = tmp_path / "initiatives.toml"
    path.write_text(original.replace(f'name = "{NAME}"', f'name = "{new_name}"'), "utf-8")
    assert new_name in path.read_text(encoding="utf-8")
    return path
