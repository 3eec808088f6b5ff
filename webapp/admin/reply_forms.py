"""Forms for saved replies: keeping them, and choosing one to start an answer with."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import ValidationError

from webapp.admin.forms import AnswerForm
from webapp.admin.forms import one_line
from webapp.helpdesk import correspondence
from webapp.helpdesk import saved_replies
from webapp.helpdesk import vocabulary
from webapp.models import ContactRequest
from webapp.models import SavedReply
from webapp.web.validators import NoControlCharacters


class SavedReplyForm(FlaskForm):
    """Create or change a saved reply. Topics come from the database, so they are filled in."""

    topic = SelectField(_l("Topic"), validate_choice=False)
    language = SelectField(
        _l("Language of the reply"),
        description=_l("The answer form offers it for requests in this language."),
        validate_choice=False,
    )
    title = StringField(
        _l("Title"),
        description=_l("A few words to find the reply by, e.g. “Kita places: first answer”."),
        filters=[one_line],
        validators=[
            NoControlCharacters(),
            DataRequired(_l("Enter a title")),
            Length(max=120, message=_l("The title must be 120 characters or fewer")),
        ],
    )
    body = TextAreaField(
        _l("Text"),
        description=_l("Staff can change it in the answer form before sending."),
        validators=[
            NoControlCharacters(),
            DataRequired(_l("Enter the text of the reply")),
            Length(max=20000, message=_l("The text must be 20000 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Save reply"))

    def fill_choices(self, topics: list[tuple[str, str]], languages: list[tuple[str, str]]) -> None:
        """Set the select options: (value, label) pairs for topics and languages."""
        self.topic.choices = [SelectChoice("", _l("Choose a topic"))] + [
            SelectChoice(value, label) for value, label in topics
        ]
        # Each language is named in itself, so its option says which language it is in.
        self.language.choices = [SelectChoice("", _l("Choose a language"))] + [
            SelectChoice(value, label, render_kw={"lang": value}) for value, label in languages
        ]

    def validate_topic(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices if choice.value}:
            raise ValidationError(_l("Choose a topic"))

    def validate_language(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices if choice.value}:
            raise ValidationError(_l("Choose a language"))


class DeleteReplyForm(FlaskForm):
    """Confirm deleting a saved reply."""

    submit = SubmitField(_l("Yes, delete this reply"))


class ReplyChoiceForm(FlaskForm):
    """Choose a saved reply for the answer form: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    reply = SelectField(
        _l("Saved reply"),
        description=_l("Its text replaces what is in “Your answer”."),
        validate_choice=False,
    )

    @classmethod
    def offering(cls, replies: list[SavedReply], chosen: SavedReply | None = None):
        """The chooser listing `replies`, with `chosen` selected."""
        form = cls(formdata=None, reply=str(chosen.id) if chosen else None)
        form.reply.choices = [SelectChoice(str(reply.id), reply.title) for reply in replies]
        return form


def prefilled_answer(item: ContactRequest, args) -> tuple[AnswerForm, ReplyChoiceForm]:
    """The answer form filled with the saved reply `args["reply"]`, and the chooser showing it.

    A subject and status in `args` (htmx sends what the form holds) are kept. A reply that
    does not exist or does not fit the request leaves the text empty and gives the chooser
    an error instead.
    """
    reply = saved_replies.offered(item, args.get("reply"))
    reply_form = ReplyChoiceForm.offering(saved_replies.for_request(item), reply)
    status = args.get("answer-status")
    answer_form = AnswerForm(
        formdata=None,
        subject=args.get("answer-subject") or correspondence.answer_subject(item),
        status=status if status in vocabulary.STATUSES else vocabulary.Status.ANSWERED,
    )
    if reply is None:
        reply_form.reply.errors = [_("Choose one of the saved replies")]
        return answer_form, reply_form
    answer_form.body.data = reply.body
    # After an htmx swap the text field takes the focus and the change is announced.
    answer_form.body.render_kw = {
        "data-swap-focus": True,
        "data-announce": _("The saved reply “%(title)s” is in your answer.", title=reply.title),
    }
    return answer_form, reply_form
