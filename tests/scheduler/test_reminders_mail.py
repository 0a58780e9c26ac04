"""Reminders reach a real SMTP server once each; a broken server delays them, never loses them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from article8.controls.catalogue.models import Control
from article8.controls.catalogue.services import sync_catalogue
from article8.controls.inspections.models import Inspection
from article8.core.closures import add_closure
from article8.core.mail import SmtpMailer
from article8.core.models import Notification
from article8.core.settings import SmtpSettings
from article8.scheduler.jobs import tick
from tests.conftest import SYSTEM_ACTOR
from tests.support.mail import Inbox, free_port
from tests.support.schedule import LOADED


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield (
        inbox,
        SmtpMailer(
            SmtpSettings(host="127.0.0.1", port=controller.port, sender="article8@example.com"),
            timeout=5,
        ),
    )
    controller.stop()


def at(day: str) -> datetime:
    """10:00 in Tokyo on ``day``."""
    return datetime.fromisoformat(f"{day}T01:00:00").replace(tzinfo=UTC)


@pytest.fixture
def assigned(session, database, make_user, shipped_catalogue):
    """ORG-04 (monthly) owned by a Japanese-speaking inspector; one English responsible person."""
    inspector = make_user("inspector", locale="ja")
    responsible = make_user("responsible", locale="en")
    sync_catalogue(session, shipped_catalogue, SYSTEM_ACTOR, now=LOADED)
    session.execute(
        Control.__table__.update().where(Control.code == "ORG-04").values(owner_id=inspector.id)
    )
    session.commit()
    return inspector, responsible


def test_a_reminder_gives_the_due_date_moved_off_a_closure(database, settings, assigned, smtp):
    inspector, _ = assigned
    inbox, mailer = smtp
    tick(database, settings, mailer, now=LOADED)  # ORG-04's November inspection: due 10 December
    with database.unit_of_work() as session:
        add_closure(session, SYSTEM_ACTOR, day=date(2026, 12, 10), reason="移転", now=LOADED)
    # A week before the new due date, Friday 11 December.
    report = tick(database, settings, mailer, now=at("2026-12-04"))
    assert report.due_dates_moved >= 1  # ORG-04's and every other monthly control's
    mine = inbox.subjects(inspector.email)
    assert len(mine) == 1 and "ORG-04" in mine[0] and "2026-12-11" in mine[0]


def test_each_reminder_is_mailed_once_in_the_recipients_language(
    database, settings, assigned, smtp
):
    inspector, responsible = assigned
    inbox, mailer = smtp
    tick(database, settings, mailer, now=LOADED)  # creates the inspections; digest for the week
    assert inbox.subjects(responsible.email) == ["[article8] Weekly summary for 2026-W48"]
    inbox.messages.clear()
    # The November inspection of ORG-04 is due on Thursday 10 December 2026.
    report = tick(database, settings, mailer, now=at("2026-12-03"))
    mine = inbox.subjects(inspector.email)
    assert len(mine) == 1 and "ORG-04" in mine[0] and "2026-12-10" in mine[0]
    assert "点検" in mine[0] and "2026年11月" in mine[0]  # Japanese for a Japanese recipient
    assert report.sent == len(inbox.messages)
    again = tick(database, settings, mailer, now=at("2026-12-03"))
    assert again.queued == 0 and again.sent == 0
    assert len(inbox.messages) == report.sent

    inbox.messages.clear()
    tick(database, settings, mailer, now=at("2026-12-09"))
    assert any("ORG-04" in s for s in inbox.subjects(inspector.email))  # due tomorrow
    tick(database, settings, mailer, now=at("2026-12-11"))
    tick(database, settings, mailer, now=at("2026-12-11"))
    overdue = [s for s in inbox.subjects(inspector.email) if "ORG-04" in s]
    assert len(overdue) == 2  # one "due tomorrow", one "overdue"
    assert not any("Escalation" in s for s in inbox.subjects(responsible.email))
    tick(database, settings, mailer, now=at("2026-12-18"))  # more than 7 days overdue
    escalations = [s for s in inbox.subjects(responsible.email) if "Escalation" in s]
    assert escalations and all("overdue" in s for s in escalations)
    assert any("ORG-04" in s for s in escalations)


def test_a_failing_smtp_server_is_retried_later_and_never_crashes(
    session, database, settings, assigned, smtp
):
    inbox, mailer = smtp
    broken = SmtpMailer(SmtpSettings(host="127.0.0.1", port=free_port()), timeout=2)
    report = tick(database, settings, broken, now=LOADED)
    assert report.queued >= 1 and report.failed == report.queued and report.sent == 0
    session.expire_all()
    pending = list(session.scalars(select(Notification).where(Notification.status == "pending")))
    assert len(pending) == report.queued
    assert all(n.attempts == 1 and n.last_error for n in pending)
    later = tick(database, settings, mailer, now=at("2026-11-24"))
    assert later.sent == report.queued and len(inbox.messages) == report.queued
    session.expire_all()
    assert session.scalar(select(Notification.status).distinct()) == "sent"


def test_unassigned_inspections_send_no_reminders_to_nobody(
    database, settings, session, smtp, synced_catalogue
):
    inbox, mailer = smtp
    tick(database, settings, mailer, now=LOADED)
    tick(database, settings, mailer, now=at("2026-12-03"))
    assert inbox.messages == []  # no owners, no responsible person: nobody to tell
    assert session.scalar(select(Inspection.id).limit(1)) is not None
