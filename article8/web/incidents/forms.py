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

# PPC Rules Art. 7 (i)-(iv): field name, the question in English, the rule's own words (規則7条,
# as amended in force 1 April 2024) and a hint. The page asks in the user's language and quotes
# the rule beneath it.
ASSESSMENT_QUESTIONS = (
    (
        "sensitive",
        _l("(i) Does it involve personal data that includes sensitive personal information?"),
        "要配慮個人情報が含まれる個人データの漏えい等が発生し、又は発生したおそれがある事態",
        _l("e.g. medical history or treatment, criminal record, race, creed."),
    ),
    (
        "financial",
        _l("(ii) Personal data whose misuse may cause financial harm?"),
        "不正に利用されることにより財産的被害が生じるおそれがある個人データの漏えい等が発生し、"
        "又は発生したおそれがある事態",
        _l(
            "e.g. credit card numbers; IDs and passwords of web services with payment or "
            "money-transfer functions."
        ),
    ),
    (
        "unlawful",
        _l(
            "(iii) May it have been caused by an act against the company done for an "
            "unlawful purpose?"
        ),
        "不正の目的をもって行われたおそれがある当該個人情報取扱事業者に対する行為による個人データ"
        "（当該個人情報取扱事業者が取得し、又は取得しようとしている個人情報であって、個人データとして"
        "取り扱われることが予定されているものを含む。）の漏えい等が発生し、又は発生したおそれがある事態",
        _l(
            "e.g. unauthorised access, ransomware, theft by an employee. Since April 2024 this "
            "includes personal information the company is acquiring or about to acquire and "
            "means to handle as personal data (e.g. web skimming of an input form). A phishing "
            "site the individuals reached without going through our site or our mail is not an "
            "act against the company; a link planted on our site or in our mail is."
        ),
    ),
    (
        "over_1000",
        _l("(iv) Are more than 1,000 individuals affected?"),
        "個人データに係る本人の数が千人を超える漏えい等が発生し、又は発生したおそれがある事態",
        _l("Follows from the number of individuals once it is recorded (an estimate's upper end)."),
    ),
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
    """The four PPC leak-report conditions, each answered yes or no ((iv) may follow from the
    number of individuals instead)."""

    sensitive = RadioField(ASSESSMENT_QUESTIONS[0][1], choices=YES_NO, validators=[DataRequired()])
    financial = RadioField(ASSESSMENT_QUESTIONS[1][1], choices=YES_NO, validators=[DataRequired()])
    unlawful = RadioField(ASSESSMENT_QUESTIONS[2][1], choices=YES_NO, validators=[DataRequired()])
    over_1000 = RadioField(ASSESSMENT_QUESTIONS[3][1], choices=YES_NO, validators=[Optional()])

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

    def answers(self) -> dict[str, bool | None]:
        """The answers as the service takes them ((iv) None when left to the count)."""
        answers: dict[str, bool | None] = {
            name: getattr(self, name).data == "yes" for name, *_rest in ASSESSMENT_QUESTIONS
        }
        if not self.over_1000.data:
            answers["over_1000"] = None
        return answers


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
