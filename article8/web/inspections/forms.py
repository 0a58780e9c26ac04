"""Forms of the inspection pages: assign, approve, return."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from article8.core.models import User
from article8.web.forms import severity_choices, user_choices

MAX_COMMENT = 5000


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
        self.severity.choices = severity_choices()


class ReturnForm(FlaskForm):
    """Send a submitted inspection back with what needs to change."""

    return_comment = TextAreaField(
        _l("What needs to change"),
        validators=[
            DataRequired(message=_l("Say what needs to change when returning an inspection.")),
            Length(max=MAX_COMMENT),
        ],
    )
