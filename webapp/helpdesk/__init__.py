"""The help desk's rules: requests and casework, the people and staff behind them.

What a request is and how it is stored (`submission`), the words for its topics and
statuses (`vocabulary`), casework and its audit trail (`casework`, `assignment`), the
e-mails it causes (`notifications`, `correspondence`), the staff list and its CSV
(`request_list`, `csv_export`), the overview's figures (`reports`), saved replies,
the visitor's status lookup, a person's data (`persons`), the one way e-mail addresses
are compared (`addresses`), retention (`housekeeping`), staff accounts and sign-in
throttling, and working days in Saxony.

May import: `webapp.models`, `webapp.extensions`, `webapp.database` (the engine's
helpers, e.g. `truncate_wal` after deleting personal data), `webapp.config`,
`webapp.plain_text`, `webapp.mail`, `webapp.content` and `webapp.web.i18n` (language
helpers). Never Flask's `request`, `session` or `g`, and never a blueprint: routes and the
CLI call these modules, not the other way round.
"""
