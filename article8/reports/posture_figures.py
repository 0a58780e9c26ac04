"""The figures of the responsible person's dashboard, as plain values for any front end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from article8.core.vocabulary import SEVERITIES

SEVERITY_ORDER = tuple(reversed(SEVERITIES.codes))  # the gravest first
HEAT_STATES = ("pass", "fail", "missed", "open", "none")
# The posture of a control, from its inspection for the current period.
POSTURE_STATES = ("passed", "failed", "overdue", "missed", "in_review", "not_due")


@dataclass(frozen=True)
class Ages:
    """Counts by age in days: 0–7, 8–30 and more than 30."""

    d0_7: int = 0
    d8_30: int = 0
    over_30: int = 0

    @property
    def total(self) -> int:
        """All ages together."""
        return self.d0_7 + self.d8_30 + self.over_30


@dataclass(frozen=True)
class Posture:
    """Active controls of a category (or all, ``category == ""``) by their current inspection.

    The current inspection of a control is the one of the latest period whose inspection has
    opened (by its opening day). ``overdue``: work still owed after the due date, on the current
    inspection or an earlier one; otherwise by the current inspection: ``passed``: approved with
    every item passed; ``failed``: approved with a failed item; ``in_review``: submitted,
    awaiting approval; ``missed``: marked missed; ``not_due``: work owed but not yet due, or no
    inspection has opened yet.
    """

    category: str
    controls: int = 0
    passed: int = 0
    failed: int = 0
    overdue: int = 0
    missed: int = 0
    in_review: int = 0
    not_due: int = 0

    @property
    def share(self) -> float | None:
        """The share of controls whose current inspection was approved and passed."""
        return self.passed / self.controls if self.controls else None


@dataclass(frozen=True)
class OnTime:
    """Timeliness of the inspections due from ``start`` to ``end`` (the last 12 months).

    ``on_time``: submitted (and now submitted or approved) on or before the due date, by the
    local date of the latest submission; ``late``: submitted after it; ``missed``: marked missed.
    Inspections still being worked on are left out until they are submitted or missed. The rate
    is on_time / (on_time + late + missed).
    """

    start: date
    end: date
    on_time: int = 0
    late: int = 0
    missed: int = 0

    @property
    def settled(self) -> int:
        """Inspections counted: submitted or missed."""
        return self.on_time + self.late + self.missed

    @property
    def rate(self) -> float | None:
        """The on-time share, or None when nothing was due."""
        return self.on_time / self.settled if self.settled else None


@dataclass(frozen=True)
class MonthTrend:
    """Inspections due in one calendar month, by outcome (``open``: not approved nor missed)."""

    start: date
    end: date
    passed: int = 0
    failed: int = 0
    missed: int = 0
    open: int = 0

    @property
    def total(self) -> int:
        """All inspections due in the month."""
        return self.passed + self.failed + self.missed + self.open


@dataclass(frozen=True)
class HeatCell:
    """A control's inspection covering one month: pass, fail, missed, open or none.

    ``none``: no inspection covers the month, or the one that does has not opened yet.
    """

    month: date
    state: str
    status: str | None = None
    inspection_id: int | None = None
    period_label: str | None = None
    period_start: date | None = None
    period_end: date | None = None


@dataclass(frozen=True)
class HeatRow:
    """One control's row of the heat map."""

    code: str
    category: str
    title_en: str
    title_ja: str
    cells: tuple[HeatCell, ...]

    def title(self, locale: str) -> str:
        """The control's title in ``locale``."""
        return self.title_ja if locale == "ja" else self.title_en


@dataclass(frozen=True)
class EvidenceGap:
    """An active control without evidence in force: none at all ("missing") or only expired."""

    code: str
    title_en: str
    title_ja: str
    reason: str

    def title(self, locale: str) -> str:
        """The control's title in ``locale``."""
        return self.title_ja if locale == "ja" else self.title_en


@dataclass(frozen=True)
class IncidentDeadline:
    """An open incident and its next PPC report deadline (None when none is outstanding)."""

    id: int
    title: str
    status: str
    reportable: bool | None
    deadline: str | None
    due_on: date | None
    overdue: bool


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows, for one local day (and, for a past view, one instant)."""

    today: date
    as_of: datetime | None
    categories: tuple[Posture, ...]
    overall: Posture
    on_time: OnTime
    overdue: Ages
    upcoming: int
    upcoming_until: date
    trend: tuple[MonthTrend, ...]
    heat_map: tuple[HeatRow, ...]
    findings: dict[str, Ages] = field(default_factory=dict)
    actions: dict[str, Ages] = field(default_factory=dict)
    overdue_actions: int = 0
    evidence_expiring: int = 0
    evidence_expired: int = 0
    expiring_days: int = 30
    evidence_gaps: tuple[EvidenceGap, ...] = ()
    anomalies: dict[str, int] = field(default_factory=dict)
    incidents: tuple[IncidentDeadline, ...] = ()

    @property
    def open_findings(self) -> int:
        """Findings still being worked on."""
        return sum(ages.total for ages in self.findings.values())

    @property
    def open_actions(self) -> int:
        """Corrective actions not yet resolved."""
        return sum(ages.total for ages in self.actions.values())

    @property
    def new_anomalies(self) -> int:
        """Anomalies awaiting triage."""
        return sum(self.anomalies.values())

    @property
    def overdue_incidents(self) -> int:
        """Open incidents past a PPC report deadline."""
        return sum(1 for incident in self.incidents if incident.overdue)
