"""The requests sheet (issue 16): requests from individuals open at some time during the period,
with their deadlines, decision, fee and days taken. Requesters' names are left out: the register
itself holds them, the auditor needs the handling."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from article8.core.calendar import local_date
from article8.core.errors import N_
from article8.core.vocabulary import (
    AGENT_KINDS,
    CHANNELS,
    DECISIONS,
    FEE_STATES,
    REFUSAL_GROUNDS,
    REQUEST_KINDS,
    REQUEST_STATES,
    VERIFICATION_RESULTS,
)
from article8.privacy.requests.models import PrivacyRequest
from article8.reports.workbook.table import Column, Context, TableSheet

TITLE = N_("Requests from individuals")
DESCRIPTION = N_(
    "Requests from individuals (disclosure, correction, suspension of use...): deadlines, "
    "identity verification, decision, fee, response and days taken"
)
SCOPE = N_("Received by the end of the period and not closed before it")


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per request received before the end of the period and not closed before it."""
    session, tz = context.session, context.timezone
    start, end = context.period.starts_at(tz), context.period.ends_at(tz)
    for found in session.scalars(
        select(PrivacyRequest)
        .where(
            PrivacyRequest.received_at < end,
            (PrivacyRequest.closed_at.is_(None)) | (PrivacyRequest.closed_at >= start),
        )
        .order_by(PrivacyRequest.id)
    ):
        received = local_date(found.received_at, tz)
        taken = (found.responded_on - received).days if found.responded_on else None
        yield (
            found.id,
            found.kind,
            found.channel,
            found.received_at,
            found.agent_kind,
            found.verification_result,
            found.target_on,
            found.statutory_on,
            found.state,
            found.fee_yen,
            found.fee_state,
            found.decision,
            found.refusal_ground,
            found.responded_on,
            taken,
            (found.responded_on <= found.target_on) if found.responded_on else None,
            found.response_sha256 or "",
            found.closed_at,
        )


SHEET = TableSheet(
    TITLE,
    (
        Column(N_("Request"), 8, "int"),
        Column(N_("Kind of request"), 30, "status", (REQUEST_KINDS,)),
        Column(N_("Channel"), 12, "status", (CHANNELS,)),
        Column(N_("Received at"), 17, "datetime"),
        Column(N_("Through an agent"), 16, "status", (AGENT_KINDS,)),
        Column(N_("Identity verification"), 14, "status", (VERIFICATION_RESULTS,)),
        Column(N_("Internal target"), 12, "date"),
        Column(N_("Two weeks (Art. 39)"), 12, "date"),
        Column(N_("State"), 14, "status", (REQUEST_STATES,)),
        Column(N_("Fee (yen)"), 10, "int"),
        Column(N_("Fee"), 10, "status", (FEE_STATES,)),
        Column(N_("Decision"), 14, "status", (DECISIONS,)),
        Column(N_("Ground for refusal (Art. 33(2))"), 24, "status", (REFUSAL_GROUNDS,)),
        Column(N_("Responded on"), 12, "date"),
        Column(N_("Days taken"), 8, "int"),
        Column(N_("By the internal target"), 10, "bool"),
        Column(N_("Response SHA-256"), 30),
        Column(N_("Closed"), 17, "datetime"),
    ),
    rows,
    holds=DESCRIPTION,
    scope=SCOPE,
)
