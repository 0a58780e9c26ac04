"""The access checks' daily work for the scheduler: the nightly rules run and the anomaly digest."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from article8.access.models import Anomaly
from article8.access.rules import RULES, RuleReport, RuleSettings, run_rules
from article8.access.triage import RULE_NAMES
from article8.controls.incidents.services import responsible_people
from article8.core import outbox as notify
from article8.core.calendar import local_date
from article8.core.errors import N_
from article8.core.i18n import translator
from article8.core.runs import claim_day

NIGHTLY_JOB = "access.rules.nightly"
# Late files and register changes (a leaver's date, a new authorisation) alter past days.
NIGHTLY_DAYS = 7
DIGEST_SUBJECT = N_("[article8] Anomalies in the access logs awaiting triage: %(count)d")
DIGEST_BODY = N_("New anomalies waiting for triage, by rule:\n%(rules)s\n\nTriage them: %(link)s\n")


def nightly_rules(session: Session, rules: RuleSettings, *, now: datetime) -> RuleReport | None:
    """Run every rule over the last seven local days and today, once per local day.

    Returns None when today's run has already been made (by this or another process).
    """
    today = local_date(now, rules.timezone)
    if not claim_day(session, NIGHTLY_JOB, today, now=now):
        return None
    return run_rules(session, rules, dates=(today - timedelta(days=NIGHTLY_DAYS), today), now=now)


def queue_anomaly_digest(
    session: Session, rules: RuleSettings, *, base_url: str, now: datetime
) -> int:
    """Mail the responsible persons, once a day, how many anomalies await triage (if any)."""
    counts = dict(
        session.execute(
            select(Anomaly.rule, func.count()).where(Anomaly.status == "new").group_by(Anomaly.rule)
        ).all()
    )
    total = sum(counts.values())
    if not total:
        return 0
    today = local_date(now, rules.timezone).isoformat()
    queued = 0
    for person in responsible_people(session):
        _ = translator(person.locale)
        lines = "\n".join(
            f"- {_(RULE_NAMES[rule])} ({rule}): {counts[rule]}" for rule in RULES if rule in counts
        )
        queued += notify.queue(
            session,
            key=f"digest.anomalies:{today}:{person.id}",
            kind="digest.anomalies",
            recipient=person,
            subject=_(DIGEST_SUBJECT, count=total),
            body=_(DIGEST_BODY, rules=lines, link=f"{base_url}/access/anomalies"),
            now=now,
            object_type="digest",
            object_id=today,
        )
    return queued
