"""The reporting line (Article 8(2)) and the PPC leak-report assessment of incidents.

Anyone signed in reports a personal-data incident or a rule breach (near misses included); the
responsible persons are notified at once. The responsible person confirms when the company became
aware, assesses it against the four conditions of PPC Rules Art. 7, which sets the report
deadlines, and closes it once every required report and the notification of the individuals are
on record (the record itself: :mod:`article8.controls.incidents.record`).
Every change is audited with the incident's state before and after. Services flush; the caller
commits (and delivers the queued mail after the commit).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.controls.catalogue.models import Control
from article8.controls.incidents import deadlines as ppc
from article8.controls.incidents.errors import NotClosable
from article8.controls.incidents.models import INCIDENT_STATES, OVER_1000, Incident
from article8.core import audit, roles, vocabulary
from article8.core import outbox as notify
from article8.core.audit import Actor
from article8.core.calendar import local_date
from article8.core.errors import N_, NotFound, PermissionDenied, ValidationError
from article8.core.i18n import translator
from article8.core.models import User

REPORT_KINDS = vocabulary.REPORT_KINDS.codes
MAX_TITLE = 300
MAX_TEXT = 20000

REPORTED_SUBJECT = N_("[article8] Incident or rule breach reported: %(title)s")
REPORTED_BODY = N_(
    "%(reporter)s reported a personal-data incident or a breach of the handling rules "
    "(or a near miss).\n\n"
    "Title: %(title)s\nAware since (as reported): %(aware)s\nControl: %(control)s\n\n"
    "%(description)s\n\n"
    "Confirm when the company became aware and assess it for a PPC leak report: %(link)s\n"
)


def get_incident(session: Session, incident_id: int) -> Incident:
    """The incident with ``incident_id``."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(N_("No such incident."))
    return incident


def responsible_people(session: Session) -> list[User]:
    """Who hears of violations: the active responsible persons, else the administrators."""
    for role in ("responsible", "admin"):
        people = list(
            session.scalars(
                select(User).where(User.active.is_(True), User.role == role).order_by(User.id)
            )
        )
        if people:
            return people
    return []


def may_view(actor: Actor, incident: Incident) -> bool:
    """Managers and auditors see every incident; anyone else only what they reported."""
    return roles.may_view_incident(actor, incident)


def visible_incident(session: Session, actor: Actor, incident_id: int) -> Incident:
    """The incident with ``incident_id`` if ``actor`` may see it; PermissionDenied otherwise."""
    incident = get_incident(session, incident_id)
    if not may_view(actor, incident):
        raise PermissionDenied(N_("You may see only the incidents you reported."))
    return incident


def report_violation(
    session: Session,
    actor: Actor,
    title: str,
    description: str,
    aware_at: datetime,
    control_code: str | None = None,
    *,
    now: datetime,
    tz: ZoneInfo,
    base_url: str = "",
    occurred_at: datetime | None = None,
) -> Incident:
    """Record a report by any signed-in user and notify every responsible person at once."""
    title, description = " ".join(title.split()), description.strip()
    if not title:
        raise ValidationError(N_("Give the report a title."), field="title")
    if len(title) > MAX_TITLE:
        raise ValidationError(
            N_("The title has at most %(count)d characters."), field="title", count=MAX_TITLE
        )
    if not description:
        raise ValidationError(N_("Describe what happened."), field="description")
    if len(description) > MAX_TEXT:
        raise ValidationError(
            N_("The description has at most %(count)d characters."),
            field="description",
            count=MAX_TEXT,
        )
    if aware_at.tzinfo is None:
        raise ValueError("aware_at must carry its time zone")
    if aware_at > now:
        raise ValidationError(N_("The time you became aware is in the future."), field="aware_at")
    if occurred_at is not None and occurred_at > now:
        raise ValidationError(N_("The time it occurred is in the future."), field="occurred_at")
    control = _control(session, control_code)
    incident = Incident(
        occurred_at=occurred_at,
        title=title,
        description=description,
        reported_by_id=actor.id,
        reported_at=now,
        aware_at=aware_at,
        control_id=control.id if control else None,
        status="reported",
        created_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    audit.record(
        session,
        actor,
        "incident.report",
        now=now,
        object_type="incident",
        object_id=incident.id,
        details={"before": None, "after": snapshot(incident)},
    )
    reporter = session.get(User, actor.id) if actor.id is not None else None
    for person in responsible_people(session):
        _ = translator(person.locale)
        notify.queue(
            session,
            key=f"incident.reported:{incident.id}:{person.id}",
            kind="incident.reported",
            recipient=person,
            subject=_(REPORTED_SUBJECT, title=title),
            body=_(
                REPORTED_BODY,
                reporter=reporter.display_name if reporter else actor.label,
                title=title,
                aware=aware_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z"),
                control=f"{control.code} {control.title(person.locale)}" if control else "-",
                description=description,
                link=f"{base_url}/incidents/{incident.id}",
            ),
            now=now,
            object_type="incident",
            object_id=incident.id,
        )
    return incident


def assess(
    session: Session,
    actor: Actor,
    incident: Incident,
    *,
    sensitive: bool,
    financial: bool,
    unlawful: bool,
    over_1000: bool | None,
    now: datetime,
    tz: ZoneInfo,
    policy: ppc.Policy = ppc.DEFAULT_POLICY,
) -> None:
    """Answer the four PPC conditions; a reportable incident gets its report deadlines.

    Deadlines run from the local day the company became aware. A first assessment moves a newly
    reported incident to ``investigating``. Condition (iv) follows from the number of individuals
    once it is recorded.
    """
    before = _check(actor, incident)
    over_1000 = check_over_1000(incident, over_1000)
    if over_1000 is None:
        raise ValidationError(
            N_("Answer (iv), or record the number of individuals it follows from."),
            field="over_1000",
        )
    incident.sensitive_data, incident.financial_harm = sensitive, financial
    incident.unlawful_purpose, incident.over_1000_people = unlawful, over_1000
    assessed(incident, actor, now)
    schedule(incident, tz, policy)
    _changed(session, actor, incident, "incident.assess", before, now)


def individuals_upper(incident: Incident) -> int | None:
    """The number of individuals, or the top of its estimated range; None when unknown."""
    if incident.individuals_estimated:
        return incident.individuals_high
    return incident.individuals


def check_over_1000(incident: Incident, answer: bool | None) -> bool | None:
    """Condition (iv) as recorded: derived from the count when there is one."""
    upper = individuals_upper(incident)
    if upper is None:
        return answer
    derived = upper > OVER_1000
    if answer is not None and answer != derived:
        raise ValidationError(
            N_(
                "Whether more than 1,000 individuals are affected follows from the number of "
                "individuals recorded (%(count)d); change the number instead."
            ),
            field="over_1000",
            count=upper,
        )
    return derived


def assessed(incident: Incident, actor: Actor, now: datetime) -> None:
    """Note who answered the conditions; a first assessment starts the investigation."""
    if incident.assessed:
        incident.assessed_by_id, incident.assessed_at = actor.id, now
        if incident.status == "reported":
            incident.status = "investigating"


def report_required(incident: Incident) -> bool:
    """Whether the company itself must report: reportable, and no 委託元 notified (規則9条)."""
    return incident.assessed and incident.reportable and not incident.principal_path


def schedule(incident: Incident, tz: ZoneInfo, policy: ppc.Policy = ppc.DEFAULT_POLICY) -> None:
    """Set (or clear) the report deadlines from 事態を知った日 and the assessment."""
    if report_required(incident):
        due = ppc.deadlines(
            local_date(incident.aware_at, tz),
            unlawful_purpose=bool(incident.unlawful_purpose),
            policy=policy,
        )
        incident.preliminary_due_on, incident.final_due_on = due.preliminary, due.final
        incident.preliminary_target_on = due.preliminary_target
    else:
        incident.preliminary_due_on = incident.final_due_on = None
        incident.preliminary_target_on = None


def missing(incident: Incident) -> list[str]:
    """What still blocks closing the incident (codes of vocabulary.CLOSING_BLOCKERS)."""
    blockers = []
    if incident.aware_confirmed_at is None:
        blockers.append("aware_at")
    if not incident.assessed:
        blockers.append("assessment")
    if report_required(incident):
        if incident.preliminary_reported_on is None:
            blockers.append("preliminary_report")
        if incident.final_reported_on is None:
            blockers.append("final_report")
        if incident.notification is None:
            blockers.append("notification")
    return blockers


def set_status(
    session: Session,
    actor: Actor,
    incident: Incident,
    status: str,
    *,
    now: datetime,
    resolution: str = "",
) -> None:
    """Move the incident to ``status``; closing needs a resolution and any PPC report made."""
    if status not in INCIDENT_STATES:
        raise ValidationError(N_("Unknown status %(status)s."), field="status", status=status)
    before = _check(actor, incident, reopening=status != "closed")
    if status == incident.status:
        return
    if status == "closed":
        resolution = resolution.strip()
        if not resolution:
            raise ValidationError(N_("Say how the incident was resolved."), field="resolution")
        if len(resolution) > MAX_TEXT:
            raise ValidationError(
                N_("The resolution has at most %(count)d characters."),
                field="resolution",
                count=MAX_TEXT,
            )
        blockers = missing(incident)
        if blockers:
            # 法26条: no closing while a required report, or the notification of the
            # individuals (or its documented alternative), is missing.
            raise NotClosable(blockers)
        incident.resolution, incident.closed_at = resolution, now
    else:
        incident.closed_at = None
    incident.status = status
    action = "incident.close" if status == "closed" else "incident.status"
    _changed(session, actor, incident, action, before, now)


def close(
    session: Session,
    actor: Actor,
    incident: Incident,
    resolution: str,
    *,
    now: datetime,
) -> None:
    """Close the incident with how it was resolved."""
    set_status(session, actor, incident, "closed", now=now, resolution=resolution)


def snapshot(incident: Incident) -> dict[str, Any]:
    """The incident's fields as the audit trail records them."""

    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "title": incident.title,
        "status": incident.status,
        "aware_at": incident.aware_at.isoformat(),
        "control_id": incident.control_id,
        "sensitive_data": incident.sensitive_data,
        "financial_harm": incident.financial_harm,
        "unlawful_purpose": incident.unlawful_purpose,
        "over_1000_people": incident.over_1000_people,
        "preliminary_target_on": day(incident.preliminary_target_on),
        "preliminary_due_on": day(incident.preliminary_due_on),
        "final_due_on": day(incident.final_due_on),
        "preliminary_reported_on": day(incident.preliminary_reported_on),
        "final_reported_on": day(incident.final_reported_on),
        "resolution": incident.resolution,
        "aware_confirmed_at": incident.aware_confirmed_at.isoformat()
        if incident.aware_confirmed_at
        else None,
        "occurred_at": incident.occurred_at.isoformat() if incident.occurred_at else None,
        "occurred_unknown": incident.occurred_unknown,
        "kinds": incident.kinds,
        "certainty": incident.certainty,
        "media": incident.media,
        "personal_data": incident.personal_data,
        "personal_data_reason": incident.personal_data_reason,
        "encrypted_exempt": incident.encrypted_exempt,
        "encryption_note": incident.encryption_note,
        "individuals": incident.individuals,
        "individuals_estimated": incident.individuals_estimated,
        "individuals_low": incident.individuals_low,
        "individuals_high": incident.individuals_high,
        "entrustment": incident.entrustment,
        "principal_notified_on": day(incident.principal_notified_on),
        "principal_recipient": incident.principal_recipient,
        "notification": incident.notification,
        "notified_on": day(incident.notified_on),
        "notification_method": incident.notification_method,
        "notification_content": incident.notification_content,
        "alternative_published_on": day(incident.alternative_published_on),
        "alternative_where": incident.alternative_where,
        "inquiry_desk": incident.inquiry_desk,
    }


def _control(session: Session, code: str | None) -> Control | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    control = session.scalar(select(Control).where(Control.code == code))
    if control is None:
        raise ValidationError(N_("No control %(code)s."), field="control", code=code)
    return control


def check(actor: Actor, incident: Incident) -> dict[str, Any]:
    """Refuse unless ``actor`` handles incidents and this one is open; the state before."""
    return _check(actor, incident)


def changed(
    session: Session,
    actor: Actor,
    incident: Incident,
    action: str,
    before: dict[str, Any],
    now: datetime,
    **extra: Any,
) -> None:
    """Audit a change with the incident's state before and after (nothing when unchanged)."""
    _changed(session, actor, incident, action, before, now, **extra)


def _check(actor: Actor, incident: Incident, *, reopening: bool = False) -> dict[str, Any]:
    if not roles.has(actor.role, "incident.manage"):
        raise PermissionDenied(N_("Only the responsible person can handle incidents."))
    if incident.status == "closed" and not reopening:
        raise ValidationError(N_("This incident is closed; reopen it first."), field="status")
    return snapshot(incident)


def _changed(
    session: Session,
    actor: Actor,
    incident: Incident,
    action: str,
    before: dict[str, Any],
    now: datetime,
    **extra: Any,
) -> None:
    after = snapshot(incident)
    if after == before:
        return
    incident.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        action,
        now=now,
        object_type="incident",
        object_id=incident.id,
        details={"before": before, "after": after, **extra},
    )
