"""Forms of the request and inquiry pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from article8.core import vocabulary
from article8.privacy.requests.services import MAX_NAME, MAX_TEXT
from article8.web.forms import choices
from article8.web.params import DayField

WHEN = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _optional(terms: vocabulary.Vocabulary, empty: str) -> list[SelectChoice]:
    return [SelectChoice("", empty), *choices(terms)]


class RequestForm(FlaskForm):
    """A request as it reached the company."""

    kind = SelectField(_l("Kind of request"), validators=[DataRequired()])
    channel = SelectField(_l("Channel"), validators=[DataRequired()])
    received_at = DateTimeLocalField(
        _l("Reached the company at"),
        format=WHEN,
        validators=[InputRequired(message=_l("Enter the date and time."))],
    )
    requester_name = StringField(_l("Requester"), validators=[DataRequired(), Length(max=MAX_NAME)])
    requester_contact = StringField(_l("Contact"), validators=[Optional(), Length(max=300)])
    agent_kind = SelectField(_l("Through an agent"), validators=[Optional()])
    agent_name = StringField(_l("Agent's name"), validators=[Optional(), Length(max=MAX_NAME)])
    disclosure_method = SelectField(_l("Disclosure method chosen"), validators=[Optional()])
    data_concerned = TextAreaField(
        _l("Personal data concerned"), validators=[Optional(), Length(max=MAX_TEXT)]
    )
    fee_yen = IntegerField(
        _l("Fee (yen)"), validators=[Optional(), NumberRange(min=0, max=1_000_000)]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(vocabulary.REQUEST_KINDS)
        self.channel.choices = choices(vocabulary.CHANNELS)
        self.agent_kind.choices = _optional(vocabulary.AGENT_KINDS, str(_l("No agent")))
        self.disclosure_method.choices = _optional(
            vocabulary.DISCLOSURE_METHODS, str(_l("Not chosen"))
        )


class ActionForm(FlaskForm):
    """A button that moves a request on (CSRF only)."""


class AssignForm(FlaskForm):
    """Who works on the request or inquiry."""

    owner_id = SelectField(_l("Assignee"), validators=[Optional()])


class VerifyForm(FlaskForm):
    """How identity was checked, and the result."""

    method = StringField(
        _l("How identity was checked"), validators=[DataRequired(), Length(max=300)]
    )
    result = SelectField(_l("Result"), validators=[DataRequired()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.result.choices = choices(vocabulary.VERIFICATION_RESULTS)


class FeeForm(FlaskForm):
    """The fee charged, received or waived."""

    fee_yen = IntegerField(
        _l("Fee (yen)"), validators=[Optional(), NumberRange(min=0, max=1_000_000)]
    )
    fee_state = SelectField(_l("Fee status"), validators=[DataRequired()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fee_state.choices = choices(vocabulary.FEE_STATES)


class WorkForm(FlaskForm):
    """The data concerned and the systems of the handler register that hold it."""

    data_concerned = TextAreaField(
        _l("Personal data concerned"), validators=[Optional(), Length(max=MAX_TEXT)]
    )
    systems = SelectMultipleField(_l("Systems (handler register)"), validators=[Optional()])


class DecideForm(FlaskForm):
    """The decision, the 法33条2項 ground when refused, and the reasons given (法36条)."""

    decision = SelectField(_l("Decision"), validators=[DataRequired()])
    refusal_ground = SelectField(_l("Ground for refusal (Art. 33(2))"), validators=[Optional()])
    reasons = TextAreaField(
        _l("Reasons given to the person (Art. 36)"), validators=[Optional(), Length(max=MAX_TEXT)]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.decision.choices = choices(vocabulary.DECISIONS)
        self.refusal_ground.choices = _optional(vocabulary.REFUSAL_GROUNDS, "—")


class RespondForm(FlaskForm):
    """The response sent, with a copy stored as evidence."""

    responded_on = DayField(
        _l("Sent on"), validators=[InputRequired(message=_l("Enter the date."))]
    )
    method = SelectField(_l("Method"), validators=[DataRequired()])
    # issue 17 (provision-record disclosure): an attached extract may serve as the copy, so the
    # file is required only when no extract is chosen (the view checks it).
    file = FileField(_l("Copy of the response"), validators=[Optional()])
    extract_id = SelectField(
        _l("Or use an attached extract as the copy"), validators=[Optional()], validate_choice=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.method.choices = choices(vocabulary.DISCLOSURE_METHODS)
        self.extract_id.choices = [SelectChoice("", "—")]


class ExtractForm(FlaskForm):
    """Attach an extract of the provision records concerning the person (issue 17)."""

    # The spelling searched for; empty means the requester's name as recorded.
    name = HiddenField(validators=[Optional(), Length(max=MAX_NAME)])


class IdentityDocumentForm(FlaskForm):
    """A copy of an identity document (kept as restricted evidence)."""

    file = FileField(_l("Copy of an identity document"), validators=[FileRequired()])


class InquiryForm(FlaskForm):
    """An inquiry or complaint as it reached the company."""

    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    channel = SelectField(_l("Channel"), validators=[DataRequired()])
    received_at = DateTimeLocalField(
        _l("Received at"),
        format=WHEN,
        validators=[InputRequired(message=_l("Enter the date and time."))],
    )
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    details = TextAreaField(_l("Details"), validators=[Optional(), Length(max=MAX_TEXT)])
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=300)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(vocabulary.INQUIRY_KINDS)
        self.channel.choices = choices(vocabulary.CHANNELS)


class ReplyForm(FlaskForm):
    """When the first reply went out, and a copy of it (optional, kept as evidence)."""

    replied_at = DateTimeLocalField(
        _l("First reply sent at"),
        format=WHEN,
        validators=[InputRequired(message=_l("Enter the date and time."))],
    )
    file = FileField(_l("Copy of the reply (optional)"))


class ConvertForm(FlaskForm):
    """The request an inquiry turns out to be."""

    kind = SelectField(_l("Kind of request"), validators=[DataRequired()])
    requester_name = StringField(_l("Requester"), validators=[DataRequired(), Length(max=MAX_NAME)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(vocabulary.REQUEST_KINDS)


class FindingLinkForm(FlaskForm):
    """The finding a complaint showed (empty to remove the link)."""

    finding_id = IntegerField(_l("Finding number"), validators=[Optional(), NumberRange(min=1)])


class CloseInquiryForm(FlaskForm):
    """How the inquiry ended."""

    outcome = TextAreaField(_l("Outcome"), validators=[DataRequired(), Length(max=MAX_TEXT)])
