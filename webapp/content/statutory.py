"""What the imprint, privacy notice and accessibility statement say about this site itself.

The operator's details come from operator_details.py; this module adds the facts the code and
the configuration decide (which cookie, for how long, how long counters and requests
are kept), so the pages never state a number that the running site does not use.
"""

from datetime import date

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from limits import parse_many

from webapp.helpdesk import housekeeping
from webapp.helpdesk import signin_throttle

# When the wording of the privacy notice last changed; the page shows this date or the
# date of the operator's details (`privacy.updated`), whichever is later.
PRIVACY_TEXT_DATE = date(2026, 11, 28)

RATE_LIMIT_SETTINGS = ("HELP_RATE_LIMIT", "HELP_STATUS_RATE_LIMIT", "LOGIN_RATE_LIMIT")


def longest_window_hours(config) -> int:
    """How long a rate-limit counter can live: the longest window of any limit, in hours."""
    seconds = max(
        (item.get_expiry() for name in RATE_LIMIT_SETTINGS for item in parse_many(config[name])),
        default=0,
    )
    # Failed sign-ins per account and address are kept up to a day (signin_throttle.py).
    return max(1, -(-seconds // 3600), signin_throttle.DAY // 3600)


def _per_window(item) -> str:
    """One limit, like "5 per minute", in the page's language."""
    amount, multiples, granularity = item.amount, item.multiples, item.GRANULARITY.name
    if multiples == 1 and granularity == "minute":
        return ngettext("%(num)d per minute", "%(num)d per minute", amount)
    if multiples == 1 and granularity == "hour":
        return ngettext("%(num)d per hour", "%(num)d per hour", amount)
    if multiples == 1 and granularity == "day":
        return ngettext("%(num)d per day", "%(num)d per day", amount)
    minutes = max(1, item.get_expiry() // 60)
    return ngettext(
        "%(num)d in %(minutes)d minutes",
        "%(num)d in %(minutes)d minutes",
        amount,
        minutes=minutes,
    )


def limits_text(setting: str) -> str:
    """A rate limit from the configuration as a visitor reads it: "5 per minute, 30 per day"."""
    return ", ".join(_per_window(item) for item in parse_many(setting))


def counters(config) -> dict:
    """What each counter allows, read from the running configuration (privacy notice)."""
    return {
        "help": limits_text(config["HELP_RATE_LIMIT"]),
        "status": limits_text(config["HELP_STATUS_RATE_LIMIT"]),
        "signin": limits_text(config["LOGIN_RATE_LIMIT"]),
        "free_failures": int(config["LOGIN_FREE_FAILURES"]),
        "first_delay": int(config["LOGIN_FIRST_DELAY"]),
    }


def legal_bases(public_body: bool, national_basis: str | None) -> dict:
    """The legal bases the privacy notice cites, by the operator's kind.

    A public body processes for its task (Art. 6(1)(e) GDPR with its national basis);
    Art. 6(1)(f) is not open to it (Art. 6(1), second subparagraph). A private operator
    answers a request the visitor asked for (b) and protects its service (f).
    """
    if public_body:
        task = _("Article 6(1)(e) GDPR in conjunction with %(national)s", national=national_basis)
        return {"request": task, "security": task}
    return {"request": _("Article 6(1)(b) GDPR"), "security": _("Article 6(1)(f) GDPR")}


def csrf_minutes(config) -> int | None:
    """How long the help form's security token stays valid, in minutes (None: no limit)."""
    limit = config.get("WTF_CSRF_TIME_LIMIT")
    return int(limit) // 60 if limit else None


def known_barriers(config) -> list[dict]:
    """The barriers we know of, each with its reason and an accessible alternative, as the
    EU model statement asks; listed while the statement says "partially compliant"."""
    barriers = [
        {
            # Leichte Sprache has its own page (/de/leichte-sprache); sign language not yet.
            "text": _(
                "There is no video in German Sign Language (DGS) explaining the website’s "
                "content and how to use it, as BITV 2.0 asks of public bodies."
            ),
            "reason": _("Reason: non-compliance. The video has not been produced yet."),
            "outside_scope": False,
            "alternative": _(
                "Alternative: the page in Leichte Sprache (easy-to-read German) explains the "
                "website, and you can write to us at any time by e-mail or through the help form."
            ),
        }
    ]
    minutes = csrf_minutes(config)
    if minutes:
        barriers.append(
            {
                "text": ngettext(
                    "The help form has a time limit for security: a form left open for longer "
                    "than %(num)d minute must be sent again. What you typed is kept.",
                    "The help form has a time limit for security: a form left open for longer "
                    "than %(num)d minutes must be sent again. What you typed is kept.",
                    minutes,
                ),
                "reason": _(
                    "Reason: non-compliance (WCAG success criterion 2.2.1, timing adjustable). "
                    "The limit protects the form against forged requests."
                ),
                "outside_scope": False,
                "alternative": _(
                    "Alternative: send the form again with one click, or write to us by e-mail, "
                    "which has no time limit."
                ),
            }
        )
    barriers.append(
        {
            "text": _("The websites of the alliances that we link to are run by others."),
            "reason": _(
                "Reason: outside the scope of the law. We have no influence on their accessibility."
            ),
            "outside_scope": True,
            "alternative": _(
                "Alternative: the pages about the alliances on this website summarise what "
                "they do; ask us through the help form if you need more."
            ),
        }
    )
    return barriers


def facts(config, operator: dict) -> dict:
    """The numbers and names the three pages state, read from the running configuration."""
    updated = operator.get("privacy", {}).get("updated")
    notice_date = (
        max(PRIVACY_TEXT_DATE, updated) if isinstance(updated, date) else PRIVACY_TEXT_DATE
    )
    public_body = bool(operator.get("public_body"))
    # The days the housekeeping deletes after, from its own rules: the notice says what runs.
    retention = {rule.what: rule.days for rule in housekeeping.retention_rules(config)}
    return {
        "public_body": public_body,
        "bases": legal_bases(public_body, operator.get("privacy", {}).get("national_basis")),
        "counters": counters(config),
        "spam_purge_days": retention["spam"],
        "reads_replies": bool(config.get("IMAP_HOST")),
        "easy_read": url_for("public.easy_read", lang="de"),
        "cookie_name": config["SESSION_COOKIE_NAME"],
        "csrf_minutes": csrf_minutes(config),
        "counter_hours": longest_window_hours(config),
        "purge_days": retention["requests"],
        "reply_days": int(config["HELP_REPLY_DAYS"]),
        "confirmations_per_day": int(config["HELP_CONFIRMATIONS_PER_DAY"]),
        "notice_date": notice_date,
        "authority": operator["data_protection_authority"],
        "barriers": known_barriers(config),
        "site_url": config["PUBLIC_BASE_URL"].rstrip("/") + "/",
    }
