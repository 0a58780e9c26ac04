"""The incidents sheet: every incident open at some time in the range, its leak-report record
(issue 15: every field of it, the current version of each report item) and its reports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from article8.controls.incidents.models import Incident
from article8.core.errors import N_
from article8.core.models import User
from article8.core.vocabulary import (
    ENTRUSTMENTS,
    FILING_DESTINATIONS,
    FILING_KINDS,
    INCIDENT_STATES,
    LEAK_CERTAINTY,
    LEAK_KINDS,
    LEAK_MEDIA,
    NOTIFICATION_WAYS,
    REPORT_ITEMS,
    YES_NO_UNKNOWN,
)
from article8.reports.queries import incident_open_during
from article8.reports.workbook.table import Column, Context, TableSheet


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per incident known by the end of the range and not closed before it, by id."""
    session, tz = context.session, context.timezone
    _ = context.translate
    reporters = dict(session.execute(select(User.id, User.display_name)).all())
    for incident in session.scalars(
        select(Incident)
        .where(incident_open_during(context.period, tz))
        .options(selectinload(Incident.item_versions), selectinload(Incident.filings))
        .order_by(Incident.id)
    ):
        items = incident.items()
        yield (
            incident.id,
            incident.title,
            reporters.get(incident.reported_by_id or 0),
            incident.reported_at,
            incident.aware_at,
            incident.status,
            incident.sensitive_data,
            incident.financial_harm,
            incident.unlawful_purpose,
            incident.over_1000_people,
            incident.reportable if incident.assessed else None,
            incident.preliminary_due_on,
            incident.preliminary_reported_on,
            incident.final_due_on,
            incident.final_reported_on,
            incident.resolution or None,
            incident.closed_at,
            # issue 15: the leak-report record
            incident.aware_confirmed_at,
            incident.occurred_at,
            incident.occurred_unknown,
            ", ".join(_(LEAK_KINDS.label(k)) for k in incident.kinds),
            incident.certainty,
            incident.media,
            incident.personal_data,
            incident.personal_data_reason,
            incident.encrypted_exempt,
            incident.encryption_note,
            incident.individuals,
            incident.individuals_low,
            incident.individuals_high,
            incident.entrustment,
            incident.principal_notified_on,
            incident.principal_recipient,
            incident.preliminary_target_on,
            *(items[code].text if code in items else "" for code in REPORT_ITEMS.codes),
            "\n".join(_filing(f, _) for f in incident.filings),
            incident.notification,
            incident.notified_on,
            incident.notification_method,
            incident.notification_content,
            incident.alternative_published_on,
            incident.alternative_where,
            incident.inquiry_desk,
        )


def _filing(filing: Any, translate: Any) -> str:
    where = (
        filing.authority
        if filing.destination == "ministry"
        else translate(FILING_DESTINATIONS.label(filing.destination))
    )
    parts = [filing.filed_on.isoformat(), translate(FILING_KINDS.label(filing.kind)), where]
    if filing.receipt_number:
        parts.append(filing.receipt_number)
    if filing.voluntary:
        parts.append(filing.voluntary_reason)
    return " / ".join(parts)


SHEET = TableSheet(
    N_("Incidents"),
    (
        Column(N_("Incident"), 8, "int"),
        Column(N_("Subject"), 36),
        Column(N_("Reported by"), 20),
        Column(N_("Reported"), 17, "datetime"),
        Column(N_("Aware"), 17, "datetime"),
        Column(N_("Status"), 12, "status", (INCIDENT_STATES,)),
        Column(N_("Sensitive data"), 10, "bool"),
        Column(N_("Risk of financial harm"), 10, "bool"),
        Column(N_("Possible unlawful purpose"), 10, "bool"),
        Column(N_("More than 1,000 people"), 10, "bool"),
        Column(N_("Reportable"), 10, "bool"),
        Column(N_("Preliminary report due"), 12, "date"),
        Column(N_("Preliminary report made"), 12, "date"),
        Column(N_("Final report due"), 12, "date"),
        Column(N_("Final report made"), 12, "date"),
        Column(N_("Resolution"), 40),
        Column(N_("Closed"), 17, "datetime"),
        # issue 15: the leak-report record
        Column(N_("Awareness confirmed"), 17, "datetime"),
        Column(N_("When it occurred"), 17, "datetime"),
        Column(N_("When it occurred is unknown"), 10, "bool"),
        Column(N_("Kind of incident"), 16),
        Column(N_("Occurred or suspected"), 12, "status", (LEAK_CERTAINTY,)),
        Column(N_("Media"), 12, "status", (LEAK_MEDIA,)),
        Column(N_("Personal data involved"), 10, "status", (YES_NO_UNKNOWN,)),
        Column(N_("Why not, or why unknown"), 30),
        Column(N_("Advanced encryption or other protective measure"), 10, "bool"),
        Column(N_("The measure, and why it protects the individuals"), 30),
        Column(N_("Number of individuals"), 10, "int"),
        Column(N_("Estimate: at least"), 10, "int"),
        Column(N_("Estimate: at most"), 10, "int"),
        Column(N_("Entrustment"), 16, "status", (ENTRUSTMENTS,)),
        Column(N_("Entrusting party notified on (委託元への通知)"), 12, "date"),
        Column(N_("Who at the entrusting party was notified"), 20),
        Column(N_("Preliminary report: target"), 12, "date"),
        *(Column(term.label, 40) for term in REPORT_ITEMS),
        Column(N_("Reports made"), 40),
        Column(N_("Notification of the individuals"), 16, "status", (NOTIFICATION_WAYS,)),
        Column(N_("Notified on"), 12, "date"),
        Column(N_("Method"), 16),
        Column(N_("What was notified"), 30),
        Column(N_("Published on"), 12, "date"),
        Column(N_("Where it was published"), 24),
        Column(N_("Inquiry desk"), 24),
    ),
    rows,
    holds=N_("Incidents, their assessment and reports"),
    scope=N_(
        "Incidents known before the range ended and not closed before it began; status as at "
        "generation"
    ),
)
