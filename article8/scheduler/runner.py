"""`article8 scheduler run`: APScheduler in its own process, behind the leader lease.

Never started inside gunicorn workers: each worker would run every job (APScheduler FAQ).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from datetime import timedelta

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler

from article8.core import lease
from article8.core.db import Database, utcnow
from article8.core.mail import mailer_from_settings
from article8.core.settings import Settings
from article8.scheduler import jobs

log = logging.getLogger("article8.scheduler")


def scheduled_tick() -> None:
    """The periodic job (module-level: the job store pickles a reference to it)."""
    settings = Settings.from_env()
    database = Database.from_url(settings.database_url)
    try:
        report = jobs.tick(database, settings, mailer_from_settings(settings), now=utcnow())
        log.info("tick: %s", report.as_dict())
    finally:
        database.bind.dispose()  # type: ignore[union-attr]


def holder_name() -> str:
    """This process's name in the lease: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def run(settings: Settings, *, holder: str | None = None) -> None:
    """Wait to become leader, then run the jobs until the lease is lost or we are stopped."""
    holder = holder or holder_name()
    database = Database.from_url(settings.database_url)
    ttl = timedelta(seconds=settings.scheduler_lease_seconds)
    # Renew three times per lease and poll as often: a dead leader is replaced within a lease.
    beat = max(1.0, settings.scheduler_lease_seconds / 3)
    logged_standby = False
    while not lease.try_acquire(database, holder, now=utcnow(), ttl=ttl):
        if not logged_standby:
            log.info("scheduler %s: another scheduler holds the lease; standing by", holder)
            logged_standby = True
        time.sleep(beat)
    log.info("scheduler %s is the leader", holder)
    scheduler = BlockingScheduler(
        timezone="UTC",
        jobstores={
            "default": SQLAlchemyJobStore(engine=database.bind, tablename="apscheduler_jobs"),
            "memory": MemoryJobStore(),
        },
        # A generous grace: a job delayed by a restart still runs (once, coalesced) afterwards.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )

    def renew() -> None:
        if not lease.try_acquire(database, holder, now=utcnow(), ttl=ttl):
            log.error("lost the scheduler lease to another process; stopping")
            scheduler.shutdown(wait=False)

    def on_error(event: JobExecutionEvent) -> None:
        log.error("job %s failed: %s", event.job_id, event.exception)

    scheduler.add_listener(on_error, EVENT_JOB_ERROR)
    scheduler.add_job(
        scheduled_tick,
        "interval",
        minutes=settings.scheduler_tick_minutes,
        id="article8.tick",
        replace_existing=True,
        next_run_time=utcnow(),
    )
    # The lease renewal lives in memory only: it must never outlive this process in the store.
    scheduler.add_job(
        renew,
        "interval",
        seconds=beat,
        id="article8.lease",
        replace_existing=True,
        jobstore="memory",
    )
    try:
        scheduler.start()
    finally:
        lease.release(database, holder, now=utcnow())
        database.bind.dispose()  # type: ignore[union-attr]
