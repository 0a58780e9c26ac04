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

# --- issue 15: the leak-report record (漏えい等報告) --------------------------------------------
LEAK_KINDS = _v(
    "leak_kind",
    ("leak", N_("Leak (漏えい)")),
    ("loss", N_("Loss (滅失)")),
    ("damage", N_("Damage (毀損)")),
)
LEAK_CERTAINTY = _v(
    "leak_certainty",
    ("occurred", N_("Occurred")),
    ("suspected", N_("Suspected (おそれ)")),
)
LEAK_MEDIA = _v(
    "leak_media",
    ("electronic", N_("Electronic")),
    ("paper", N_("Paper")),
    ("both", N_("Electronic and paper")),
)
YES_NO_UNKNOWN = _v(
    "yes_no_unknown",
    ("yes", N_("Involved")),
    ("no", N_("Not involved")),
    ("unknown", N_("Unknown")),
)
ENTRUSTMENTS = _v(
    "entrustment",
    ("none", N_("No entrustment")),
    ("entrusting", N_("We entrusted the handling (委託元)")),
    ("contractor", N_("We handle it on behalf of another business (委託先)")),
)
FILING_KINDS = _v(
    "filing_kind",
    ("preliminary", N_("Preliminary report (速報)")),
    ("final", N_("Final report (確報)")),
    ("combined", N_("Preliminary and final report in one (速報兼確報)")),
    ("supplement", N_("Supplement (追完)")),
)
FILING_DESTINATIONS = _v(
    "filing_destination",
    ("ppc", N_("Personal Information Protection Commission")),
    ("ministry", N_("Ministry with delegated authority")),
)
NOTIFICATION_WAYS = _v(
    "notification_way",
    ("notified", N_("Individuals notified")),
    ("alternative", N_("Notification difficult: alternative measures")),
)
REPORT_ITEMS = _v(
    "report_item",
    ("summary", N_("Summary")),
    ("data_items", N_("Items of the personal data leaked (or possibly leaked)")),
    ("individuals", N_("Number of individuals")),
    ("cause", N_("Cause")),
    ("secondary_damage", N_("Secondary damage or its risk, and what it is")),
    ("individual_response", N_("Response to the individuals")),
    ("publication", N_("Publication")),
    ("prevention", N_("Measures to prevent recurrence")),
    ("other", N_("Other relevant matters")),
)
CLOSING_BLOCKERS = _v(
    "closing_blocker",
    ("aware_at", N_("The time the company became aware has not been confirmed")),
    ("assessment", N_("The four report triggers have not been answered")),
    ("preliminary_report", N_("No preliminary report to the PPC is recorded")),
    ("final_report", N_("No final report to the PPC is recorded")),
    (
        "notification",
        N_("Neither the notification of the individuals nor an alternative is recorded"),
    ),
)
# --- end of issue 15 -------------------------------------------------------------------------
# --- issue 16: requests from individuals and inquiries (法32–40条) ----------------------------
REQUEST_KINDS = _v(
    "request_kind",
    ("purpose_notice", N_("Notice of the purpose of use (Art. 32(2))")),
    ("disclosure", N_("Disclosure (Art. 33(1))")),
    ("provision_record_disclosure", N_("Disclosure of third-party provision records (Art. 33(5))")),
    ("correction", N_("Correction, addition or deletion (Art. 34)")),
    ("suspension", N_("Suspension of use or erasure (Art. 35(1))")),
    ("provision_stop", N_("Stopping provision to third parties (Art. 35(3))")),
    ("suspension_35_5", N_("Suspension of use or erasure on the grounds of Art. 35(5)")),
    ("provision_stop_35_5", N_("Stopping provision on the grounds of Art. 35(5)")),
)
CHANNELS = _v(
    "channel",
    ("web_form", N_("Web form")),
    ("mail", N_("Email")),
    ("letter", N_("Letter")),
    ("phone", N_("Telephone")),
    ("in_person", N_("In person")),
)
REQUEST_STATES = _v(
    "request_state",
    ("received", N_("Received"), "info"),
    ("verifying", N_("Verifying identity"), "warning"),
    ("in_progress", N_("In progress"), "primary"),
    ("decided", N_("Decided"), "primary"),
    ("responded", N_("Responded"), "success"),
    ("closed", N_("Closed"), "secondary"),
)
AGENT_KINDS = _v(
    "agent_kind",
    ("legal_representative", N_("Legal representative (of a minor or an adult ward)")),
    ("appointed_agent", N_("Agent appointed by the person")),
)
VERIFICATION_RESULTS = _v(
    "verification_result",
    ("confirmed", N_("Identity confirmed"), "success"),
    ("failed", N_("Identity not confirmed"), "danger"),
)
DISCLOSURE_METHODS = _v(
    "disclosure_method",
    ("electronic", N_("Electronic record")),
    ("paper", N_("Paper")),
    ("other", N_("Other method")),
)
FEE_STATES = _v(
    "fee_state",
    ("charged", N_("Charged"), "warning"),
    ("received", N_("Fee received"), "success"),
    ("waived", N_("Waived"), "secondary"),
)
DECISIONS = _v(
    "decision",
    ("full", N_("Granted in full"), "success"),
    ("partial", N_("Granted in part"), "warning"),
    ("refused", N_("Refused"), "danger"),
    ("not_applicable", N_("Not applicable"), "secondary"),
)
REFUSAL_GROUNDS = _v(
    "refusal_ground",
    (
        "harm",
        N_(
            "Risk of harm to the life, body, property or other rights of the person or a third "
            "party"
        ),
    ),
    ("business", N_("Significant hindrance to the proper conduct of business")),
    ("other_law", N_("Would violate other laws")),
)
INQUIRY_KINDS = _v(
    "inquiry_kind",
    ("inquiry", N_("Inquiry")),
    ("complaint", N_("Complaint"), "warning"),
    ("request", N_("Request (to the request register)"), "info"),
)
INQUIRY_STATES = _v(
    "inquiry_state",
    ("received", N_("Received"), "info"),
    ("in_progress", N_("In progress"), "primary"),
    ("responded", N_("First reply sent"), "success"),
    ("closed", N_("Closed"), "secondary"),
)
PRIVACY_CLOCK = _v(
    "privacy_clock",
    ("done", N_("Responded"), "success"),
    ("overdue", N_("Overdue"), "danger"),
    ("due_soon", N_("Due within 3 days"), "warning"),
    ("open", N_("Not yet due"), "info"),
)
# --- end of issue 16 -----------------------------------------------------------------------

# --- the audit trail -------------------------------------------------------------------------
# One term per action the code records (tests/core/test_audit_vocabulary.py finds every recorded
# action with ast and checks it is here). Labels read as what the actor did.
AUDIT_ACTIONS = _v(
    "audit_action",
    # catalogue
    ("control.create", N_("Added a control")),
    ("control.update", N_("Changed a control")),
    ("control.retire", N_("Retired a control")),
    ("control.reactivate", N_("Reactivated a control")),
    ("control.checklist_revision", N_("Revised a checklist")),
    ("catalogue.export", N_("Exported the catalogue")),
    # inspections
    ("inspection.create", N_("Scheduled an inspection")),
    ("inspection.open", N_("Opened an inspection")),
    ("inspection.missed", N_("Marked an inspection missed")),
    ("inspection.assign", N_("Assigned an inspection")),
    ("inspection.start", N_("Started an inspection")),
    ("inspection.answers_save", N_("Saved checklist answers")),
    ("inspection.submit", N_("Submitted an inspection")),
    ("inspection.approve", N_("Approved an inspection"), "success"),
    ("inspection.return", N_("Returned an inspection for rework"), "warning"),
    ("inspection.evidence_linked", N_("Linked evidence to an inspection")),
    ("inspection.due_moved", N_("Moved an inspection's due date off a closed day")),
    # company closures
    ("closure.add", N_("Added a closed day")),
    ("closure.remove", N_("Removed a closed day")),
    # findings and corrective actions
    ("finding.open", N_("Raised a finding from an inspection"), "warning"),
    ("finding.create", N_("Raised a finding"), "warning"),
    ("finding.severity", N_("Changed a finding's severity")),
    ("action.create", N_("Added a corrective action")),
    ("action.progress", N_("Updated a corrective action's progress")),
    ("action.verify", N_("Verified a corrective action"), "success"),
    ("action.cancel", N_("Cancelled a corrective action")),
    # evidence
    ("evidence.upload", N_("Uploaded evidence")),
    ("evidence.view", N_("Viewed evidence")),
    ("evidence.download", N_("Downloaded evidence")),
    ("evidence.withdraw", N_("Withdrew evidence"), "warning"),
    ("evidence.restore_blob", N_("Restored an evidence file"), "warning"),
    # access checks
    ("register.import", N_("Imported the handler register")),
    ("register.person.create", N_("Added a person to the handler register")),
    ("register.person.update", N_("Changed a person in the handler register")),
    ("register.authorisation.create", N_("Granted an access authorisation")),
    ("register.authorisation.update", N_("Changed an access authorisation")),
    ("register.authorisation.delete", N_("Removed an access authorisation")),
    ("access.import", N_("Imported an access log")),
    # issue 18: retention of access events
    ("access.prune", N_("Dropped access events past their retention period"), "warning"),
    ("anomaly.acknowledge", N_("Acknowledged an anomaly")),
    ("anomaly.dismiss", N_("Dismissed an anomaly")),
    ("anomaly.escalate", N_("Escalated an anomaly to a finding"), "warning"),
    # incidents
    ("incident.report", N_("Reported an incident"), "danger"),
    ("incident.assess", N_("Assessed whether an incident must be reported to the PPC")),
    ("incident.preliminary_report", N_("Recorded the preliminary report to the PPC")),
    ("incident.final_report", N_("Recorded the final report to the PPC")),
    ("incident.status", N_("Changed an incident's status")),
    ("incident.close", N_("Closed an incident"), "success"),
    # issue 15: the leak-report record
    ("incident.triage", N_("Confirmed when the company became aware of an incident")),
    ("incident.aware_at", N_("Changed when the company became aware of an incident"), "warning"),
    ("incident.record", N_("Changed an incident's leak-report record")),
    ("incident.item", N_("Revised an item of the leak report")),
    ("incident.filing", N_("Recorded a report to the PPC")),
    ("incident.notification", N_("Recorded the notification of the individuals")),
    ("incident.document", N_("Generated the leak report document")),
    # users and sign-in
    ("user.create", N_("Created a user")),
    ("user.role_change", N_("Changed a user's role")),
    ("user.activate", N_("Reactivated a user")),
    ("user.deactivate", N_("Deactivated a user"), "warning"),
    ("user.locale_change", N_("Changed the display language")),
    ("user.password_change", N_("Changed their own password")),
    ("user.password_reset", N_("Reset a user's password")),
    ("user.mfa_enable", N_("Turned on two-factor sign-in")),
    ("user.mfa_disable", N_("Turned off two-factor sign-in"), "warning"),
    ("user.mfa_reset", N_("Reset a user's two-factor sign-in"), "warning"),
    ("user.recovery_code_used", N_("Signed in with a recovery code"), "warning"),
    ("auth.login", N_("Signed in")),
    ("auth.logout", N_("Signed out")),
    ("auth.login_failed", N_("Sign-in failed"), "warning"),
    ("auth.lockout", N_("Sign-in locked after repeated failures"), "danger"),
    ("auth.login_refused_locked", N_("Sign-in refused while locked"), "danger"),
    ("token.create", N_("Issued an API token")),
    ("token.revoke", N_("Revoked an API token")),
    # issue 16: requests from individuals and inquiries
    ("request.receive", N_("Recorded a request from an individual")),
    ("request.import", N_("Imported requests from individuals")),
    ("request.assign", N_("Assigned a request from an individual")),
    ("request.update", N_("Changed a request from an individual")),
    ("request.verify", N_("Recorded the identity verification of a request")),
    ("request.state", N_("Moved a request from an individual on")),
    ("request.fee", N_("Recorded the fee of a request")),
    ("request.decide", N_("Decided a request from an individual")),
    ("request.respond", N_("Recorded the response to a request"), "success"),
    ("request.close", N_("Closed a request from an individual"), "success"),
    ("request.identity_document", N_("Stored a copy of an identity document")),
    ("request.provision_extract", N_("Attached an extract of the provision records to a request")),
    ("inquiry.receive", N_("Recorded an inquiry or complaint")),
    ("inquiry.assign", N_("Assigned an inquiry or complaint")),
    ("inquiry.first_reply", N_("Recorded the first reply to an inquiry")),
    ("inquiry.close", N_("Closed an inquiry or complaint"), "success"),
    ("inquiry.convert", N_("Converted an inquiry into a request")),
    ("inquiry.link_finding", N_("Linked a complaint to a finding")),
    ("privacy.monthly_summary", N_("Stored the monthly summary of requests and inquiries")),
    # end of issue 16
    # the system
    ("audit.verify", N_("Verified the audit trail")),
    ("backup.create", N_("Made a backup")),
    ("export.workbook", N_("Exported the audit workbook")),
    ("export.assessment_results", N_("Exported assessment results (OSCAL)")),
    # issue 14 (OSCAL): the catalog, assessment plan and results written together
    ("export.oscal", N_("Exported the OSCAL documents")),
    # issue 14: the audit package
    ("export.package", N_("Exported the audit package")),
    # issue 17: provision and receipt records, privacy-policy versions
    ("provision.create", N_("Recorded a third-party provision or receipt")),
    ("provision.update", N_("Changed a provision or receipt record")),
    ("provision.further", N_("Recorded a further provision under a bulk record")),
    ("provision.remove", N_("Removed a provision or receipt record"), "warning"),
    ("provision.purge", N_("Purged a record past its retention"), "warning"),
    ("provision.import", N_("Imported provision and receipt records")),
    ("provision.export", N_("Exported provision and receipt records")),
    ("provision.extract", N_("Made an extract of provision records for an individual")),
    ("policy.version_create", N_("Registered a privacy-policy version")),
    # end issue 17
)
# The areas the audit trail filters by, each with the action prefixes it covers.
AUDIT_AREAS = _v(
    "audit_area",
    ("catalogue", N_("Catalogue")),
    ("inspections", N_("Inspections and reviews")),
    ("findings", N_("Findings and corrective actions")),
    ("evidence", N_("Evidence")),
    ("access", N_("Handler register and access logs")),
    ("incidents", N_("Incidents")),
    ("users", N_("Users and sign-in")),
    ("system", N_("System")),
    ("privacy", N_("Privacy registers")),  # issues 16 and 17
)
AUDIT_AREA_PREFIXES: dict[str, tuple[str, ...]] = {
    "catalogue": ("control.", "catalogue."),
    "inspections": ("inspection.",),
    "findings": ("finding.", "action."),
    "evidence": ("evidence.",),
    "access": ("register.", "access.", "anomaly."),
    "incidents": ("incident.",),
    "users": ("user.", "auth.", "token."),
    "system": ("audit.", "backup.", "export.", "closure."),
    "privacy": ("request.", "inquiry.", "privacy.", "provision.", "policy."),  # issues 16, 17
}
# What an event is about (its object_type), as a noun.
AUDIT_OBJECTS = _v(
    "audit_object",
    ("control", N_("Control")),
    ("inspection", N_("Inspection")),
    ("finding", N_("Finding")),
    ("corrective_action", N_("Corrective action")),
    ("evidence", N_("Evidence")),
    ("handler", N_("Handler")),
    ("register", N_("Handler register")),
    ("access_batch", N_("Access log")),
    ("anomaly", N_("Anomaly")),
    ("incident", N_("Incident")),
    ("privacy_request", N_("Request from an individual")),  # issue 16
    ("inquiry", N_("Inquiry or complaint")),  # issue 16
    ("user", N_("User")),
    ("api_token", N_("API token")),
    ("backup", N_("Backup")),
    ("catalogue", N_("Catalogue")),
    ("workbook", N_("Audit workbook")),
    ("assessment_results", N_("Assessment results (OSCAL)")),
    # issue 14 (OSCAL)
    ("oscal", N_("OSCAL documents")),
    # issue 14: the audit package
    ("package", N_("Audit package")),
    # issue 17
    ("provision_record", N_("Provision or receipt record")),
    ("policy_version", N_("Privacy-policy version")),
)

# --- provision and receipt records, privacy-policy versions (issue 17) -----------------------
PROVISION_DIRECTIONS = _v(
    "provision_direction",
    ("provision", N_("Provision to a third party")),
    ("receipt", N_("Receipt from a third party")),
)
# The legal basis of a provision (or, for a receipt, of the provider's provision). The last four
# need no record (Art. 27(1) and Art. 27(5) of the Act).
PROVISION_BASES = _v(
    "provision_basis",
    ("consent", N_("Consent of the individual")),
    ("opt_out", N_("Opt-out (Art. 27(2))")),
    ("law", N_("Exception under Art. 27(1) (laws, life, public health, state bodies)"), "info"),
    ("entrustment", N_("Entrustment (Art. 27(5)(i))"), "info"),
    ("succession", N_("Business succession (Art. 27(5)(ii))"), "info"),
    ("joint_use", N_("Joint use (Art. 27(5)(iii))"), "info"),
)
EXEMPT_BASES = ("law", "entrustment", "succession", "joint_use")
# How the record was made (Rules Arts. 21 and 24); the retention follows from it.
RECORD_FORMS = _v(
    "record_form",
    ("per_provision", N_("Made for each provision (kept 3 years from its creation)")),
    ("bulk", N_("Made in bulk for continuous provision (kept 3 years from the last provision)")),
    ("contract", N_("A contract serves as the record (kept 1 year from the last provision)")),
)
# The matters a privacy policy must publish (Art. 32(1), Order Art. 10; General Rules 3-8-1).
PUBLICATION_MATTERS = _v(
    "publication_matter",
    ("business", N_("Business name, address and representative")),
    ("purposes", N_("Purposes of use of all retained personal data")),
    ("requests", N_("How to make requests, and the fee")),
    ("measures_basic_policy", N_("Safety control measures: basic policy")),
    ("measures_rules", N_("Safety control measures: handling rules")),
    ("measures_organisational", N_("Safety control measures: organisational")),
    ("measures_human", N_("Safety control measures: human")),
    ("measures_physical", N_("Safety control measures: physical")),
    ("measures_technical", N_("Safety control measures: technical")),
    ("measures_external", N_("Safety control measures: understanding the external environment")),
    ("complaints", N_("Where to send complaints")),
)
# end issue 17

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
