"""Forms of the administration pages that are not about user accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, Length

from article8.core.closures import REASON_MAX
from article8.web.params import DayField


class ClosureForm(FlaskForm):
    """Close the company on one day."""

    day = DayField(
        _l("Closed day"), validators=[InputRequired(message=_l("Enter a date (YYYY-MM-DD)."))]
    )
    reason = StringField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Say why the company is closed that day.")),
            Length(max=REASON_MAX),
        ],
    )
