"""The leak-report record of an incident (漏えい等報告, 法26条, 規則7条〜10条).

:func:`update_record` sets the record's fields from plain values (the API's JSON and the pages'
forms both arrive here): 事態を知った日時 (confirmed at triage, later edits with a reason),
発生日時, 事態の区分, media, whether personal data is involved, the encryption exemption, the four
triggers, 本人の数, entrustment, and the nine items of the report form (規則8条1項), each revision
kept as a version. :func:`record_filing` records a report made; :func:`record_notification` the
notification of the individuals or its alternative. Every change is audited with the state
before and after; services flush, the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from article8.controls.incidents import deadlines as ppc
from article8.controls.incidents import services
from article8.controls.incidents.models import (
    CERTAINTY,
    ENTRUSTMENTS,
    FILING_DESTINATIONS,
    FILING_KINDS,
    MEDIA,
    NOTIFICATION_WAYS,
    PERSONAL_DATA,
    REPORT_ITEMS,
    Filing,
    Incident,
    ReportItemVersion,
)
from article8.core import audit, vocabulary
from article8.core.audit import Actor
from article8.core.calendar import local_date
from article8.core.errors import N_, ValidationError

MAX_TEXT = services.MAX_TEXT
MAX_LINE = 300
MAX_COUNT = 1_000_000_000
EARLIEST_YEAR = 2000  # before any record this tool could keep; also keeps offsets sane
TRIGGERS = {
    "sensitive": "sensitive_data",
    "financial": "financial_harm",
    "unlawful_purpose": "unlawful_purpose",
    "over_1000": "over_1000_people",
}
# Fields of the record settable as they are: name -> (kind, allowed codes).
_CODES: dict[str, tuple[str, ...]] = {
    "certainty": CERTAINTY,
    "media": MEDIA,
    "personal_data": PERSONAL_DATA,
    "entrustment": ENTRUSTMENTS,
}
_TEXTS = (
    "personal_data_reason",
    "encryption_note",
    "principal_recipient",
)
KNOWN = frozenset(
    {
        "aware_at",
        "aware_reason",
        "occurred_at",
        "occurred_unknown",
        "kinds",
        "encrypted_exempt",
        "triggers",
        "individuals",
        "individuals_estimate",
        "principal_notified_on",
        "items",
        *_CODES,
        *_TEXTS,
    }
)


def _bad(field: str, expected: str) -> ValidationError:
    return ValidationError(
        N_("%(name)s: expected %(expected)s."), field=field, name=field, expected=expected
    )


def parse_instant(value: Any, field: str) -> datetime:
    """An aware datetime from a datetime or an ISO 8601 string with its offset."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _bad(field, "YYYY-MM-DDThh:mm+09:00") from None
    else:
        raise _bad(field, "YYYY-MM-DDThh:mm+09:00")
    if parsed.tzinfo is None:
        raise _bad(field, "YYYY-MM-DDThh:mm+09:00")
    if parsed.year < EARLIEST_YEAR:
        raise ValidationError(
            N_("%(name)s: the date is too far in the past."), field=field, name=field
        )
    return parsed.astimezone(UTC)


def parse_day(value: Any, field: str) -> date:
    """A date from a date or a YYYY-MM-DD string."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if day.year < EARLIEST_YEAR:
                raise ValidationError(
                    N_("%(name)s: the date is too far in the past."), field=field, name=field
                )
            return day
    raise _bad(field, "YYYY-MM-DD")


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _bad(field, "true or false")
    return value


def _text(value: Any, field: str, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _bad(field, "text")
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(
            N_("%(name)s has at most %(count)d characters."), field=field, name=field, count=limit
        )
    return value


def _count(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise _bad(field, "a whole number of 0 or more")
    return value


def update_record(
    session: Session,
    actor: Actor,
    incident: Incident,
    fields: Mapping[str, Any],
    *,
    now: datetime,
    tz: ZoneInfo,
    policy: ppc.Policy = ppc.DEFAULT_POLICY,
) -> None:
    """Set the fields given (others stay); deadlines are recomputed; every change audited.

    Nothing changes when any value is refused (the caller rolls back on the error).
    """
    before = services.check(actor, incident)
    unknown = sorted(set(fields) - KNOWN)
    if unknown:
        raise ValidationError(N_("Unknown field %(name)s."), field=unknown[0], name=unknown[0])
    if "aware_at" in fields:
        _set_aware(session, actor, incident, fields, now=now, tz=tz, policy=policy)
        before = services.snapshot(incident)
    if "occurred_at" in fields:
        raw = fields["occurred_at"]
        incident.occurred_at = None if raw in (None, "") else parse_instant(raw, "occurred_at")
        if incident.occurred_at is not None:
            if incident.occurred_at > now:
                raise ValidationError(
                    N_("The time it occurred is in the future."), field="occurred_at"
                )
            incident.occurred_unknown = False
    if "occurred_unknown" in fields:
        incident.occurred_unknown = _bool(fields["occurred_unknown"], "occurred_unknown")
        if incident.occurred_unknown:
            incident.occurred_at = None
    if "kinds" in fields:
        kinds = fields["kinds"]
        if not isinstance(kinds, list) or any(k not in vocabulary.LEAK_KINDS for k in kinds):
            raise _bad("kinds", "a list of leak, loss, damage")
        incident.kind_leak = "leak" in kinds
        incident.kind_loss = "loss" in kinds
        incident.kind_damage = "damage" in kinds
    for name, codes in _CODES.items():
        if name in fields:
            value = fields[name]
            if value not in codes:
                raise _bad(name, ", ".join(codes))
            setattr(incident, name, value)
    for name in _TEXTS:
        if name in fields:
            setattr(
                incident,
                name,
                _text(fields[name], name, MAX_LINE if "recipient" in name else MAX_TEXT),
            )
    if "encrypted_exempt" in fields:
        incident.encrypted_exempt = _bool(fields["encrypted_exempt"], "encrypted_exempt")
    if "principal_notified_on" in fields:
        raw = fields["principal_notified_on"]
        incident.principal_notified_on = (
            None if raw in (None, "") else parse_day(raw, "principal_notified_on")
        )
    answers = _answers(incident)
    _set_individuals(incident, fields)
    _set_triggers(incident, fields)
    _check_record(incident, now=now, tz=tz)
    if _answers(incident) != answers:
        # Whoever changes an answer (or the count (iv) follows from) made the assessment.
        services.assessed(incident, actor, now)
    services.schedule(incident, tz, policy)
    services.changed(session, actor, incident, "incident.record", before, now)
    if "items" in fields:
        revise_items(session, actor, incident, fields["items"], now=now)


def _set_aware(
    session: Session,
    actor: Actor,
    incident: Incident,
    fields: Mapping[str, Any],
    *,
    now: datetime,
    tz: ZoneInfo,
    policy: ppc.Policy,
) -> None:
    """Confirm 事態を知った日時 at triage; change it later only with a reason (audited)."""
    aware_at = parse_instant(fields["aware_at"], "aware_at")
    if aware_at > now:
        raise ValidationError(N_("The time you became aware is in the future."), field="aware_at")
    reason = _text(fields.get("aware_reason"), "aware_reason")
    before = services.snapshot(incident)
    if incident.aware_confirmed_at is None:
        action = "incident.triage"
    elif aware_at == incident.aware_at:
        return
    else:
        # All deadlines run from this instant: moving it needs a reason on record.
        if not reason:
            raise ValidationError(
                N_("Say why the time the company became aware is changed."),
                field="aware_reason",
            )
        action = "incident.aware_at"
    incident.aware_at = aware_at
    incident.aware_confirmed_at, incident.aware_confirmed_by_id = now, actor.id
    services.schedule(incident, tz, policy)
    services.changed(session, actor, incident, action, before, now, reason=reason)


def _answers(incident: Incident) -> tuple[bool | None, ...]:
    return tuple(getattr(incident, column) for column in TRIGGERS.values())


def _set_individuals(incident: Incident, fields: Mapping[str, Any]) -> None:
    if "individuals" in fields and fields["individuals"] is not None:
        incident.individuals = _count(fields["individuals"], "individuals")
        incident.individuals_estimated = False
        incident.individuals_low = incident.individuals_high = None
    elif "individuals" in fields:
        incident.individuals = None
    estimate = fields.get("individuals_estimate")
    if estimate is not None:
        if not isinstance(estimate, Mapping):
            raise _bad("individuals_estimate", '{"low": n, "high": n}')
        low = _count(estimate.get("low"), "individuals_estimate")
        high = _count(estimate.get("high"), "individuals_estimate")
        if low > high:
            raise ValidationError(
                N_("The lower end of the estimate is above its upper end."),
                field="individuals_estimate",
            )
        incident.individuals = None
        incident.individuals_estimated = True
        incident.individuals_low, incident.individuals_high = low, high


def _set_triggers(incident: Incident, fields: Mapping[str, Any]) -> None:
    triggers = fields.get("triggers")
    if triggers is None:
        triggers = {}
    if not isinstance(triggers, Mapping):
        raise _bad("triggers", '{"sensitive": bool, "financial": bool, ...}')
    for name in triggers:
        if name not in TRIGGERS:
            raise ValidationError(N_("Unknown field %(name)s."), field="triggers", name=name)
    for name, column in TRIGGERS.items():
        if name in triggers and name != "over_1000":
            value = triggers[name]
            setattr(incident, column, None if value is None else _bool(value, name))
    explicit = triggers.get("over_1000")
    if explicit is not None:
        explicit = _bool(explicit, "over_1000")
    if services.individuals_upper(incident) is not None:
        # (iv) follows from the number of individuals once it is recorded.
        incident.over_1000_people = services.check_over_1000(incident, explicit)
    elif "over_1000" in triggers:
        incident.over_1000_people = explicit


def _check_record(incident: Incident, *, now: datetime, tz: ZoneInfo) -> None:
    """Rules across fields: what needs an explanation."""
    if incident.personal_data in ("no", "unknown") and not incident.personal_data_reason:
        raise ValidationError(
            N_("Say why personal data is not, or may not be, involved."),
            field="personal_data_reason",
        )
    if incident.encrypted_exempt and not incident.encryption_note:
        raise ValidationError(
            N_("Explain the advanced encryption or other measure that protects the individuals."),
            field="encryption_note",
        )
    if incident.entrustment != "contractor":
        incident.principal_notified_on, incident.principal_recipient = None, ""
    if incident.principal_notified_on is not None:
        if incident.principal_notified_on > local_date(now, tz):
            raise ValidationError(N_("The date is in the future."), field="principal_notified_on")
        if not incident.principal_recipient:
            raise ValidationError(
                N_("Name who at the entrusting business was notified."),
                field="principal_recipient",
            )


def revise_items(
    session: Session,
    actor: Actor,
    incident: Incident,
    items: Any,
    *,
    now: datetime,
) -> list[ReportItemVersion]:
    """A new version of each report item (規則8条1項) whose text changed; all kept."""
    services.check(actor, incident)
    if not isinstance(items, Mapping):
        raise _bad("items", "{" + ", ".join(f'"{i}": text' for i in REPORT_ITEMS[:2]) + ", …}")
    current = incident.items()
    added = []
    for code, raw in items.items():
        if code not in REPORT_ITEMS:
            raise ValidationError(N_("Unknown field %(name)s."), field="items", name=code)
        text = _text(raw, code)
        previous = current.get(code)
        if (previous.text if previous else "") == text:
            continue
        version = ReportItemVersion(
            incident=incident,
            item=code,
            version=(previous.version + 1) if previous else 1,
            text=text,
            written_by_id=actor.id,
            written_at=now,
        )
        session.add(version)
        added.append(version)
        session.flush()
        audit.record(
            session,
            actor,
            "incident.item",
            now=now,
            object_type="incident",
            object_id=incident.id,
            details={
                "item": code,
                "version": version.version,
                "before": previous.text if previous else None,
                "after": text,
            },
        )
    if added:
        incident.updated_at = now
    return added


def record_filing(
    session: Session,
    actor: Actor,
    incident: Incident,
    *,
    kind: str,
    filed_on: date,
    destination: str = "ppc",
    authority: str = "",
    receipt_number: str = "",
    voluntary_reason: str = "",
    now: datetime,
    tz: ZoneInfo,
) -> Filing:
    """Record a report made to the PPC or the ministry it delegated to.

    A report made although the assessment does not require one is voluntary and needs a reason.
    Filings are never removed: a 速報 made before the facts turned out not reportable stays.
    """
    before = services.check(actor, incident)
    if kind not in FILING_KINDS:
        raise ValidationError(N_("Unknown kind of report %(kind)s."), field="kind", kind=kind)
    if destination not in FILING_DESTINATIONS:
        raise _bad("destination", ", ".join(FILING_DESTINATIONS))
    authority = _text(authority, "authority", MAX_LINE)
    receipt_number = _text(receipt_number, "receipt_number", 100)
    voluntary_reason = _text(voluntary_reason, "voluntary_reason")
    if destination == "ministry" and not authority:
        raise ValidationError(
            N_("Name the ministry the PPC delegated its authority to."), field="authority"
        )
    if filed_on > local_date(now, tz):
        raise ValidationError(N_("The report date is in the future."), field="filed_on")
    if filed_on < local_date(incident.aware_at, tz):
        raise ValidationError(
            N_("The report date is before the company became aware."), field="filed_on"
        )
    voluntary = not services.report_required(incident)
    if voluntary and not voluntary_reason:
        raise ValidationError(
            N_("The assessment does not require a report; say why it is reported voluntarily."),
            field="voluntary_reason",
        )
    first = incident.preliminary_reported_on
    final = incident.final_reported_on
    if kind == "final" and first is None:
        raise ValidationError(N_("Record the preliminary report first."), field="kind")
    if kind == "final" and filed_on < first:  # type: ignore[operator]
        raise ValidationError(
            N_("The final report cannot precede the preliminary report."), field="filed_on"
        )
    if kind == "supplement" and final is None:
        raise ValidationError(
            N_("A supplement follows the final report; record the final report first."),
            field="kind",
        )
    if kind in ("preliminary", "combined") and final is not None and filed_on > final:
        raise ValidationError(
            N_("The final report cannot precede the preliminary report."), field="filed_on"
        )
    filing = Filing(
        incident=incident,
        kind=kind,
        destination=destination,
        authority=authority if destination == "ministry" else "",
        receipt_number=receipt_number,
        filed_on=filed_on,
        voluntary=voluntary,
        voluntary_reason=voluntary_reason if voluntary else "",
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    session.add(filing)
    if kind in ("preliminary", "combined") and (first is None or filed_on < first):
        incident.preliminary_reported_on = filed_on
    if kind in ("final", "combined") and (final is None or filed_on < final):
        incident.final_reported_on = filed_on
    session.flush()
    services.changed(
        session,
        actor,
        incident,
        "incident.filing",
        before,
        now,
        filing=filing_json(filing),
    )
    if services.snapshot(incident) == before:
        # A supplement changes no date of the incident; it is audited all the same.
        audit.record(
            session,
            actor,
            "incident.filing",
            now=now,
            object_type="incident",
            object_id=incident.id,
            details={"filing": filing_json(filing)},
        )
    return filing


def filing_json(filing: Filing) -> dict[str, Any]:
    """A filing as the API and the audit trail show it."""
    return {
        "id": filing.id,
        "kind": filing.kind,
        "reported_at": filing.filed_on.isoformat(),
        "destination": filing.destination,
        "authority": filing.authority,
        "receipt_number": filing.receipt_number,
        "voluntary": filing.voluntary,
        "voluntary_reason": filing.voluntary_reason,
    }


def record_notification(
    session: Session,
    actor: Actor,
    incident: Incident,
    way: str,
    *,
    notified_on: date | None = None,
    method: str = "",
    content: str = "",
    published_on: date | None = None,
    where: str = "",
    inquiry_desk: str = "",
    now: datetime,
    tz: ZoneInfo,
) -> None:
    """Record 本人通知 (date, method, what was said), or 通知困難 with the 代替措置 taken."""
    before = services.check(actor, incident)
    if way not in NOTIFICATION_WAYS:
        raise _bad("way", ", ".join(NOTIFICATION_WAYS))
    today = local_date(now, tz)
    if way == "notified":
        method, content = _text(method, "method", MAX_LINE), _text(content, "content")
        if notified_on is None:
            raise ValidationError(
                N_("Enter the date the individuals were notified."), field="notified_on"
            )
        if not method:
            raise ValidationError(N_("Say how the individuals were notified."), field="method")
        if not content:
            raise ValidationError(N_("Say what the individuals were told."), field="content")
        day, field = notified_on, "notified_on"
        incident.notified_on, incident.notification_method = notified_on, method
        incident.notification_content = content
        incident.alternative_published_on, incident.alternative_where = None, ""
        incident.inquiry_desk = _text(inquiry_desk, "inquiry_desk")
    else:
        where, inquiry_desk = _text(where, "where"), _text(inquiry_desk, "inquiry_desk")
        if published_on is None:
            raise ValidationError(N_("Enter the date it was published."), field="published_on")
        if not where:
            raise ValidationError(N_("Say where it was published."), field="where")
        if not inquiry_desk:
            raise ValidationError(
                N_("Name the inquiry desk the individuals can contact."), field="inquiry_desk"
            )
        day, field = published_on, "published_on"
        incident.alternative_published_on, incident.alternative_where = published_on, where
        incident.inquiry_desk = inquiry_desk
        incident.notified_on, incident.notification_method = None, ""
        incident.notification_content = ""
    if day > today:
        raise ValidationError(N_("The date is in the future."), field=field)
    incident.notification = way
    services.changed(session, actor, incident, "incident.notification", before, now)
