"""One vocabulary: every code the product stores or shows, with one lazily translated label.

Models take their allowed values from here (check constraints), and pages, the workbook, OSCAL,
mails and the CLI take their labels from here: a code has one label in each language, wherever it
appears. Labels are English message ids marked with :func:`N_`; each edge translates them in the
reader's language (``gettext`` on a page, :func:`article8.core.i18n.translator` elsewhere).

A term's ``tone`` says how it should look (``success``, ``warning``, ``danger``, ``info``,
``primary``, ``secondary``, ``dark``; empty for neutral): pages turn it into a badge, the workbook
into a fill colour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from article8.core.errors import N_

Translate = Callable[[str], str]


@dataclass(frozen=True)
class Term:
    """One code with its label (an English message id) and how it looks."""

    code: str
    label: str
    tone: str = ""


class Vocabulary:
    """The terms of one kind (e.g. inspection states), in their canonical order."""

    def __init__(self, name: str, *terms: Term) -> None:
        self.name = name
        self.terms = terms
        self._by_code = {term.code: term for term in terms}
        if len(self._by_code) != len(terms):
            raise ValueError(f"vocabulary {name}: duplicate codes")

    @property
    def codes(self) -> tuple[str, ...]:
        """Every code, in order (what a check constraint allows)."""
        return tuple(term.code for term in self.terms)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def term(self, code: str) -> Term:
        """The term of ``code``; a ``KeyError`` names the vocabulary when there is none."""
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"{code!r} is not a code of {self.name}") from None

    def label(self, code: str) -> str:
        """The untranslated label (message id) of ``code``; an unknown code is shown as given."""
        term = self._by_code.get(code)
        return term.label if term else code

    def tone(self, code: str) -> str:
        """How ``code`` looks (empty when unknown or neutral)."""
        term = self._by_code.get(code)
        return term.tone if term else ""

    def translated(self, code: str, translate: Translate) -> str:
        """The label of ``code`` in the reader's language."""
        term = self._by_code.get(code)
        return translate(term.label) if term else code

    def choices(
        self, translate: Translate, codes: tuple[str, ...] | None = None
    ) -> list[tuple[str, str]]:
        """``(code, label)`` pairs for a select field, in order (or of ``codes`` only)."""
        wanted = self.codes if codes is None else codes
        return [(code, translate(self.label(code))) for code in wanted]


def _v(name: str, *terms: tuple[str, str] | tuple[str, str, str]) -> Vocabulary:
    return Vocabulary(name, *(Term(*t) for t in terms))


# --- people ----------------------------------------------------------------------------------
ROLES = _v(
    "role",
    ("admin", N_("Administrator")),
    ("responsible", N_("Responsible person")),
    ("inspector", N_("Inspector")),
    ("auditor", N_("Auditor")),
)
LOCALES = _v("locale", ("ja", N_("Japanese")), ("en", N_("English")))

# --- catalogue -------------------------------------------------------------------------------
CATEGORIES = _v(
    "category",
    ("basic_policy", N_("Basic policy")),
    ("organisational", N_("Organisational measures")),
    ("human", N_("Human measures")),
    ("physical", N_("Physical measures")),
    ("technical", N_("Technical measures")),
    ("external_environment", N_("Understanding the external environment")),
)
FREQUENCIES = _v(
    "frequency",
    ("monthly", N_("Monthly")),
    ("quarterly", N_("Quarterly")),
    ("semiannual", N_("Every six months")),
    ("annual", N_("Annual")),
)
# The four clauses of Article 8 of the privacy policy; "guideline" marks a control that only the
# PPC guidelines ask for.
ARTICLE8_CLAUSES = _v(
    "article8_clause",
    ("1", N_("Basic policy and handling rules")),
    ("2", N_("Organisational measures")),
    ("3", N_("Physical measures")),
    ("4", N_("Technical measures")),
    ("guideline", N_("PPC guidelines only (not named in Article 8)")),
)
PPC_HEADINGS = _v(
    "ppc_heading",
    ("10-1", N_("Establishing a basic policy")),
    ("10-2", N_("Rules for handling personal data")),
    ("10-3", N_("Organisational measures")),
    ("10-4", N_("Human measures")),
    ("10-5", N_("Physical measures")),
    ("10-6", N_("Technical measures")),
    ("10-7", N_("Understanding the external environment")),
)
ANNEX_A_THEMES = _v(
    "annex_a_theme",
    ("A.5", N_("A.5 Organisational controls")),
    ("A.6", N_("A.6 People controls")),
    ("A.7", N_("A.7 Physical controls")),
    ("A.8", N_("A.8 Technological controls")),
)
MAPPING_SCHEMES = _v(
    "mapping_scheme",
    ("article8", N_("Privacy policy Article 8")),
    ("ppc", N_("PPC guidelines")),
    ("iso27001", N_("ISO/IEC 27001:2022")),
)

# --- inspections ----------------------------------------------------------------------------
INSPECTION_STATES = _v(
    "inspection_state",
    ("scheduled", N_("Scheduled"), "secondary"),
    ("open", N_("Open"), "info"),
    ("in_progress", N_("In progress"), "primary"),
    ("submitted", N_("Submitted"), "warning"),
    ("returned", N_("Returned"), "danger"),
    ("approved", N_("Approved"), "success"),
    ("missed", N_("Missed"), "dark"),
)
# States in which the performer still owes work (overdue is derived from the due date).
PENDING_STATES = ("scheduled", "open", "in_progress", "returned")
# Filters of the inspection lists that are not stored states.
INSPECTION_FILTERS = _v(
    "inspection_filter",
    ("overdue", N_("Overdue"), "danger"),
    ("pending", N_("Pending"), "warning"),
)
ANSWERS = _v(
    "answer",
    ("pass", N_("Pass"), "success"),
    ("fail", N_("Fail"), "danger"),
    ("na", N_("Not applicable"), "secondary"),
)
INSPECTION_RESULTS = _v(
    "inspection_result",
    ("pass", N_("Pass"), "success"),
    ("fail", N_("Fail"), "danger"),
)
TIMELINESS = _v(
    "timeliness",
    ("on_time", N_("On time"), "success"),
    ("late", N_("Late"), "warning"),
    ("overdue", N_("Overdue"), "danger"),
    ("missed", N_("Missed"), "dark"),
    ("not_due", N_("Not yet due"), "info"),
)

# --- findings and corrective actions ---------------------------------------------------------
SEVERITIES = _v(
    "severity",
    ("low", N_("Low"), "secondary"),
    ("medium", N_("Medium"), "warning"),
    ("high", N_("High"), "danger"),
)
FINDING_STATES = _v(
    "finding_state",
    ("open", N_("Open"), "danger"),
    ("in_progress", N_("In progress"), "warning"),
    ("resolved", N_("Resolved"), "info"),
    ("verified", N_("Verified"), "success"),
)
ACTION_STATES = _v(
    "action_state",
    ("open", N_("Open"), "danger"),
    ("in_progress", N_("In progress"), "warning"),
    ("resolved", N_("Resolved"), "info"),
    ("verified", N_("Verified"), "success"),
    ("cancelled", N_("Cancelled"), "secondary"),
)

# --- evidence --------------------------------------------------------------------------------
EVIDENCE_STATES = _v(
    "evidence_state",
    ("current", N_("Current"), "success"),
    ("superseded", N_("Superseded"), "secondary"),
    ("withdrawn", N_("Withdrawn"), "dark"),
)
FRESHNESS = _v(
    "freshness",
    ("expiring", N_("Expiring soon"), "warning"),
    ("expired", N_("Expired"), "danger"),
)

# --- access checks ---------------------------------------------------------------------------
LOG_KINDS = _v("log_kind", ("system", N_("System access")), ("entry", N_("Entry and exit")))
AUTHORISATION_KINDS = _v("authorisation_kind", ("system", N_("System")), ("area", N_("Area")))
ANOMALY_STATES = _v(
    "anomaly_state",
    ("new", N_("New"), "danger"),
    ("acknowledged", N_("Acknowledged"), "info"),
    ("dismissed", N_("Dismissed"), "secondary"),
    ("escalated", N_("Escalated"), "warning"),
)
RULES = _v(
    "rule",
    ("unauthorised_access", N_("Unauthorised access")),
    ("leaver_access", N_("Access after leaving")),
    ("off_hours", N_("Access outside business hours")),
    ("bulk_export", N_("Bulk export")),
    ("failed_login_burst", N_("Burst of failed logins")),
    ("restricted_area_entry", N_("Entry into a restricted area")),
    ("denied_badge_burst", N_("Burst of denied badges")),
    ("entry_without_exit", N_("Entry without exit")),
)

# --- incidents -------------------------------------------------------------------------------
INCIDENT_STATES = _v(
    "incident_state",
    ("reported", N_("Reported"), "danger"),
    ("investigating", N_("Investigating"), "warning"),
    ("closed", N_("Closed"), "success"),
)
REPORT_KINDS = _v(
    "report_kind",
    ("preliminary", N_("Preliminary report (速報)")),
    ("final", N_("Final report (確報)")),
)
DEADLINE_STATES = _v(
    "deadline_state",
    ("done", N_("Report made"), "success"),
    ("overdue", N_("Overdue"), "danger"),
    ("due_soon", N_("Due within a day"), "warning"),
    ("open", N_("Not yet due"), "info"),
)

# --- plain words -----------------------------------------------------------------------------
YES_NO = _v("yes_no", ("yes", N_("Yes")), ("no", N_("No")))


def every_vocabulary() -> tuple[Vocabulary, ...]:
    """Every vocabulary of this module (tests check each label has Japanese)."""
    return tuple(v for v in globals().values() if isinstance(v, Vocabulary))


def by_name(name: str) -> Vocabulary:
    """The vocabulary called ``name`` (templates and the workbook look vocabularies up by name)."""
    for vocabulary in every_vocabulary():
        if vocabulary.name == name:
            return vocabulary
    raise KeyError(f"no vocabulary called {name!r}")
