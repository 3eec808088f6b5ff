"""The outbox's words, defined once: what a message is (`Kind`) and where it stands (`State`).

Stored as their string values; a StrEnum member equals its value, so rows read back
compare with the members directly. Imports nothing, so the models can use it too.
"""

from enum import StrEnum


class Kind(StrEnum):
    """What an outbox message is."""

    STAFF_NOTIFICATION = "staff_notification"  # a new request, to staff
    CONFIRMATION = "confirmation"  # a new request, to the visitor
    ANSWER = "answer"  # a staff answer, to the visitor
    ASSIGNMENT = "assignment"  # a request given to a member of staff, to them
    REPLY_NOTICE = "reply_notice"  # the visitor wrote again, to the assignee


class State(StrEnum):
    """Where an outbox message stands."""

    QUEUED = "queued"  # waiting to be sent (again)
    SENT = "sent"
    FAILED = "failed"  # retrying given up (or refused for good); staff may send it again
    WITHHELD = "withheld"  # over its kind's daily limit for the address: never sent
    BOUNCED = "bounced"  # a delivery report came back for it (webapp/mail/inbox.py)
