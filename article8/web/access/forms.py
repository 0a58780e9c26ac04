"""Forms of the register, access-log and anomaly pages, and the names shown for their values."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.validators import ValidationError as FormError

from article8.access.models import (
    ID_LENGTH,
    LIST_SEPARATOR,
    NAME_LENGTH,
)
from article8.access.triage import MAX_REASON, RULE_NAMES
from article8.controls.catalogue.models import Control
from article8.core import vocabulary
from article8.core.tabular import MappingError, parse_mapping
from article8.web.forms import choices, severity_choices
from article8.web.params import DayField


def rule_name(rule: str) -> str:
    """A rule's name in the user's language."""
    return _(RULE_NAMES[rule]) if rule in RULE_NAMES else rule


def _split(value: str | None) -> tuple[str, ...]:
    """Items separated by ';' or line breaks, stripped, empty ones dropped."""
    text = (value or "").replace("\r", "").replace("\n", LIST_SEPARATOR)
    return tuple(part.strip() for part in text.split(LIST_SEPARATOR) if part.strip())


# --- the register ----------------------------------------------------------------------------


class PersonForm(FlaskForm):
    """A person of the register (the employee id is fixed once the person exists)."""

    employee_id = StringField(_l("Employee ID"), validators=[DataRequired(), Length(max=ID_LENGTH)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_LENGTH)])
    department = StringField(_l("Department"), validators=[Optional(), Length(max=NAME_LENGTH)])
    employed_from = DayField(
        _l("Employed from"), validators=[InputRequired(message=_l("Enter a date (YYYY-MM-DD)."))]
    )
    employed_until = DayField(_l("Employed until (blank while employed)"), [Optional()])
    aliases = TextAreaField(
        _l("Aliases: system logins and badge IDs, one per line or separated by ;"),
        validators=[Optional(), Length(max=5000)],
    )

    def alias_list(self) -> tuple[str, ...]:
        """The aliases entered."""
        return _split(self.aliases.data)


class AuthorisationForm(FlaskForm):
    """What a person may do: use a system (some actions, or * for all), or enter an area."""

    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    target = StringField(_l("System or area"), validators=[DataRequired(), Length(max=NAME_LENGTH)])
    actions = StringField(
        _l("Allowed actions (systems): * or e.g. view;search;export"),
        validators=[Optional(), Length(max=200)],
    )
    valid_from = DayField(
        _l("Valid from"), validators=[InputRequired(message=_l("Enter a date (YYYY-MM-DD)."))]
    )
    valid_until = DayField(_l("Valid until (blank: open-ended)"), validators=[Optional()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(vocabulary.AUTHORISATION_KINDS)

    def action_list(self) -> tuple[str, ...]:
        """The actions entered."""
        return _split(self.actions.data)


class RegisterImportForm(FlaskForm):
    """A register file: people or authorisations as CSV, or both as an XLSX workbook."""

    file = FileField(_l("Register file (CSV or XLSX)"))

    def validate_file(self, field: FileField) -> None:
        """A file was chosen."""
        if not field.data or not getattr(field.data, "filename", ""):
            raise FormError(_("Choose a file."))


# --- access logs -----------------------------------------------------------------------------


class AccessLogForm(FlaskForm):
    """An access-log file with its kind, optional column renames and the skip-invalid choice."""

    kind = SelectField(_l("Kind of log"), validators=[DataRequired()])
    file = FileField(_l("Log file (CSV with a header, or JSON Lines)"))
    mapping = TextAreaField(
        _l("Column names to map (optional), one COLUMN=FIELD per line, e.g. login=user"),
        validators=[Optional(), Length(max=2000)],
    )
    skip_invalid = BooleanField(_l("Store the valid lines and list the invalid ones"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(vocabulary.LOG_KINDS)

    def validate_file(self, field: FileField) -> None:
        """A file was chosen."""
        if not field.data or not getattr(field.data, "filename", ""):
            raise FormError(_("Choose a file."))

    def validate_mapping(self, field: TextAreaField) -> None:
        """Every line reads COLUMN=FIELD."""
        self.column_map()

    def column_map(self) -> dict[str, str]:
        """The column renames entered (raises a form error naming a bad line)."""
        try:
            return parse_mapping([self.mapping.data or ""])
        except MappingError as error:
            raise FormError(
                _("Expected COLUMN=FIELD, found “%(line)s”.", line=error.value)
            ) from None


# --- anomalies -------------------------------------------------------------------------------


class AcknowledgeForm(FlaskForm):
    """Acknowledge an anomaly, optionally saying why."""

    ack_reason = TextAreaField(_l("Note (optional)"), validators=[Length(max=MAX_REASON)])


class DismissForm(FlaskForm):
    """Dismiss an anomaly; the reason is required."""

    dismiss_reason = TextAreaField(
        _l("Why is this no problem?"),
        validators=[
            DataRequired(message=_l("Say why the anomaly is dismissed.")),
            Length(max=MAX_REASON),
        ],
    )


class EscalateForm(FlaskForm):
    """Escalate an anomaly into a finding on a control, with a severity."""

    control = SelectField(_l("Control"), validators=[DataRequired()])
    severity = SelectField(_l("Severity"), validators=[DataRequired()])
    escalate_reason = TextAreaField(_l("Note (optional)"), validators=[Length(max=MAX_REASON)])

    def __init__(
        self, *args: object, controls: Sequence[Control] = (), lang: str = "en", **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.control.choices = [SelectChoice(c.code, f"{c.code} {c.title(lang)}") for c in controls]
        self.severity.choices = severity_choices()


def anomaly_status_choices() -> list[SelectChoice]:
    """The anomaly states as filter options."""
    return choices(vocabulary.ANOMALY_STATES)
