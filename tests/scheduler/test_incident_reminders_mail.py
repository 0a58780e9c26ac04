"""PPC deadline reminders reach a real SMTP server 7, 3 and 1 days before each deadline and on
the day, once each; a passed deadline is escalated to the administrator."""

from __future__ import annotations

from datetime import datetime

import pytest
from aiosmtpd.controller import Controller

from article8.controls.incidents import record
from article8.controls.incidents import services as incidents
from article8.controls.incidents.reminders import queue_incident_reminders
from article8.core.audit import Actor
from article8.core.mail import SmtpMailer
from article8.core.outbox import deliver_pending
from article8.core.settings import SmtpSettings
from tests.support.mail import Inbox, free_port

TZ_AWARE = datetime.fromisoformat("2026-12-28T10:00:00+09:00")
BASE = "https://article8.example.jp"


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


def test_reminders_at_7_3_1_and_0_days_then_escalation_each_once(
    session, database, make_user, smtp, settings
):
    inbox, mailer = smtp
    reporter = make_user("inspector")
    boss = make_user("responsible", locale="en")
    admin = make_user("admin", locale="en")
    incident = incidents.report_violation(
        session,
        Actor.for_user(reporter),
        "Lost laptop",
        "A laptop was lost.",
        TZ_AWARE,
        now=TZ_AWARE,
        tz=settings.timezone,
    )
    record.update_record(
        session,
        Actor.for_user(boss),
        incident,
        {
            "aware_at": TZ_AWARE.isoformat(),
            "triggers": {"sensitive": False, "financial": False, "unlawful_purpose": False},
            "individuals": 1200,
        },
        now=TZ_AWARE,
        tz=settings.timezone,
    )
    session.commit()
    deliver_pending(database, mailer, now=TZ_AWARE)
    inbox.messages.clear()  # the report's own mail is not the point
    # 速報 due 2 January 2027 (day 5); 確報 due 27 January (day 30).

    def run(day: str) -> list[str]:
        now = datetime.fromisoformat(f"{day}T09:00:00+09:00")
        for _ in range(2):  # a second run the same day sends nothing new
            with database.unit_of_work() as work:
                queue_incident_reminders(work, tz=settings.timezone, base_url=BASE, now=now)
            deliver_pending(database, mailer, now=now)
        # Long subjects arrive folded; unfold them.
        mine = [
            s.replace("\r\n", "") for s in inbox.subjects(boss.email) + inbox.subjects(admin.email)
        ]
        inbox.messages.clear()
        return mine

    assert run("2026-12-29") == [
        f"[article8] Incident {incident.id}: the preliminary report (速報) to the PPC is "
        f"due in 4 days, on 2027-01-02"
    ]
    assert run("2026-12-30") == [
        f"[article8] Incident {incident.id}: the preliminary report (速報) to the PPC is "
        f"due in 3 days, on 2027-01-02"
    ]
    assert run("2026-12-31") == []
    assert run("2027-01-01") == [
        f"[article8] Incident {incident.id}: the preliminary report (速報) to the PPC is "
        f"due tomorrow, 2027-01-02"
    ]
    assert run("2027-01-02") == [
        f"[article8] Incident {incident.id}: the preliminary report (速報) to the PPC is "
        f"due today, 2027-01-02"
    ]
    escalated = run("2027-01-03")
    assert escalated == [
        f"[article8] Escalation: incident {incident.id}: the preliminary report to the PPC is "
        "overdue"
    ]
    assert run("2027-01-04") == []
    with database.unit_of_work() as work:
        filed = work.get(type(incident), incident.id)
        record.record_filing(
            work,
            Actor.for_user(boss),
            filed,
            kind="preliminary",
            filed_on=datetime(2027, 1, 4).date(),
            now=datetime.fromisoformat("2027-01-04T12:00:00+09:00"),
            tz=settings.timezone,
        )
    assert run("2027-01-19") == []
    assert run("2027-01-20") == [
        f"[article8] Incident {incident.id}: the final report (確報) to the PPC is "
        f"due in 7 days, on 2027-01-27"
    ]
    assert run("2027-01-24") == [
        f"[article8] Incident {incident.id}: the final report (確報) to the PPC is "
        f"due in 3 days, on 2027-01-27"
    ]
