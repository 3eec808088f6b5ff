"""`flask --app wsgi content load`: idempotent, and a bad file changes nothing."""

from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Initiative
from webapp.models import InitiativeText


def snapshot(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            select(
                Initiative.id,
                Initiative.slug,
                Initiative.sort_order,
                Initiative.website,
                InitiativeText.lang,
                InitiativeText.name,
                InitiativeText.summary,
            )
            .join(InitiativeText)
            .order_by(Initiative.id, InitiativeText.lang)
        ).all()
        return [tuple(row) for row in rows]


def test_load_twice_gives_the_same_rows(app, runner):
    first = runner.invoke(args=["content", "load"])
    assert first.exit_code == 0, first.output
    assert "0 created, 4 updated" in first.output  # the fixture loaded it already
    before = snapshot(app)
    second = runner.invoke(args=["content", "load"])
    assert second.exit_code == 0
    assert snapshot(app) == before
    assert len(before) == 4 * len(app.config["LANGUAGES"])  # four initiatives, six languages


def test_load_into_an_empty_database_creates_every_initiative(app, runner):
    with app.app_context():
        db.session.execute(InitiativeText.__table__.delete())
        db.session.execute(Initiative.__table__.delete())
        db.session.commit()
    result = runner.invoke(args=["content", "load"])
    assert result.exit_code == 0
    assert "4 created, 0 updated" in result.output
    with app.app_context():
        slugs = db.session.scalars(select(Initiative.slug).order_by(Initiative.sort_order)).all()
    assert slugs == ["recomine", "smarterz", "smart-rail-campus", "blockchain-mittweida"]


def test_load_updates_changed_text(app, runner, tmp_path):
    source = tmp_path / "changed.toml"
    source.write_text(
        Path(app.config["CONTENT_FILE"])
        .read_text(encoding="utf-8")
        .replace('name = "rECOmine"', 'name = "rECOmine (neu)"', 1),
        encoding="utf-8",
    )
    result = runner.invoke(args=["content", "load", "--file", str(source)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = db.session.scalars(
            select(InitiativeText.name).where(InitiativeText.lang == "de")
        ).all()
        count = db.session.scalar(select(func.count()).select_from(Initiative))
    assert "rECOmine (neu)" in names
    assert count == 4


BROKEN = {
    "syntax": ("[[initiative]\nslug = 'x'\n", "not valid TOML"),
    "empty": ("title = 'nothing here'\n", "at least one [[initiative]]"),
    "bad slug": (
        "[[initiative]]\nslug = 'Not OK'\nsort_order = 1\nwebsite = 'https://a.example'\n",
        "'slug' must be",
    ),
    "missing text": (
        "[[initiative]]\nslug = 'ok'\nsort_order = 1\nwebsite = 'https://a.example'\n"
        "[initiative.de]\nname = 'A'\nplace = 'B'\nlead = 'C'\nteaser = 'D'\nsummary = 'E'\n",
        "language 'en': the table is missing",
    ),
    "duplicate": (
        "[[initiative]]\nslug = 'a'\n[[initiative]]\nslug = 'a'\n",
        "must be a whole number",
    ),
}


def test_a_malformed_file_fails_with_its_name_and_problem_and_changes_nothing(
    app, runner, tmp_path
):
    before = snapshot(app)
    for label, (text, problem) in BROKEN.items():
        path = tmp_path / f"{label.replace(' ', '_')}.toml"
        path.write_text(text, encoding="utf-8")
        result = runner.invoke(args=["content", "load", "--file", str(path)])
        assert result.exit_code != 0, label
        assert str(path) in result.output, label
        assert problem in result.output, (label, result.output)
        assert snapshot(app) == before, label


def test_a_missing_file_is_named(runner, tmp_path):
    result = runner.invoke(args=["content", "load", "--file", str(tmp_path / "nope.toml")])
    assert result.exit_code != 0
    assert "nope.toml: cannot read the file" in result.output


def test_every_configured_language_is_required(app, runner, tmp_path):
    """A file without the Polish texts is refused: no page may fall back to another language."""
    text = Path(app.config["CONTENT_FILE"]).read_text(encoding="utf-8")
    start = text.index("[initiative.pl]")
    end = text.index("[initiative.cs]")
    path = tmp_path / "no_polish.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    before = snapshot(app)
    result = runner.invoke(args=["content", "load", "--file", str(path)])
    assert result.exit_code != 0
    assert "initiative 'recomine', language 'pl': the table is missing" in result.output
    assert snapshot(app) == before
