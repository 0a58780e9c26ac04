"""Job functions. `scheduler tick` and the scheduler process call the same ones."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from article8.controls.reminders import queue_reminders
from article8.controls.schedule import ScheduleRules, run_schedule
from article8.core.db import Database
from article8.core.mail import Mailer
from article8.core.notify import deliver_pending
from article8.core.settings import Settings


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
    delivery = deliver_pending(database, mailer, now=now)
    return TickReport(
        created=len(schedule.created),
        created_missed=len(schedule.created_missed),
        opened=len(schedule.opened),
        missed=len(schedule.missed),
        queued=queued,
        sent=len(delivery.sent),
        failed=len(delivery.failed),
    )
