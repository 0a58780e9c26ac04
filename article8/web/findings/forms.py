"""Forms of the finding pages: grade a finding, plan and progress its corrective actions."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from article8.core.models import User
from article8.web.forms import severity_choices, user_choices
from article8.web.inspections.forms import MAX_COMMENT
from article8.web.params import DayField


class SeverityForm(FlaskForm):
    """Grade a finding."""

    severity = SelectField(_l("Severity"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.severity.choices = severity_choices()


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


class CancelForm(FlaskForm):
    """Cancel a corrective action: the reason is required and kept."""

    reason = TextAreaField(
        _l("Why is it cancelled?"),
        validators=[
            DataRequired(message=_l("Say why the action is cancelled.")),
            Length(max=2000),
        ],
    )
