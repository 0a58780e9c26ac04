"""The sheets of the audit workbook, in the order they appear: add a sheet here to ship it."""

from __future__ import annotations

from article8.reports.workbook import (  # issue 16
    actions,
    anomalies,
    answers,
    audit_trail,
    batches,
    controls,
    cover,
    evidence,
    findings,
    incidents,
    index,
    inspections,
    policies,  # issue 17
    privacy_inquiries,
    privacy_requests,
    provisions,  # issue 17
    summary,
)
from article8.reports.workbook.table import Sheet

SHEETS: tuple[Sheet, ...] = (
    cover.SHEET,
    index.SHEET,
    summary.SHEET,
    controls.SHEET,
    inspections.SHEET,
    answers.SHEET,
    findings.SHEET,
    actions.SHEET,  # issue 14: corrective actions on a sheet of their own
    evidence.SHEET,
    batches.SHEET,
    anomalies.SHEET,
    incidents.SHEET,
    provisions.SHEET,  # issue 17
    policies.SHEET,  # issue 17
    privacy_requests.SHEET,  # issue 16
    privacy_inquiries.SHEET,  # issue 16
    audit_trail.SHEET,
    audit_trail.CODES,  # issue 14: the audit trail's codes in words
    audit_trail.HASH_METHOD,
)
