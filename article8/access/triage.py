"""Triage of anomalies by the responsible person: acknowledge, dismiss, or escalate to a finding.

An escalated anomaly is settled: its finding carries the work on. Other decisions may be changed
(an acknowledged anomaly may still be dismissed or escalated). Services flush; the caller commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.access.models import Anomaly
from article8.access.rules import AREA_RULES
from article8.controls.catalogue.models import Control
from article8.controls.findings.models import SEVERITIES, Finding
from article8.core import audit, roles, vocabulary
from article8.core.audit import Actor
from article8.core.errors import N_, NotFound, PermissionDenied, ValidationError
from article8.core.i18n import translator
from article8.core.models import User

MAX_REASON = 5000
# The control an escalated anomaly is a finding on, unless the responsible person chooses
# another: system-log rules are caught by log analysis (TEC-07), entry rules concern entry and
# exit control of management areas (PHY-02).
RULE_CONTROLS = {
    "unauthorised_access": "TEC-07",
    "leaver_access": "TEC-07",
    "off_hours": "TEC-07",
    "bulk_export": "TEC-07",
    "failed_login_burst": "TEC-07",
    "restricted_area_entry": "PHY-02",
    "denied_badge_burst": "PHY-02",
    "entry_without_exit": "PHY-02",
}
# The rules' names for people (the web pages and the finding's description translate them).
RULE_NAMES = {
    "unauthorised_access": N_("Unauthorised access"),
    "leaver_access": N_("Access after leaving"),
    "off_hours": N_("Access outside business hours"),
    "bulk_export": N_("Bulk export"),
    "failed_login_burst": N_("Burst of failed logins"),
    "restricted_area_entry": N_("Entry into a restricted area"),
    "denied_badge_burst": N_("Burst of denied badges"),
    "entry_without_exit": N_("Entry without exit"),
}
FINDING_DESCRIPTION = N_(
    "Escalated from anomaly %(id)d found in the access logs.\n"
    "Rule: %(rule)s, severity %(severity)s\nPerson: %(person)s\nDate: %(date)s\nArea: %(area)s\n"
    "Events: %(count)d, from %(first)s to %(last)s (%(tz)s)\n"
)


def get_anomaly(session: Session, anomaly_id: int) -> Anomaly:
    """The anomaly with ``anomaly_id``."""
    anomaly = session.get(Anomaly, anomaly_id)
    if anomaly is None:
        raise NotFound(N_("No such anomaly."))
    return anomaly


def default_control(rule: str) -> str:
    """The control code an anomaly of ``rule`` is escalated to by default."""
    return RULE_CONTROLS.get(rule, "TEC-07")


def acknowledge(
    session: Session,
    actor: Actor,
    anomaly: Anomaly,
    reason: str = "",
    *,
    now: datetime,
) -> None:
    """Mark the anomaly as seen and in order, or being looked into (the reason is optional)."""
    _decide(session, actor, anomaly, "acknowledged", reason.strip(), now)


def dismiss(
    session: Session,
    actor: Actor,
    anomaly: Anomaly,
    reason: str,
    *,
    now: datetime,
) -> None:
    """Dismiss the anomaly as no problem; the reason is required."""
    if not reason.strip():
        raise ValidationError(N_("Say why the anomaly is dismissed."), field="reason")
    _decide(session, actor, anomaly, "dismissed", reason.strip(), now)


def escalate(
    session: Session,
    actor: Actor,
    anomaly: Anomaly,
    control_code: str | None = None,
    severity: str | None = None,
    *,
    now: datetime,
    reason: str = "",
    tz: ZoneInfo,
) -> Finding:
    """Open a finding on ``control_code`` (default: the rule's control) linked to the anomaly.

    The finding's severity defaults to the rule's; its description quotes the rule, the person,
    the date and the events, in the escalating user's language.
    """
    _check(actor, anomaly, reason)
    code = (control_code or default_control(anomaly.rule)).strip().upper()
    control = session.scalar(select(Control).where(Control.code == code))
    if control is None:
        raise ValidationError(N_("No control %(code)s."), field="control", code=code)
    severity = severity or anomaly.severity
    if severity not in SEVERITIES:
        raise ValidationError(N_("Unknown severity %(value)s."), field="severity", value=severity)
    finding = Finding(
        control_id=control.id,
        source="anomaly",
        severity=severity,
        title=_title(anomaly),
        description=_description(anomaly, _locale(session, actor), tz, reason),
        status="open",
        created_at=now,
        updated_at=now,
    )
    session.add(finding)
    session.flush()
    before = _snapshot(anomaly)
    anomaly.status, anomaly.reason = "escalated", reason.strip() or None
    anomaly.finding_id = finding.id
    _settle(anomaly, actor, now)
    audit.record(
        session,
        actor,
        "finding.create",
        now=now,
        object_type="finding",
        object_id=finding.id,
        details={"source": "anomaly", "anomaly_id": anomaly.id, "control": code},
    )
    _record(session, actor, "anomaly.escalate", anomaly, before, now)
    return finding


def _check(actor: Actor, anomaly: Anomaly, reason: str) -> None:
    if not roles.has(actor.role, "anomaly.triage"):
        raise PermissionDenied(N_("Only the responsible person can triage anomalies."))
    if not roles.may_triage(actor, anomaly):
        raise ValidationError(
            N_("This anomaly was escalated into a finding; continue there."), field="status"
        )
    if len(reason) > MAX_REASON:
        raise ValidationError(
            N_("The reason has at most %(count)d characters."), field="reason", count=MAX_REASON
        )


def _decide(
    session: Session,
    actor: Actor,
    anomaly: Anomaly,
    status: str,
    reason: str,
    now: datetime,
) -> None:
    _check(actor, anomaly, reason)
    before = _snapshot(anomaly)
    anomaly.status, anomaly.reason = status, reason or None
    _settle(anomaly, actor, now)
    action = "anomaly.acknowledge" if status == "acknowledged" else "anomaly.dismiss"
    _record(session, actor, action, anomaly, before, now)


def _settle(anomaly: Anomaly, actor: Actor, now: datetime) -> None:
    anomaly.triaged_by_id, anomaly.triaged_at, anomaly.updated_at = actor.id, now, now


def _locale(session: Session, actor: Actor) -> str:
    """The escalating user's language (the finding's description is written in it)."""
    user = session.get(User, actor.id) if actor.id is not None else None
    return user.locale if user is not None else "ja"


def _snapshot(anomaly: Anomaly) -> dict[str, Any]:
    return {"status": anomaly.status, "reason": anomaly.reason, "finding_id": anomaly.finding_id}


def _record(
    session: Session,
    actor: Actor,
    action: str,
    anomaly: Anomaly,
    before: dict[str, Any],
    now: datetime,
) -> None:
    audit.record(
        session,
        actor,
        action,
        now=now,
        object_type="anomaly",
        object_id=anomaly.id,
        details={
            "rule": anomaly.rule,
            "person": anomaly.person,
            "date": anomaly.local_date.isoformat(),
            "before": before,
            "after": _snapshot(anomaly),
        },
    )


def _title(anomaly: Anomaly) -> str:
    area = f" {anomaly.area}" if anomaly.rule in AREA_RULES and anomaly.area else ""
    return f"{anomaly.rule}: {anomaly.person}{area} {anomaly.local_date.isoformat()}"[:300]


def _description(anomaly: Anomaly, locale: str, tz: ZoneInfo, reason: str) -> str:
    _ = translator(locale)
    handler = anomaly.handler
    person = f"{anomaly.person} ({handler.name})" if handler else anomaly.person
    text = _(
        FINDING_DESCRIPTION,
        id=anomaly.id,
        # The rule's name only: its code is an internal identifier, never shown to a reader.
        rule=_(RULE_NAMES[anomaly.rule]) if anomaly.rule in RULE_NAMES else anomaly.rule,
        severity=vocabulary.SEVERITIES.translated(anomaly.severity, _),
        person=person,
        date=anomaly.local_date.isoformat(),
        area=anomaly.area or "-",
        count=anomaly.event_count,
        first=anomaly.first_seen.astimezone(tz).strftime("%H:%M:%S"),
        last=anomaly.last_seen.astimezone(tz).strftime("%H:%M:%S"),
        tz=tz.key,
    )
    return f"{text}\n{reason.strip()}" if reason.strip() else text
