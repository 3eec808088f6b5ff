"""E-mail: the outbox every message is stored in first, and the sender that delivers it.

Its words (`kinds`: what a message is, where it stands), the outbox and its sender
(`outbox`), and the texts, rendered from templates/email/ (`texts`).

May import: `webapp.models`, `webapp.extensions`, `webapp.config`, `webapp.content`
(operator details for footers) and `webapp.helpdesk` (the texts of the help desk's
e-mails). Never Flask's `request`, `session` or `g`, and never a blueprint.
"""
