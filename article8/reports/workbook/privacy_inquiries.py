"""The inquiries sheet (issue 16): inquiries and complaints (法40条) open at some time during the
period, with the first-reply target, when it was met, the outcome and any finding."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from article8.core.calendar import local_date
from article8.core.errors import N_
from article8.core.vocabulary import CHANNELS, INQUIRY_KINDS, INQUIRY_STATES
from article8.privacy.inquiries.models import Inquiry
from article8.privacy.requests.models import PrivacyRequest
from article8.reports.workbook.table import Column, Context, TableSheet

TITLE = N_("Inquiries and complaints")
DESCRIPTION = N_(
    "Inquiries and complaints: first-reply target and reply, outcome, the request or finding "
    "they led to"
)
SCOPE = N_("Received by the end of the period and not closed before it")


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per inquiry received before the end of the period and not closed before it."""
    session, tz = context.session, context.timezone
    start, end = context.period.starts_at(tz), context.period.ends_at(tz)
    converted: dict[int, int] = {}
    for inquiry_id, request_id in session.execute(
        select(PrivacyRequest.inquiry_id, PrivacyRequest.id).where(
            PrivacyRequest.inquiry_id.is_not(None)
        )
    ).all():
        if inquiry_id is not None:
            converted[inquiry_id] = request_id
    for found in session.scalars(
        select(Inquiry)
        .where(
            Inquiry.received_at < end,
            (Inquiry.closed_at.is_(None)) | (Inquiry.closed_at >= start),
        )
        .order_by(Inquiry.id)
    ):
        replied = local_date(found.first_reply_at, tz) if found.first_reply_at else None
        yield (
            found.id,
            found.kind,
            found.channel,
            found.received_at,
            found.subject,
            found.reply_due_on,
            found.first_reply_at,
            (replied <= found.reply_due_on) if replied else None,
            found.state,
            found.outcome,
            converted.get(found.id),
            found.finding_id,
            found.closed_at,
        )


SHEET = TableSheet(
    TITLE,
    (
        Column(N_("Inquiry"), 8, "int"),
        Column(N_("Kind"), 14, "status", (INQUIRY_KINDS,)),
        Column(N_("Channel"), 12, "status", (CHANNELS,)),
        Column(N_("Received at"), 17, "datetime"),
        Column(N_("Subject"), 36),
        Column(N_("First reply due"), 12, "date"),
        Column(N_("First reply sent"), 17, "datetime"),
        Column(N_("In time"), 8, "bool"),
        Column(N_("State"), 14, "status", (INQUIRY_STATES,)),
        Column(N_("Outcome"), 36),
        Column(N_("Request"), 8, "int"),
        Column(N_("Finding"), 8, "int"),
        Column(N_("Closed"), 17, "datetime"),
    ),
    rows,
    holds=DESCRIPTION,
    scope=SCOPE,
)
