"""E-mail: the outbox every message is stored in first, and the sender that delivers it.

May import: `webapp.models`, `webapp.extensions`, `webapp.config`, `webapp.content`
(operator details for footers) and `webapp.helpdesk` (the texts of the help desk's
e-mails). Never Flask's `request`, `session` or `g`, and never a blueprint.
"""
