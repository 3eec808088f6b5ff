"""The operator's details: who runs the site, for the statutory pages and e-mail footers.

Operators keep them in one file, `instance/operator.toml` (OPERATOR_FILE), copied from
the committed `instance/operator.example.toml`. The file is read once when the app
starts. Without it the app falls back to the example, whose `sample = true` makes the
imprint, privacy notice and accessibility statement say plainly that the details are
not configured: good enough for `make run`, never for production, so with
OPERATOR_REQUIRED set (`make serve` sets it) the app refuses to start instead.

A text that depends on the language is a table of language codes
(`legal_form = { de = "eingetragener Verein", en = "registered association" }`);
a language missing from it falls back to English, then German.
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Flask
from flask import current_app

from webapp.config import ROOT
from webapp.web.i18n import current_lang

EXAMPLE_FILE = ROOT / "instance" / "operator.example.toml"
STATUSES = ("fully", "partially")
FALLBACK_LANGUAGES = ("en", "de")

# Keys every file must fill (dotted paths); the optional ones are read where they are used.
REQUIRED = (
    "provider.name",
    "provider.legal_form",
    "provider.street",
    "provider.postcode",
    "provider.city",
    "provider.country",
    "provider.email",
    "provider.phone",
    "provider.representative",
    "hosting.name",
    "hosting.address",
    "mail.name",
    "mail.address",
    "privacy.server_log_days",
    "accessibility.status",
    "accessibility.prepared",
    "accessibility.reviewed",
    "accessibility.enforcement.name",
    "accessibility.enforcement.address",
    "accessibility.enforcement.email",
)
# Optional tables that, when present, need these keys.
OPTIONAL_TABLES = {
    "controller": ("name", "street", "postcode", "city", "email"),
    "data_protection_officer": ("name", "email"),
}


class OperatorError(Exception):
    """The operator's file is missing, unreadable or incomplete; the message says which."""


@dataclass(frozen=True)
class Operator:
    """The parsed file: `sample` is True for the committed example data."""

    source: Path
    sample: bool
    data: dict

    def for_language(self, lang: str) -> dict:
        """Every value with language tables resolved to `lang`, for the templates."""
        resolved = _resolve(self.data, lang)
        resolved["sample"] = self.sample
        resolved.setdefault("controller", resolved["provider"])
        return resolved


def _is_translation(value: object) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(k, str) and len(k) == 2 and k.islower() for k in value)
    )


def _resolve(value: object, lang: str):
    if _is_translation(value):
        for code in (lang, *FALLBACK_LANGUAGES):
            if code in value:
                return value[code]
        return next(iter(value.values()))
    if isinstance(value, dict):
        return {key: _resolve(item, lang) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, lang) for item in value]
    return value


def _lookup(data: dict, dotted: str):
    value: object = data
    for key in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _filled(value: object) -> bool:
    if _is_translation(value):
        return all(isinstance(v, str) and v.strip() for v in value.values())
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, int | date) and not isinstance(value, bool)


def check(data: dict, where: str) -> None:
    """Raise OperatorError naming every required item that is missing or wrong."""
    problems = [
        f"'{key}' is missing or empty" for key in REQUIRED if not _filled(_lookup(data, key))
    ]
    for table, keys in OPTIONAL_TABLES.items():
        if table in data:
            problems += [
                f"'{table}.{key}' is missing or empty"
                for key in keys
                if not _filled(_lookup(data, f"{table}.{key}"))
            ]
    if _lookup(data, "accessibility.status") not in (None, "", *STATUSES):
        problems.append('\'accessibility.status\' must be "fully" or "partially"')
    for key in ("accessibility.prepared", "accessibility.reviewed"):
        if _filled(_lookup(data, key)) and not isinstance(_lookup(data, key), date):
            problems.append(f"'{key}' must be a date like 2026-11-28 (no quotes)")
    days = _lookup(data, "privacy.server_log_days")
    if _filled(days) and (not isinstance(days, int) or days < 0):
        problems.append("'privacy.server_log_days' must be a whole number of days (no quotes)")
    if not isinstance(data.get("sample", False), bool):
        problems.append("'sample' must be true or false")
    if problems:
        raise OperatorError(f"{where}: " + "; ".join(problems))


def read(path: Path) -> Operator:
    """Parse and check one file; raise OperatorError with the file's name and the problems."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise OperatorError(
            f"{path} does not exist. Copy {EXAMPLE_FILE} to it and replace the sample "
            "data with your organisation's details."
        ) from exc
    except OSError as exc:
        raise OperatorError(f"{path}: cannot read the file ({exc.strerror})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise OperatorError(f"{path}: not valid TOML: {exc}") from exc
    check(data, str(path))
    return Operator(source=path, sample=bool(data.get("sample", False)), data=data)


def configured_path(app: Flask) -> Path:
    """The operator's own file: OPERATOR_FILE, by default instance/operator.toml."""
    return Path(app.config.get("OPERATOR_FILE") or Path(app.instance_path) / "operator.toml")


def require_real(path: Path) -> Operator:
    """The operator's own file, which must exist, be complete and hold no sample data."""
    details = read(path)
    if details.sample:
        raise OperatorError(
            f"{path} still says 'sample = true'. Replace the sample data with your "
            "organisation's details, then delete that line."
        )
    return details


def load(app: Flask) -> Operator:
    """The details for this app: the operator's file, else the sample (refused when
    OPERATOR_REQUIRED is set, as in production)."""
    path = configured_path(app)
    if app.config.get("OPERATOR_REQUIRED"):
        return require_real(path)
    if path.exists():
        return read(path)
    return read(EXAMPLE_FILE)


def current() -> Operator:
    """The details loaded when the app started."""
    return current_app.extensions["operator"]


def init_app(app: Flask) -> None:
    """Read the details once and offer them to every template as `operator`."""
    details = app.extensions["operator"] = load(app)
    by_language: dict[str, dict] = {}  # resolved once per language, not on every render

    @app.context_processor
    def operator_context() -> dict:
        lang = current_lang()
        if lang not in by_language:
            by_language[lang] = details.for_language(lang)
        return {"operator": by_language[lang]}
