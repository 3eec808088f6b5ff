"""Forms of the staff area. Single-button POSTs are FlaskForms too, for their CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import SearchField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.validators import AnyOf
from wtforms.validators import DataRequired
from wtforms.validators import Length

from webapp import plain_text
from webapp.helpdesk import assignment
from webapp.helpdesk import vocabulary
from webapp.models import ContactRequest
from webapp.web.validators import NoControlCharacters


def one_line(value: str | None) -> str | None:
    """A form filter: the value on one line (plain_text.one_line)."""
    return plain_text.one_line(value) if isinstance(value, str) else value


class LoginForm(FlaskForm):
    """E-mail address and password; `next` is where to go afterwards (checked separately)."""

    email = EmailField(
        _l("E-mail address"),
        validators=[NoControlCharacters(), DataRequired(_l("Enter your e-mail address"))],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password"))])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class FilterForm(FlaskForm):
    """The list's filter: a GET form, so it has no CSRF token and can be bookmarked."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), description=_l("Reference, name, e-mail address or message"))
    status = SelectField(_l("Status"), validate_choice=False)
    topic = SelectField(_l("Topic"), validate_choice=False)
    assigned = SelectField(
        _l("Assigned to"),
        choices=[
            SelectChoice("", _l("Anyone or nobody")),
            SelectChoice("me", _l("Me")),
            SelectChoice("nobody", _l("Nobody (unassigned)")),
        ],
        validate_choice=False,
    )
    overdue = BooleanField(_l("Show only overdue requests"))
    spam = BooleanField(_l("Show only requests marked as spam"))
    reply = BooleanField(_l("Show only requests with a reply waiting"))

    def fill_choices(self, topics: list[tuple[str, str]]) -> None:
        """Set the select options (topics come from the database)."""
        self.status.choices = [SelectChoice("", _l("All statuses"))] + [
            SelectChoice(value, label) for value, label in vocabulary.STATUS_LABELS.items()
        ]
        self.topic.choices = [SelectChoice("", _l("All topics"))] + [
            SelectChoice(value, label) for value, label in topics
        ]


class StatusForm(FlaskForm):
    """Set the status of a request."""

    status = SelectField(
        _l("New status"),
        choices=[SelectChoice(value, label) for value, label in vocabulary.STATUS_LABELS.items()],
        validators=[AnyOf(vocabulary.STATUSES, message=_l("Choose a status"))],
        validate_choice=False,
    )
    submit = SubmitField(_l("Change status"))


class NoteForm(FlaskForm):
    """Append an internal note."""

    body = TextAreaField(
        _l("New note"),
        description=_l("Only staff can see notes. A note cannot be changed once added."),
        validators=[
            NoControlCharacters(),
            DataRequired(_l("Enter the text of the note")),
            Length(max=5000, message=_l("The note must be 5000 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Add note"))


class AnswerForm(FlaskForm):
    """Answer the visitor by e-mail; the status afterwards is "answered" unless changed.

    Its fields carry the prefix "answer-": the note and status forms on the same page
    have fields called body and status too, and ids must be unique.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="answer", **kwargs)

    subject = StringField(
        _l("Subject"),
        # One line: a line break in a header could add headers of its own.
        filters=[one_line],
        validators=[
            NoControlCharacters(),
            DataRequired(_l("Enter a subject")),
            Length(max=200, message=_l("The subject must be 200 characters or fewer")),
        ],
    )
    body = TextAreaField(
        _l("Your answer"),
        description=_l(
            "The visitor receives this text by e-mail. Their reply comes to the help desk."
        ),
        validators=[
            NoControlCharacters(),
            DataRequired(_l("Enter the text of your answer")),
            Length(max=20000, message=_l("The answer must be 20000 characters or fewer")),
        ],
    )
    status = SelectField(
        _l("Status after sending"),
        choices=[SelectChoice(value, label) for value, label in vocabulary.STATUS_LABELS.items()],
        validators=[AnyOf(vocabulary.STATUSES, message=_l("Choose a status"))],
        validate_choice=False,
        default=vocabulary.Status.ANSWERED,
    )
    submit = SubmitField(_l("Send answer"))


class AssignForm(FlaskForm):
    """Give a request to a member of staff, or to nobody; "to me" is a second button.

    Its fields carry the prefix "assign-", as the answer form's do, for unique ids.
    """

    def __init__(self, *args, staff: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, prefix="assign", **kwargs)
        self.assignee.choices = [SelectChoice("", _l("Nobody"))] + [
            SelectChoice(value, label) for value, label in staff
        ]

    assignee = SelectField(
        _l("Assign to"),
        description=_l("They receive an e-mail with a link to this request."),
        invalid_choice_message=_l("Choose a member of staff"),
    )
    submit = SubmitField(_l("Assign"))
    to_me = SubmitField(_l("Assign to me"))


def assign_form(item: ContactRequest, **kwargs) -> AssignForm:
    """The assignment form for a request, offering every active member of staff."""
    staff = assignment.active_staff()
    if item.assignee is not None and item.assignee not in staff:
        staff.append(item.assignee)  # deactivated since: still shown as assigned
    kwargs.setdefault("assignee", str(item.assignee_id or ""))
    return AssignForm(staff=[(str(user.id), user.email) for user in staff], **kwargs)


class SpamForm(FlaskForm):
    """Mark a request as spam ("1") or as not spam again ("0").

    The wanted state travels with the button, so pressing it twice (or two people at
    once) gives the same result instead of switching back.
    """

    spam = HiddenField(validators=[AnyOf(("0", "1"))])


class ResendForm(FlaskForm):
    """Queue an e-mail again (its button sits beside each message)."""


class ForgetForm(FlaskForm):
    """Confirm deleting every request from one address."""

    submit = SubmitField(_l("Yes, delete all requests from this address"))


class DeleteForm(FlaskForm):
    """Confirm deleting a request."""

    submit = SubmitField(_l("Yes, delete this request"))


class LogoutForm(FlaskForm):
    """Sign out (a POST, so another site cannot sign staff out)."""

    submit = SubmitField(_l("Sign out"))


class LanguageForm(FlaskForm):
    """Switch the staff area's language; the chosen code comes from the pressed button."""

    next = HiddenField()
