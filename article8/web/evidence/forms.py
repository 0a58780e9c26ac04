"""Forms of the evidence pages and of the API token page."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import (
    HiddenField,
    MultipleFileField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from article8.controls.catalogue.models import Control
from article8.web.params import DayField, IdField


class EvidenceUploadForm(FlaskForm):
    """One or more files with what they are evidence of; each file becomes one item."""

    files = MultipleFileField(_l("Files"))
    title = StringField(_l("Title"), validators=[Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    collected_on = DayField(_l("Collected on"), validators=[DataRequired()])
    valid_until = DayField(_l("Valid until"), validators=[Optional()])
    controls = SelectMultipleField(_l("Controls"))
    inspection_id = IdField(_l("Inspection"), validators=[Optional()])
    replaces_id = IdField(validators=[Optional()])
    next = HiddenField()

    def __init__(
        self, *args: object, controls: Sequence[Control] = (), lang: str = "en", **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.controls.choices = [(c.code, f"{c.code} {c.title(lang)}") for c in controls]

    def validate_files(self, field: MultipleFileField) -> None:
        """At least one file was chosen."""
        if not self.uploads():
            raise ValidationError(str(_l("Choose at least one file.")))

    def validate_valid_until(self, field: DayField) -> None:
        """An end before the collection date is a typing mistake."""
        if field.data and self.collected_on.data and field.data < self.collected_on.data:
            raise ValidationError(str(_l("'Valid until' is before the collection date.")))

    def uploads(self) -> list[FileStorage]:
        """The files sent (a file input left empty sends one nameless part: not a file)."""
        return [f for f in self.files.data or [] if isinstance(f, FileStorage) and f.filename]


class NoteForm(FlaskForm):
    """A note on an approved or missed inspection: the text and why it comes after the decision."""

    title = StringField(_l("Title"), validators=[Length(max=300)])
    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=20000)])
    reason = TextAreaField(
        _l("Reason for adding it after the decision"),
        validators=[DataRequired(), Length(max=2000)],
    )
    next = HiddenField()


class WithdrawForm(FlaskForm):
    """Withdrawing evidence needs a reason; it stays visible as withdrawn."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class TokenForm(FlaskForm):
    """A new API token: only its name is asked."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
