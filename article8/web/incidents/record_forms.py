"""Forms of the leak-report record (issue 15): the facts, the report items, a report filed, the
notification of the individuals. Each turns its input into the plain values the services take."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from article8.controls.incidents.models import Incident
from article8.controls.incidents.record import MAX_LINE, MAX_TEXT
from article8.core import vocabulary
from article8.web.forms import choices
from article8.web.params import DayField

FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
COUNT = [Optional(), NumberRange(min=0, max=1_000_000_000)]

# 規則8条1項: the items of the report form, in the form's order, each with what to write.
ITEM_HINTS = {
    "summary": _l("What happened, when and how it was found, and what has been done so far."),
    "data_items": _l("e.g. name, address, card number; say which items of which data."),
    "individuals": _l("The number of individuals, or an estimate and how it was made."),
    "cause": _l("Why it happened: the direct cause and the weakness behind it."),
    "secondary_damage": _l("Any misuse seen or feared (e.g. fraudulent card use), and what."),
    "individual_response": _l("Notification of the individuals, inquiry desk, compensation."),
    "publication": _l("Whether, when and where the incident was made public."),
    "prevention": _l("What will stop it happening again, and by when."),
    "other": _l("Anything else that helps the PPC understand the case."),
}


class MultiCheckboxField(SelectMultipleField):
    """Several choices as check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    return value.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0) if value else None


class RecordForm(FlaskForm):
    """The facts of the incident: awareness, occurrence, kinds, media, data, exemption, count,
    entrustment. The four triggers are answered in the assessment form."""

    aware_at = DateTimeLocalField(
        _l("When the company became aware (事態を知った日時)"),
        format=FORMATS,
        validators=[InputRequired(message=_l("Enter the date and time."))],
    )
    aware_reason = StringField(
        _l("Reason for changing it (required once confirmed)"),
        validators=[Optional(), Length(max=MAX_TEXT)],
    )
    occurred_at = DateTimeLocalField(
        _l("When it occurred"), format=FORMATS, validators=[Optional()]
    )
    occurred_unknown = BooleanField(_l("When it occurred is unknown"))
    kinds = MultiCheckboxField(_l("Kind (several may apply)"), validators=[Optional()])
    certainty = SelectField(_l("Occurred or suspected"), validators=[Optional()])
    media = SelectField(_l("Media"), validators=[Optional()])
    personal_data = SelectField(_l("Personal data involved"), validators=[Optional()])
    personal_data_reason = TextAreaField(
        _l("Why not, or why unknown"), validators=[Optional(), Length(max=MAX_TEXT)]
    )
    encrypted_exempt = BooleanField(
        _l("Protected by advanced encryption or another measure that protects the individuals")
    )
    encryption_note = TextAreaField(
        _l("The measure, and why it protects the individuals"),
        validators=[Optional(), Length(max=MAX_TEXT)],
    )
    individuals = IntegerField(_l("Number of individuals"), validators=COUNT)
    individuals_low = IntegerField(_l("Estimate: at least"), validators=COUNT)
    individuals_high = IntegerField(_l("Estimate: at most"), validators=COUNT)
    entrustment = SelectField(_l("Entrustment"), validators=[Optional()])
    principal_notified_on = DayField(
        _l("Entrusting party notified on (委託元への通知)"), validators=[Optional()]
    )
    principal_recipient = StringField(
        _l("Who at the entrusting party was notified"),
        validators=[Optional(), Length(max=MAX_LINE)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds.choices = choices(vocabulary.LEAK_KINDS)
        blank = [("", "—")]
        self.certainty.choices = blank + choices(vocabulary.LEAK_CERTAINTY)  # type: ignore[operator]
        self.media.choices = blank + choices(vocabulary.LEAK_MEDIA)  # type: ignore[operator]
        self.personal_data.choices = blank + choices(vocabulary.YES_NO_UNKNOWN)  # type: ignore[operator]
        self.entrustment.choices = choices(vocabulary.ENTRUSTMENTS)

    @classmethod
    def for_incident(cls, incident: Incident, tz: ZoneInfo) -> RecordForm:
        """The form showing the incident's record."""
        return cls(
            formdata=None,
            aware_at=_local(incident.aware_at, tz),
            occurred_at=_local(incident.occurred_at, tz),
            occurred_unknown=incident.occurred_unknown,
            kinds=incident.kinds,
            certainty=incident.certainty or "",
            media=incident.media or "",
            personal_data=incident.personal_data or "",
            personal_data_reason=incident.personal_data_reason,
            encrypted_exempt=incident.encrypted_exempt,
            encryption_note=incident.encryption_note,
            individuals=incident.individuals,
            individuals_low=incident.individuals_low,
            individuals_high=incident.individuals_high,
            entrustment=incident.entrustment,
            principal_notified_on=incident.principal_notified_on,
            principal_recipient=incident.principal_recipient,
        )

    def fields_for(self, tz: ZoneInfo) -> dict[str, Any]:
        """The record's fields as :func:`article8.controls.incidents.record.update_record`
        takes them."""
        assert self.aware_at.data is not None  # InputRequired
        fields: dict[str, Any] = {
            "aware_at": self.aware_at.data.replace(tzinfo=tz),
            "aware_reason": self.aware_reason.data or "",
            "occurred_unknown": bool(self.occurred_unknown.data),
            "kinds": list(self.kinds.data or []),
            "personal_data_reason": self.personal_data_reason.data or "",
            "encrypted_exempt": bool(self.encrypted_exempt.data),
            "encryption_note": self.encryption_note.data or "",
            "entrustment": self.entrustment.data or "none",
            "principal_notified_on": self.principal_notified_on.data,
            "principal_recipient": self.principal_recipient.data or "",
        }
        if not self.occurred_unknown.data:
            occurred = self.occurred_at.data
            fields["occurred_at"] = occurred.replace(tzinfo=tz) if occurred else None
        for name in ("certainty", "media", "personal_data"):
            if getattr(self, name).data:
                fields[name] = getattr(self, name).data
        low, high = self.individuals_low.data, self.individuals_high.data
        if self.individuals.data is not None:
            fields["individuals"] = self.individuals.data
        elif low is not None or high is not None:
            fields["individuals_estimate"] = {"low": low or 0, "high": high if high else low}
        else:
            fields["individuals"] = None
        return fields


class ItemsForm(FlaskForm):
    """The nine items of the report form (規則8条1項); each change is kept as a new version."""

    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=MAX_TEXT)])
    data_items = TextAreaField(
        _l("Items of the personal data leaked (or possibly leaked)"),
        validators=[Optional(), Length(max=MAX_TEXT)],
    )
    individuals = TextAreaField(
        _l("Number of individuals"), validators=[Optional(), Length(max=MAX_TEXT)]
    )
    cause = TextAreaField(_l("Cause"), validators=[Optional(), Length(max=MAX_TEXT)])
    secondary_damage = TextAreaField(
        _l("Secondary damage or its risk, and what it is"),
        validators=[Optional(), Length(max=MAX_TEXT)],
    )
    individual_response = TextAreaField(
        _l("Response to the individuals"), validators=[Optional(), Length(max=MAX_TEXT)]
    )
    publication = TextAreaField(_l("Publication"), validators=[Optional(), Length(max=MAX_TEXT)])
    prevention = TextAreaField(
        _l("Measures to prevent recurrence"), validators=[Optional(), Length(max=MAX_TEXT)]
    )
    other = TextAreaField(
        _l("Other relevant matters"), validators=[Optional(), Length(max=MAX_TEXT)]
    )

    @classmethod
    def for_incident(cls, incident: Incident) -> ItemsForm:
        """The form showing the current version of each item."""
        return cls(formdata=None, **{code: v.text for code, v in incident.items().items()})

    def items(self) -> dict[str, str]:
        """Each item's text."""
        return {code: getattr(self, code).data or "" for code in vocabulary.REPORT_ITEMS.codes}


class FilingForm(FlaskForm):
    """A report made to the PPC or the ministry it delegated to."""

    kind = SelectField(_l("Report"), validators=[InputRequired()])
    reported_on = DayField(
        _l("Reported on"), validators=[InputRequired(message=_l("Enter a date (YYYY-MM-DD)."))]
    )
    destination = SelectField(_l("Reported to"), validators=[InputRequired()])
    authority = StringField(
        _l("Ministry (when delegated)"), validators=[Optional(), Length(max=MAX_LINE)]
    )
    receipt_number = StringField(_l("Receipt number"), validators=[Optional(), Length(max=100)])
    voluntary_reason = TextAreaField(
        _l("Why it is reported although not required (voluntary report)"),
        validators=[Optional(), Length(max=MAX_TEXT)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(vocabulary.FILING_KINDS)
        self.destination.choices = choices(vocabulary.FILING_DESTINATIONS)


class NotificationForm(FlaskForm):
    """本人通知, or where notifying is difficult, the alternative measures taken."""

    way = RadioField(_l("How the individuals were informed"), validators=[InputRequired()])
    notified_on = DayField(_l("Notified on"), validators=[Optional()])
    method = StringField(
        _l("Method (e.g. letter, e-mail)"), validators=[Optional(), Length(max=MAX_LINE)]
    )
    content = TextAreaField(_l("What was notified"), validators=[Optional(), Length(max=MAX_TEXT)])
    published_on = DayField(_l("Published on"), validators=[Optional()])
    where = TextAreaField(
        _l("Where it was published"), validators=[Optional(), Length(max=MAX_TEXT)]
    )
    inquiry_desk = TextAreaField(_l("Inquiry desk"), validators=[Optional(), Length(max=MAX_TEXT)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.way.choices = choices(vocabulary.NOTIFICATION_WAYS)

    @classmethod
    def for_incident(cls, incident: Incident) -> NotificationForm:
        """The form showing what is recorded."""
        return cls(
            formdata=None,
            way=incident.notification or "notified",
            notified_on=incident.notified_on,
            method=incident.notification_method,
            content=incident.notification_content,
            published_on=incident.alternative_published_on,
            where=incident.alternative_where,
            inquiry_desk=incident.inquiry_desk,
        )
