"""Forms of the incident pages: the report, the PPC assessment, report dates, status."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from article8.controls.catalogue.models import Control
from article8.controls.incidents.services import MAX_TEXT, MAX_TITLE
from article8.core import vocabulary
from article8.web.forms import choices
from article8.web.params import DayField

# PPC Rules Art. 7 (i)-(iv): field name, the question in English and in Japanese. The page asks
# in the user's language and shows the other beneath it.
ASSESSMENT_QUESTIONS = (
    ("sensitive", "Does it involve sensitive personal information?", "要配慮個人情報が含まれるか"),
    ("financial", "Could it cause financial harm?", "財産的被害が生じるおそれがあるか"),
    (
        "unlawful",
        "May it have been done for an unlawful purpose?",
        "不正の目的をもって行われたおそれがあるか",
    ),
    ("over_1000", "Are more than 1,000 people affected?", "1,000人を超えるか"),
)
YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]


def _answer(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


class ReportForm(FlaskForm):
    """A violation of the handling rules, or a sign of one, as anyone signed in reports it."""

    title = StringField(_l("Subject"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    description = TextAreaField(
        _l("What happened, or what did you notice?"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
    )
    aware_at = DateTimeLocalField(
        _l("When did you become aware of it?"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired(message=_l("Enter the date and time."))],
    )
    control = SelectField(_l("Related control (optional)"), validators=[Optional()])

    def __init__(
        self, *args: object, controls: Sequence[Control] = (), lang: str = "en", **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.control.choices = [SelectChoice("", "—")] + [
            SelectChoice(c.code, f"{c.code} {c.title(lang)}") for c in controls
        ]


class AssessForm(FlaskForm):
    """The four PPC leak-report conditions, each answered yes or no."""

    sensitive = RadioField(
        _l("Does it involve sensitive personal information?"),
        choices=YES_NO,
        validators=[DataRequired()],
    )
    financial = RadioField(
        _l("Could it cause financial harm?"), choices=YES_NO, validators=[DataRequired()]
    )
    unlawful = RadioField(
        _l("May it have been done for an unlawful purpose?"),
        choices=YES_NO,
        validators=[DataRequired()],
    )
    over_1000 = RadioField(
        _l("Are more than 1,000 people affected?"), choices=YES_NO, validators=[DataRequired()]
    )

    @classmethod
    def for_incident(cls, incident: object) -> AssessForm:
        """The form showing the incident's current answers."""
        return cls(
            formdata=None,
            sensitive=_answer(getattr(incident, "sensitive_data", None)),
            financial=_answer(getattr(incident, "financial_harm", None)),
            unlawful=_answer(getattr(incident, "unlawful_purpose", None)),
            over_1000=_answer(getattr(incident, "over_1000_people", None)),
        )

    def answers(self) -> dict[str, bool]:
        """The answers as the service takes them."""
        return {name: getattr(self, name).data == "yes" for name, _en, _ja in ASSESSMENT_QUESTIONS}


class PpcReportForm(FlaskForm):
    """The day a preliminary or final report was made to the PPC."""

    kind = SelectField(_l("Report"), validators=[DataRequired()])
    reported_on = DayField(
        _l("Reported on"), validators=[InputRequired(message=_l("Enter a date (YYYY-MM-DD)."))]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(vocabulary.REPORT_KINDS)


class StatusForm(FlaskForm):
    """Move an incident on, or close it with how it was resolved."""

    status = SelectField(_l("Status"), validators=[DataRequired()])
    resolution = TextAreaField(
        _l("Resolution (required to close)"), validators=[Optional(), Length(max=MAX_TEXT)]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = choices(vocabulary.INCIDENT_STATES)
