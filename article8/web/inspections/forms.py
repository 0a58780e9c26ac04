"""Forms and display names of the inspection and finding pages."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from article8.controls.findings.models import SEVERITIES
from article8.core.models import User
from article8.web.params import DayField, parse_id

SEVERITY_NAMES = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}
MAX_COMMENT = 5000


def _severity_choices() -> list[SelectChoice]:
    return [SelectChoice(s, str(SEVERITY_NAMES[s])) for s in SEVERITIES]


def user_choices(people: Sequence[User], *, empty: str | None = None) -> list[SelectChoice]:
    """People as select options, optionally after an empty choice labelled ``empty``."""
    first = [SelectChoice("", empty)] if empty is not None else []
    return first + [SelectChoice(str(u.id), u.display_name) for u in people]


def chosen_id(field: SelectField) -> int | None:
    """The id a user select holds; None when empty."""
    try:
        return parse_id(field.data or "")
    except ValueError:
        return None


class AssignForm(FlaskForm):
    """Give an inspection to an inspector or a responsible person."""

    assignee_id = SelectField(_l("Assignee"), choices=[])

    def __init__(self, *args: object, people: Sequence[User] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.assignee_id.choices = user_choices(people, empty=_("Unassigned"))


class ApproveForm(FlaskForm):
    """Approve a submitted inspection; failed items open findings of the chosen severity."""

    approve_comment = TextAreaField(
        _l("Comment (optional)"), validators=[Optional(), Length(max=MAX_COMMENT)]
    )
    severity = SelectField(_l("Severity of the findings"), default="medium")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.severity.choices = _severity_choices()


class ReturnForm(FlaskForm):
    """Send a submitted inspection back with what needs to change."""

    return_comment = TextAreaField(
        _l("What needs to change"),
        validators=[
            DataRequired(message=_l("Say what needs to change when returning an inspection.")),
            Length(max=MAX_COMMENT),
        ],
    )


class SeverityForm(FlaskForm):
    """Grade a finding."""

    severity = SelectField(_l("Severity"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.severity.choices = _severity_choices()


class ActionForm(FlaskForm):
    """Plan a corrective action."""

    description = TextAreaField(
        _l("Corrective action"),
        validators=[
            DataRequired(message=_l("Describe the corrective action.")),
            Length(max=MAX_COMMENT),
        ],
    )
    owner_id = SelectField(_l("Owner"), validators=[DataRequired()], choices=[])
    due_on = DayField(
        _l("Due date"),
        validators=[InputRequired(message=_l("Enter a due date (YYYY-MM-DD)."))],
    )

    def __init__(self, *args: object, people: Sequence[User] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.owner_id.choices = user_choices(people, empty="")


class ProgressForm(FlaskForm):
    """Start, resolve or reopen a corrective action."""

    status = SelectField(
        choices=[SelectChoice("in_progress", ""), SelectChoice("resolved", "")],
        validators=[DataRequired()],
    )
    resolution = TextAreaField(
        _l("How was it resolved?"), validators=[Optional(), Length(max=MAX_COMMENT)]
    )
