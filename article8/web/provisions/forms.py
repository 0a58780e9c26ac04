"""Forms of the provision-record and privacy-policy pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from article8.core import vocabulary
from article8.privacy.provisions.services import MAX_COUNTRY, MAX_NAME, MAX_TEXT
from article8.web.forms import choices
from article8.web.params import DayField

_TEXT = [Optional(), Length(max=MAX_TEXT)]


class BasisForm(FlaskForm):
    """The first step: which way the data went, and on what legal basis."""

    class Meta:
        csrf = False  # a GET form that only chooses what the next page asks

    direction = SelectField(_l("Direction"), validators=[DataRequired()])
    basis = SelectField(_l("Legal basis"), validators=[DataRequired()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.direction.choices = choices(vocabulary.PROVISION_DIRECTIONS)
        self.basis.choices = choices(vocabulary.PROVISION_BASES)


class ProvisionForm(FlaskForm):
    """A provision or receipt record, with the items of Rules Arts. 20 and 24."""

    record_form = SelectField(_l("How the record is made"), validators=[Optional()])
    party_name = StringField(
        _l("Name of the other party"), validators=[DataRequired(), Length(max=MAX_NAME)]
    )
    party_address = TextAreaField(_l("Address of the other party"), validators=_TEXT)
    party_representative = StringField(
        _l("Representative"), validators=[Optional(), Length(max=MAX_NAME)]
    )
    individuals_description = TextAreaField(_l("Who the data is about"), validators=_TEXT)
    individuals_count = IntegerField(
        _l("Number of individuals"), validators=[Optional(), NumberRange(min=0, max=2**31 - 1)]
    )
    individuals_file = FileField(_l("List of the individuals (CSV or text; kept as evidence)"))
    data_items = TextAreaField(_l("Items of personal data"), validators=_TEXT)
    consent_evidence = TextAreaField(_l("How consent was obtained"), validators=_TEXT)
    provided_on = DayField(_l("Date of provision"), validators=[Optional()])
    last_provided_on = DayField(_l("Date of the last provision"), validators=[Optional()])
    foreign_country = StringField(
        _l("Country of a foreign recipient (blank when in Japan)"),
        validators=[Optional(), Length(max=MAX_COUNTRY)],
    )
    foreign_information = TextAreaField(
        _l("Information given to the individual under Rules Art. 17"), validators=_TEXT
    )
    foreign_consent = BooleanField(_l("The individual consented after receiving it"))
    provider_acquisition = TextAreaField(
        _l("How the provider obtained the data (Art. 30 confirmation)"), validators=_TEXT
    )
    related_information = BooleanField(
        _l("Personal-related information (cookies, advertising IDs; Art. 31)")
    )
    related_consent_confirmed = BooleanField(
        _l("Confirmed that the individual consented to the provision (Art. 31)")
    )
    note = TextAreaField(_l("Note"), validators=_TEXT)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.record_form.choices = choices(vocabulary.RECORD_FORMS)


# issue 17 (p-edit): correcting a record
class ProvisionCorrectionForm(ProvisionForm):
    """The record form again, with its direction and basis, and the reason for the correction."""

    direction = SelectField(_l("Direction"), validators=[DataRequired()])
    basis = SelectField(_l("Legal basis"), validators=[DataRequired()])
    individuals_file = FileField(_l("A corrected list of the individuals (replaces the list)"))
    reason = TextAreaField(
        _l("Reason for the correction"),
        validators=[
            DataRequired(message=_l("Say why the record is corrected.")),
            Length(max=MAX_TEXT),
        ],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.direction.choices = choices(vocabulary.PROVISION_DIRECTIONS)
        self.basis.choices = choices(vocabulary.PROVISION_BASES)


class FurtherProvisionForm(FlaskForm):
    """A further provision under a bulk or contract record."""

    provided_on = DayField(
        _l("Date of the further provision"),
        validators=[InputRequired(message=_l("Enter a date (YYYY-MM-DD)."))],
    )


class ProvisionImportForm(FlaskForm):
    """A file of provision and receipt records."""

    file = FileField(_l("CSV or XLSX file"), validators=[DataRequired()])


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one list of choices."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


RELATION = [
    SelectChoice("", "—"),
    SelectChoice("related", _l("Within the reasonable relation (Art. 17(2))")),
    SelectChoice("consent", _l("Beyond it: consent obtained (Art. 18)")),
]


class PurposeChangeForm(Form):
    """One changed purpose of use."""

    purpose = TextAreaField(_l("Changed purpose of use"), validators=_TEXT)
    # Blank in the rows left empty; the service checks the rows that name a purpose.
    relation = SelectField(
        _l("Relation to the old purpose"), choices=RELATION, validate_choice=False
    )
    reasoning = TextAreaField(_l("Reasoning"), validators=_TEXT)
    consent = TextAreaField(_l("How consent was obtained"), validators=_TEXT)
    notified_on = DayField(_l("Notified or published on"), validators=[Optional()])
    notification_method = StringField(
        _l("How it was notified or published"), validators=[Optional(), Length(max=300)]
    )


class PolicyForm(FlaskForm):
    """A new version of the privacy policy."""

    label = StringField(_l("Version"), validators=[DataRequired(), Length(max=100)])
    effective_on = DayField(
        _l("Effective from"), validators=[InputRequired(message=_l("Enter a date (YYYY-MM-DD)."))]
    )
    approved_by = StringField(_l("Approved by"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary of the changes"), validators=_TEXT)
    published_on = DayField(_l("Published on"), validators=[Optional()])
    publication_method = StringField(
        _l("How it was published"), validators=[Optional(), Length(max=300)]
    )
    text = TextAreaField(_l("Full text of the policy"), validators=[DataRequired()])
    matters = MultiCheckboxField(_l("Matters this version publishes (Art. 32(1), Order Art. 10)"))
    purpose_changes = FieldList(FormField(PurposeChangeForm), min_entries=2, max_entries=10)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.matters.choices = choices(vocabulary.PUBLICATION_MATTERS)
