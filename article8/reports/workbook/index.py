"""The index sheet: each sheet of the workbook, what it holds, and which records it covers.

The scopes state what the sheets' queries select; the cover states the one rule they follow.
"""

from __future__ import annotations

from openpyxl import Workbook

from article8.core.errors import N_
from article8.reports.workbook import privacy_inquiries, privacy_requests  # issue 16
from article8.reports.workbook.table import Column, Context, Table, write_table

SCOPING_RULE = N_(
    "Inspections: those due in the period. Findings, evidence and incidents: those known by the "
    "end of the period (incidents closed before it are left out). Audit events, access-log "
    "imports and anomalies: those of the period's days. Days are local days in %(zone)s. "
    "Counts on this cover and each control's latest result are as at generation."
)

# (sheet title, what it holds, its scope): message ids, in the order of the sheets.
ENTRIES = (
    (
        N_("Cover"),
        N_(
            "Who, which period, the headline counts, the audit trail's chain head and how to "
            "check this file"
        ),
        N_("The period; counts as at generation"),
    ),
    (N_("Index"), N_("This list"), N_("Every sheet")),
    (
        N_("Summary"),
        N_("Inspections by category and outcome, with a chart"),
        N_("Inspections due in the period"),
    ),
    (
        N_("Controls"),
        N_("The catalogue: each control, its references, owner, frequency and latest result"),
        N_("Every control at generation; latest approved result at generation"),
    ),
    (
        N_("Inspections"),
        N_("Each inspection: who did what and when, its result and timeliness"),
        N_("Inspections due in the period"),
    ),
    (
        N_("Checklist answers"),
        N_("Every answer and comment of those inspections"),
        N_("Inspections due in the period"),
    ),
    (
        N_("Findings"),
        N_("Every finding with its corrective actions, one row per action"),
        N_("Findings opened before the end of the period, whatever their status"),
    ),
    (
        N_("Evidence"),
        N_("Every evidence item with its controls, file, SHA-256 and status"),
        N_("Items collected on or before the last day of the period"),
    ),
    (
        N_("Access-log batches"),
        N_("Every access log imported, with its SHA-256 and row counts"),
        N_("Imported during the period"),
    ),
    (
        N_("Anomalies"),
        N_("What the access rules found, and its triage"),
        N_("Anomalies on the period's days"),
    ),
    (
        N_("Incidents"),
        N_("Incidents, their assessment and reports"),
        N_("Known by the end of the period and not closed before it"),
    ),
    # issue 17
    (
        N_("Provisions and receipts"),
        N_("Third-party provision and receipt records, with their basis and retention end"),
        N_("Provided or received during the period (bulk records: any provision in it)"),
    ),
    (
        N_("Policy versions"),
        N_("Each privacy-policy version: hash, approval, publication, matters not published"),
        N_("Versions in effect by the end of the period"),
    ),
    # end issue 17
    # issue 16
    (privacy_requests.TITLE, privacy_requests.DESCRIPTION, privacy_requests.SCOPE),
    (privacy_inquiries.TITLE, privacy_inquiries.DESCRIPTION, privacy_inquiries.SCOPE),
    (
        N_("Audit trail"),
        N_("Every recorded event with everything its hash covers"),
        N_("Events recorded during the period"),
    ),
    (
        N_("Hash method"),
        N_("How to recompute the audit trail's hashes from this workbook"),
        N_("The whole audit trail"),
    ),
)


class Index:
    """The second sheet: a table of the sheets; its rows are not counted."""

    def write(self, workbook: Workbook, context: Context) -> dict[str, int]:
        """Add the index."""
        _ = context.translate
        table = Table(
            _("Index"),
            [Column(_("Sheet"), 20), Column(_("What it holds"), 60), Column(_("Scope"), 44)],
            context.timezone,
            _,
            context.style,
        )
        write_table(workbook, table, ((_(a), _(b), _(c)) for a, b, c in ENTRIES))
        return {}


SHEET = Index()
