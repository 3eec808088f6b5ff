"""Yes/no settings in the environment follow one rule (config.parse_bool) everywhere:
`1`, `true`, `yes`, `on` mean yes; `0`, `false`, `no`, `off` and empty mean no; any other
word stops the start instead of being guessed."""

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FALSE_SPELLINGS = ["", "0", "false", "no", "off", "OFF", " Off ", "False"]
TRUE_SPELLINGS = ["1", "true", "yes", "on", "ON", " Yes "]


def gzipped(app) -> bool:
    response = app.test_client().get("/de/", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    return response.headers.get("Content-Encoding") == "gzip"


@pytest.mark.parametrize("spelling", FALSE_SPELLINGS)
def test_every_false_spelling_turns_a_setting_off(app_factory, monkeypatch, spelling):
    # COMPRESS_RESPONSES is on by default: each spelling of "no" must turn it off.
    monkeypatch.setenv("COMPRESS_RESPONSES", spelling)
    assert not gzipped(app_factory())


@pytest.mark.parametrize("spelling", TRUE_SPELLINGS)
def test_every_true_spelling_turns_a_setting_on(app_factory, monkeypatch, spelling):
    monkeypatch.setenv("COMPRESS_RESPONSES", spelling)
    assert gzipped(app_factory())


def test_a_word_that_is_neither_yes_nor_no_stops_the_start(app_factory, monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "maybe")
    with pytest.raises(ValueError, match="SESSION_COOKIE_SECURE='maybe'"):
        app_factory()


@pytest.mark.parametrize(("spelling", "preload"), [("off", False), ("no", False), ("on", True)])
def test_gunicorn_reads_its_switches_by_the_same_rule(monkeypatch, spelling, preload):
    monkeypatch.setenv("GUNICORN_PRELOAD", spelling)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["preload_app"] is preload
