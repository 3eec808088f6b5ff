"""The help form, one definition for the help page and anything that embeds it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TelField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp

from webapp.helpdesk import submission
from webapp.helpdesk import vocabulary
from webapp.web.validators import NoControlCharacters
from webapp.web.validators import SingleLine

FIXED = vocabulary.FIXED_TOPICS
MESSAGE_MIN = 10
MESSAGE_MAX = 5000


def strip(value: str | None) -> str | None:
    """Trim surrounding whitespace; leave everything else exactly as typed."""
    return value.strip() if isinstance(value, str) else value


class HelpForm(FlaskForm):
    """Name, e-mail, optional organisation and phone, topic, message, honeypot.

    No consent box: the request rests on the operator's task or on answering what the
    visitor asked (see the privacy notice, statutory.legal_bases); consent to the core
    service would not be freely given. A notice under the form links to the privacy notice.
    """

    name = StringField(
        _l("Your name"),
        filters=[strip],
        validators=[
            NoControlCharacters(),
            SingleLine(_l("Enter your name on one line, without line breaks")),
            DataRequired(_l("Enter your name")),
            Length(max=200, message=_l("Your name must be 200 characters or fewer")),
        ],
    )
    email = EmailField(
        _l("E-mail address"),
        description=_l("We only use it to answer you."),
        filters=[strip],
        validators=[
            NoControlCharacters(),
            DataRequired(_l("Enter your e-mail address")),
            Length(max=254, message=_l("Your e-mail address must be 254 characters or fewer")),
            # email-validator checks the format only: no DNS look-up.
            Email(
                _l("Enter an e-mail address in the correct format, like name@example.com"),
                check_deliverability=False,
            ),
        ],
    )
    organisation = StringField(
        _l("Organisation or company"),
        filters=[strip],
        validators=[
            NoControlCharacters(),
            SingleLine(_l("Enter the organisation on one line, without line breaks")),
            Optional(),
            Length(max=200, message=_l("The organisation must be 200 characters or fewer")),
        ],
    )
    phone = TelField(
        _l("Phone number"),
        description=_l("If you would like us to call you."),
        filters=[strip],
        validators=[
            NoControlCharacters(),
            Optional(),
            Length(max=50, message=_l("Your phone number must be 50 characters or fewer")),
            Regexp(
                r"^\+?[0-9 ()/.\-]+$",
                message=_l("Enter a phone number using only digits, spaces and + ( ) - /"),
            ),
        ],
    )
    topic = SelectField(
        _l("What is your question about?"),
        validators=[DataRequired(_l("Choose what your question is about"))],
        invalid_choice_message=_l("Choose what your question is about"),
    )
    message = TextAreaField(
        _l("Your message"),
        description=_l(
            "Between 10 and 5,000 characters. You may write in German, English, Polish, "
            "Czech, Hungarian or Romanian."
        ),
        filters=[strip],
        validators=[
            NoControlCharacters(),
            DataRequired(_l("Enter your message")),
            Length(min=MESSAGE_MIN, message=_l("Your message must be at least 10 characters")),
            Length(max=MESSAGE_MAX, message=_l("Your message must be 5,000 characters or fewer")),
        ],
    )
    # Honeypot: hidden from people, tempting to bots. Filled in means spam.
    website = StringField(_l("Leave this field empty"))

    def __init__(self, *args, lang: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.topics_available = True
        try:
            initiatives = submission.initiative_topics(lang)
        except submission.Unavailable:
            initiatives = []
            self.topics_available = False
        self.topic.choices = self._choices(initiatives)

    def _choices(self, initiatives: list[tuple[str, str]]) -> list[SelectChoice]:
        group = _l("The WIR! alliances")
        choices = [SelectChoice("", _l("Please choose"))]
        choices += [
            SelectChoice(key, label)
            for key, label in vocabulary.TOPIC_LABELS.items()
            if key != "other"
        ]
        choices += [SelectChoice(slug, name, optgroup=group) for slug, name in initiatives]
        if not self.topics_available and self.topic.data and self.topic.data not in FIXED:
            # The initiatives could not be read: keep what the visitor chose all the same
            # (the form is shown again, never accepted, while the database is unavailable).
            choices.append(SelectChoice(self.topic.data, self.topic.data, optgroup=group))
        choices.append(SelectChoice("other", vocabulary.TOPIC_LABELS["other"]))
        return choices

    def is_spam(self) -> bool:
        """True when the honeypot was filled in."""
        return bool((self.website.data or "").strip())

    def submission(self) -> submission.Submission:
        """The validated answers for the domain layer."""
        return submission.Submission(
            name=self.name.data,
            email=self.email.data,
            topic=self.topic.data,
            message=self.message.data,
            organisation=self.organisation.data or None,
            phone=self.phone.data or None,
        )


class StatusForm(FlaskForm):
    """The status lookup: a reference number and the e-mail address it was sent from."""

    reference = StringField(
        _l("Reference number"),
        description=_l("For example H-2026-000123. You find it in your confirmation e-mail."),
        filters=[strip],
        validators=[
            NoControlCharacters(),
            DataRequired(_l("Enter your reference number")),
            Length(max=40, message=_l("Enter a reference number like H-2026-000123")),
        ],
    )
    email = EmailField(
        _l("E-mail address"),
        description=_l("The address you gave when you sent your request."),
        filters=[strip],
        validators=[
            NoControlCharacters(),
            DataRequired(_l("Enter your e-mail address")),
            Length(max=254, message=_l("Your e-mail address must be 254 characters or fewer")),
            Email(
                _l("Enter an e-mail address in the correct format, like name@example.com"),
                check_deliverability=False,
            ),
        ],
    )
