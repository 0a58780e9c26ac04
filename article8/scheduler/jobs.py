"""Job functions. `scheduler tick` and the scheduler process call the same ones."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from article8.access.rules import RuleSettings
from article8.access.tasks import nightly_rules, queue_anomaly_digest
from article8.controls.incidents.reminders import queue_incident_reminders
from article8.controls.inspections.reminders import queue_reminders
from article8.controls.inspections.schedule import SCHEDULER, ScheduleRules, run_schedule
from article8.core.db import Database
from article8.core.mail import Mailer
from article8.core.outbox import deliver_pending
from article8.core.settings import Settings
from article8.evidence.blobstore import evidence_store
from article8.privacy.requests.reminders import queue_privacy_reminders  # issue 16
from article8.reports.monthly import export_monthly_workbook


@dataclass
class TickReport:
    """What one tick did, for logs and `scheduler tick` output."""

    created: int
    created_missed: int
    opened: int
    missed: int
    queued: int
    sent: int
    failed: int
    # The nightly anomaly rules ran in this tick (once per local day).
    rules_run: bool = False
    # Last month's audit workbook was stored as evidence on ORG-08 (once per local month).
    workbook_exported: bool = False
    # Pending inspections due on a day closed since their due date was set, moved on.
    due_dates_moved: int = 0

    def as_dict(self) -> dict[str, int]:
        """The figures as a mapping."""
        return asdict(self)


def tick(database: Database, settings: Settings, mailer: Mailer, *, now: datetime) -> TickReport:
    """Run everything due at ``now`` once: the calendar, reminders, then mail delivery.

    Each step commits on its own, so mail goes out only for what was committed.
    """
    rules = ScheduleRules.from_settings(settings)
    with database.unit_of_work() as session:
        schedule = run_schedule(session, rules, now=now)
    with database.unit_of_work() as session:
        queued = queue_reminders(session, rules, base_url=settings.base_url, now=now)
    with database.unit_of_work() as session:
        queued += queue_incident_reminders(
            session, tz=settings.timezone, base_url=settings.base_url, now=now
        )
    # issue 16: the request and inquiry clocks (7/3/1/0 days before, then escalation)
    with database.unit_of_work() as session:
        queued += queue_privacy_reminders(
            session, tz=settings.timezone, base_url=settings.base_url, now=now
        )
    access_rules = RuleSettings.from_settings(settings)
    with database.unit_of_work() as session:
        nightly = nightly_rules(session, access_rules, now=now)
    with database.unit_of_work() as session:
        queued += queue_anomaly_digest(session, access_rules, base_url=settings.base_url, now=now)
    delivery = deliver_pending(database, mailer, now=now)
    # Last, and after the mail: the slowest step, and its failure must not hold reminders back.
    with database.unit_of_work() as session:
        workbook = export_monthly_workbook(
            session, evidence_store(settings), settings=settings, actor=SCHEDULER, now=now
        )
    return TickReport(
        created=len(schedule.created),
        created_missed=len(schedule.created_missed),
        opened=len(schedule.opened),
        missed=len(schedule.missed),
        queued=queued,
        sent=len(delivery.sent),
        failed=len(delivery.failed),
        rules_run=nightly is not None,
        workbook_exported=workbook is not None,
        due_dates_moved=len(schedule.moved),
    )
