"""Forms and display names of the catalogue pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from article8.controls.catalogue.files import CODE_PATTERN, Bilingual
from article8.controls.catalogue.iso27001 import ANNEX_A
from article8.controls.catalogue.models import (
    ARTICLE8_CLAUSES,
    CATEGORIES,
    FREQUENCIES,
    PPC_HEADINGS,
)
from article8.core import vocabulary
from article8.core.models import User
from article8.web.params import parse_id


def _names(terms: vocabulary.Vocabulary) -> dict[str, LazyString]:
    """A vocabulary's labels, translated where shown (the one place they are written is
    core.vocabulary)."""
    return {term.code: _l(term.label) for term in terms}


CATEGORY_NAMES = _names(vocabulary.CATEGORIES)
FREQUENCY_NAMES = _names(vocabulary.FREQUENCIES)
# The four clauses of Article 8 of the privacy policy; "guideline" marks a control that only the
# PPC guidelines ask for.
CLAUSE_NAMES = _names(vocabulary.ARTICLE8_CLAUSES)
PPC_HEADING_NAMES = _names(vocabulary.PPC_HEADINGS)
ANNEX_A_THEMES = _names(vocabulary.ANNEX_A_THEMES)
MAX_QUESTIONS = 20


def clause_label(clause: str) -> str:
    """``(2) Organisational measures`` for clause "2"; the guideline label for "guideline"."""
    name = str(CLAUSE_NAMES.get(clause, clause))
    return name if clause not in ARTICLE8_CLAUSES else f"({clause}) {name}"


def _choices(names: dict[str, object], values: Sequence[str]) -> list[SelectChoice]:
    return [SelectChoice(value, str(names[value])) for value in values]


def lines(text: str | None) -> list[str]:
    """The non-blank lines of a textarea, trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def paired_lines(english: str | None, japanese: str | None) -> list[Bilingual]:
    """Line *n* of the English text with line *n* of the Japanese text."""
    return [Bilingual(en, ja) for en, ja in zip(lines(english), lines(japanese), strict=True)]


def _same_line_count(english: Field, japanese: Field) -> None:
    counts = len(lines(english.data)), len(lines(japanese.data))
    if counts[0] != counts[1]:
        raise ValidationError(
            _(
                "Both languages need the same number of lines: %(en)d in English, "
                "%(ja)d in Japanese.",
                en=counts[0],
                ja=counts[1],
            )
        )


def _at_most_questions(field: Field) -> None:
    if len(lines(field.data)) > MAX_QUESTIONS:
        raise ValidationError(
            _("A checklist has at most %(count)d questions.", count=MAX_QUESTIONS)
        )


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if value else value


class ControlSettingsForm(FlaskForm):
    """The organisation's choices for a control: owner, frequency, active."""

    owner_id = SelectField(_l("Owner"), choices=[])
    frequency = SelectField(_l("Inspection frequency"), validators=[DataRequired()])
    active = BooleanField(_l("Active (inspections are scheduled)"))

    def __init__(self, *args: object, owners: Sequence[User] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.frequency.choices = _choices(FREQUENCY_NAMES, FREQUENCIES)
        self.owner_id.choices = [SelectChoice("", _("No owner"))] + [
            SelectChoice(
                str(user.id),
                user.display_name
                if user.active
                else _("%(name)s (deactivated)", name=user.display_name),
            )
            for user in owners
        ]

    @property
    def owner(self) -> int | None:
        """The chosen owner's id; None for no owner."""
        try:
            return parse_id(self.owner_id.data or "")
        except ValueError:
            return None


class ChecklistForm(FlaskForm):
    """A checklist as two textareas, one question per line."""

    checklist_en = TextAreaField(
        _l("Questions in English (one per line)"),
        validators=[DataRequired(), Length(max=40000)],
    )
    checklist_ja = TextAreaField(
        _l("Questions in Japanese (one per line, same order)"),
        validators=[DataRequired(), Length(max=40000)],
    )

    def validate_checklist_en(self, field: Field) -> None:
        """No more questions than an inspection form holds."""
        _at_most_questions(field)

    def validate_checklist_ja(self, field: Field) -> None:
        """Line *n* in Japanese translates line *n* in English."""
        _same_line_count(self.checklist_en, field)

    def items(self) -> list[Bilingual]:
        """The questions, paired."""
        return paired_lines(self.checklist_en.data, self.checklist_ja.data)


class CustomControlForm(ChecklistForm):
    """An organisation's own control."""

    code = StringField(
        _l("Code"),
        filters=[_upper],
        validators=[
            DataRequired(),
            Regexp(
                CODE_PATTERN,
                message=_l("Enter 2–5 capital letters, a hyphen and 2–3 digits, such as CUS-01."),
            ),
        ],
    )
    category = SelectField(_l("Category"), validators=[DataRequired()])
    title_en = StringField(_l("Title in English"), validators=[DataRequired(), Length(max=300)])
    title_ja = StringField(_l("Title in Japanese"), validators=[DataRequired(), Length(max=300)])
    description_en = TextAreaField(
        _l("Description in English"), validators=[DataRequired(), Length(max=20000)]
    )
    description_ja = TextAreaField(
        _l("Description in Japanese"), validators=[DataRequired(), Length(max=20000)]
    )
    frequency = SelectField(_l("Inspection frequency"), validators=[DataRequired()])
    clauses = SelectMultipleField(_l("Article 8 clauses"), validators=[Optional()])
    explicit = BooleanField(_l("Article 8 names this measure explicitly"))
    ppc_headings = SelectMultipleField(_l("PPC guideline headings"), validators=[Optional()])
    ppc_ref = StringField(_l("PPC guideline reference"), validators=[Optional(), Length(max=300)])
    iso27001 = StringField(
        _l("ISO/IEC 27001:2022 Annex A controls"), validators=[Optional(), Length(max=1000)]
    )
    evidence_en = TextAreaField(
        _l("Evidence expected, in English (one per line)"),
        validators=[Optional(), Length(max=40000)],
    )
    evidence_ja = TextAreaField(
        _l("Evidence expected, in Japanese (one per line, same order)"),
        validators=[Optional(), Length(max=40000)],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = _choices(CATEGORY_NAMES, CATEGORIES)
        self.frequency.choices = _choices(FREQUENCY_NAMES, FREQUENCIES)
        self.clauses.choices = [SelectChoice(c, clause_label(c)) for c in ARTICLE8_CLAUSES]
        self.ppc_headings.choices = [
            SelectChoice(h, f"{h} {PPC_HEADING_NAMES[h]}") for h in PPC_HEADINGS
        ]

    def iso_refs(self) -> list[str]:
        """The Annex A ids, split on commas (either kind) and spaces."""
        return [ref for ref in re.split(r"[,、\s]+", _upper(self.iso27001.data) or "") if ref]

    def validate_iso27001(self, field: Field) -> None:
        """Every id names one of the 93 Annex A controls."""
        for ref in self.iso_refs():
            if ref not in ANNEX_A:
                raise ValidationError(
                    _(
                        "%(ref)s is not an ISO/IEC 27001:2022 Annex A control "
                        "(expected ids such as A.5.1 or A.8.15).",
                        ref=ref,
                    )
                )

    def validate(
        self, extra_validators: Mapping[str, Sequence[Callable[..., object]]] | None = None
    ) -> bool:
        """The field validators, then: evidence lines pair up (both lists are optional)."""
        valid = super().validate(extra_validators)
        try:
            _same_line_count(self.evidence_en, self.evidence_ja)
        except ValidationError as error:
            self.evidence_ja.errors = [*self.evidence_ja.errors, str(error)]
            return False
        return valid

    def raw(self) -> dict[str, object]:
        """The control as a catalogue file would describe it (for ``parse_control``)."""
        clauses = list(self.clauses.data or [])
        return {
            "code": self.code.data,
            "category": self.category.data,
            "title": {"en": self.title_en.data, "ja": self.title_ja.data},
            "description": {"en": self.description_en.data, "ja": self.description_ja.data},
            "article8_clauses": clauses or ["guideline"],
            "article8_explicit": bool(clauses and self.explicit.data),
            "ppc_ref": self.ppc_ref.data or "",
            "ppc_headings": list(self.ppc_headings.data or []),
            "iso27001": self.iso_refs(),
            "frequency": self.frequency.data,
            "checklist": [{"en": i.en, "ja": i.ja} for i in self.items()],
            "evidence_expected": [
                {"en": i.en, "ja": i.ja}
                for i in paired_lines(self.evidence_en.data, self.evidence_ja.data)
            ],
            "owner": None,
            "active": True,
            "source": "custom",
        }

    def field_for(self, catalogue_field: str | None) -> Field | None:
        """The form field behind a catalogue field name such as ``title.ja`` or ``checklist[2]``."""
        name = re.split(r"[\[]", catalogue_field or "")[0]
        return getattr(self, _CATALOGUE_TO_FORM.get(name, ""), None)


_CATALOGUE_TO_FORM = {
    "code": "code",
    "category": "category",
    "title.en": "title_en",
    "title.ja": "title_ja",
    "title": "title_en",
    "description.en": "description_en",
    "description.ja": "description_ja",
    "description": "description_en",
    "article8_clauses": "clauses",
    "article8_explicit": "explicit",
    "ppc_ref": "ppc_ref",
    "ppc_headings": "ppc_headings",
    "iso27001": "iso27001",
    "frequency": "frequency",
    "checklist": "checklist_en",
    "evidence_expected": "evidence_en",
}
