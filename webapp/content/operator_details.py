"""The operator's details: who runs the site, for the statutory pages and e-mail footers.

Operators keep them in one file, `instance/operator.toml` (OPERATOR_FILE), copied from
the committed `instance/operator.example.toml`. The file is read once when the app
starts. Without it the app falls back to the example, whose `sample = true` makes the
imprint, privacy notice and accessibility statement say plainly that the details are
not configured: good enough for `make run`, never for production, so with
OPERATOR_REQUIRED set (`make serve` sets it) the app refuses to start instead.

A text that depends on the language is a table of language codes
(`legal_form = { de = "Körperschaft des öffentlichen Rechts", en = "…" }`); a language
missing from it falls back to German, the legal original (never to English), and
`operator check` warns about it.

`kind` decides the legal bases the pages state: a `public-body` (an authority or a
public-law body such as a chamber) processes for its public task (Art. 6(1)(e) GDPR with
the national basis it names in `privacy.national_basis`) and must have a data protection
officer (Art. 37(1)(a)); a `private` operator (association, company) relies on Art.
6(1)(b) and (f).
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Flask
from flask import current_app

from webapp.config import ROOT
from webapp.config import Defaults
from webapp.web.i18n import current_lang

EXAMPLE_FILE = ROOT / "instance" / "operator.example.toml"
STATUSES = ("fully", "partially")
PUBLIC_BODY = "public-body"
PRIVATE = "private"
KINDS = (PUBLIC_BODY, PRIVATE)
FALLBACK_LANGUAGE = "de"  # the legal original

# Keys every file must fill (dotted paths); the optional ones are read where they are used.
REQUIRED = (
    "kind",
    "provider.name",
    "provider.legal_form",
    "provider.street",
    "provider.postcode",
    "provider.city",
    "provider.country",
    "provider.email",
    "provider.phone",
    "provider.representative",
    # § 18 (2) MStV: the site carries editorial texts (the alliances, the programme).
    "provider.content_responsible",
    # Art. 77 GDPR: where visitors complain about the processing of their data.
    "data_protection_authority.name",
    "data_protection_authority.postal_address",
    "data_protection_authority.email",
    "hosting.name",
    "hosting.address",
    "mail.name",
    "mail.address",
    "privacy.server_log_days",
    "accessibility.status",
    "accessibility.prepared",
    "accessibility.reviewed",
    "accessibility.law",
    "accessibility.enforcement.name",
    "accessibility.enforcement.address",
    "accessibility.enforcement.email",
    "accessibility.monitoring.name",
    "accessibility.monitoring.address",
)
# What a public body must fill besides: its national legal basis for Art. 6(1)(e) GDPR,
# its data protection officer (Art. 37(1)(a) GDPR) and its supervisory authority (§ 5 (1)
# no. 3 DDG).
REQUIRED_BY_KIND = {
    PUBLIC_BODY: (
        "privacy.national_basis",
        "data_protection_officer.name",
        "data_protection_officer.email",
        "provider.supervisory_authority",
    ),
    PRIVATE: (),
}
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

    @property
    def kind(self) -> str:
        return self.data["kind"]

    def for_language(self, lang: str) -> dict:
        """Every value with language tables resolved to `lang`, for the templates."""
        resolved = _resolve(self.data, lang)
        resolved["sample"] = self.sample
        resolved["public_body"] = self.kind == PUBLIC_BODY
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
        for code in (lang, FALLBACK_LANGUAGE):
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
    kind = data.get("kind")
    if _filled(kind) and kind not in KINDS:
        problems.append('\'kind\' must be "public-body" or "private"')
    problems += [
        f"'{key}' is missing or empty (a {kind} operator must give it)"
        for key in REQUIRED_BY_KIND.get(kind, ())
        if not _filled(_lookup(data, key))
    ]
    for key, value in _translations(data):
        if FALLBACK_LANGUAGE not in value:
            problems.append(f"'{key}' has no German text (de), which other languages fall back to")
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


def _translations(value: object, prefix: str = ""):
    """Every language table in the file, as (dotted key, table)."""
    if _is_translation(value):
        yield prefix, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _translations(item, f"{prefix}.{key}" if prefix else key)


def missing_languages(details: Operator, languages) -> list[str]:
    """Warnings for `operator check`: each text that lacks one of the site's languages
    (the page then shows the German text)."""
    warnings = []
    for key, value in _translations(details.data):
        missing = [code for code in languages if code not in value]
        if missing:
            warnings.append(f"'{key}' has no text in {', '.join(missing)}; German is shown")
    return warnings


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


PUBLIC_ADDRESS_MISSING = (
    "PUBLIC_BASE_URL is not set: give the site's public address (e.g. "
    "PUBLIC_BASE_URL=https://wir.example.org). The accessibility statement names it as "
    "its scope and the e-mails link to it."
)


def public_address_set(config) -> bool:
    """Whether the site's public address is configured (not the development default)."""
    return (config.get("PUBLIC_BASE_URL") or "").rstrip("/") != Defaults.PUBLIC_BASE_URL


def load(app: Flask) -> Operator:
    """The details for this app: the operator's file, else the sample (refused when
    OPERATOR_REQUIRED is set, as in production)."""
    path = configured_path(app)
    if app.config.get("OPERATOR_REQUIRED"):
        details = require_real(path)
        if not public_address_set(app.config):
            raise OperatorError(PUBLIC_ADDRESS_MISSING)
        return details
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
