"""The notification outbox: queue in the job's transaction, deliver after it commits.

A notification's key makes it unique, so a reminder is queued once however often a job runs.
Delivery claims rows, mails them and marks them sent; a failure leaves the row pending with its
error for the next run. A process that dies between sending and marking may resend once after
``reclaim_after``: at-least-once beats a silently lost reminder.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from article8.core.db import Database
from article8.core.mail import DELIVERY_ERRORS, LogMailer, Mailer, Message
from article8.core.models import Notification, User

log = logging.getLogger("article8.notify")
# session.info key: the ids of the notifications this session queued (see queued_ids).
_QUEUED = "article8.outbox.queued"


def queue(
    session: Session,
    *,
    key: str,
    kind: str,
    recipient: User,
    subject: str,
    body: str,
    now: datetime,
    object_type: str | None = None,
    object_id: object = None,
) -> bool:
    """Queue a notification unless one with ``key`` exists; return whether it was queued."""
    insert = (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert
    created = session.execute(
        insert(Notification)
        .values(
            key=key[:200],
            kind=kind,
            recipient_id=recipient.id,
            subject=subject[:300],
            body=body,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            status="pending",
            attempts=0,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Notification.id)
    ).first()
    if created is not None:
        session.info.setdefault(_QUEUED, []).append(created.id)
    return created is not None


def queued_ids(session: Session) -> list[int]:
    """The ids of the notifications ``session`` queued since the last call (then forgotten)."""
    return list(session.info.pop(_QUEUED, []))


def forget_queued(session: Session) -> None:
    """Forget what ``session`` queued (its transaction was rolled back)."""
    session.info.pop(_QUEUED, None)


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def deliver_pending(
    database: Database,
    mailer: Mailer,
    *,
    now: datetime,
    batch: int = 100,
    reclaim_after: timedelta = timedelta(minutes=10),
    only: Collection[int] | None = None,
) -> DeliveryReport:
    """Mail every pending notification (or only those with the ids in ``only``); failures stay
    pending for the next run."""
    report = DeliveryReport()
    while True:
        with database.unit_of_work() as session:
            claimable = or_(
                Notification.status == "pending",
                (Notification.status == "sending")
                & (Notification.claimed_at < now - reclaim_after),
            )
            query = (
                select(Notification)
                .where(claimable, Notification.id.not_in(list(report.failed) or [0]))
                .order_by(Notification.id)
                .limit(batch)
            )
            if only is not None:
                query = query.where(Notification.id.in_(list(only)))
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(session.scalars(query))
            messages = []
            for row in rows:
                row.status, row.claimed_at, row.attempts = "sending", now, row.attempts + 1
                messages.append((row.id, Message(row.recipient.email, row.subject, row.body)))
        if not messages:
            return report
        for notification_id, message in messages:
            try:
                mailer.send(message)
            except DELIVERY_ERRORS as error:
                log.warning(
                    "mail %s to %s failed, will retry: %s", notification_id, message.to, error
                )
                report.failed[notification_id] = str(error)
            else:
                report.sent.append(notification_id)
        with database.unit_of_work() as session:
            for notification_id, _ in messages:
                claimed = session.get(Notification, notification_id)
                assert claimed is not None
                if notification_id in report.failed:
                    claimed.status, claimed.last_error = (
                        "pending",
                        report.failed[notification_id][:2000],
                    )
                else:
                    claimed.status = "logged" if isinstance(mailer, LogMailer) else "sent"
                    claimed.sent_at, claimed.last_error = now, None
