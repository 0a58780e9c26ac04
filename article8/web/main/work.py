"""What the home page lists as the signed-in person's work (the read side; no Flask here).

An inspector (anyone who performs inspections) sees their inspections that need them, the
corrective actions they own, the evidence they uploaded that has expired or soon will, and the
open requests from individuals and inquiries assigned to them (their clocks run on); a
responsible person also sees the inspections waiting for review, the anomalies nobody has
triaged yet and the incidents with PPC reports still to make.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.access import queries as access_queries
from article8.access.models import Anomaly
from article8.controls.findings.models import CorrectiveAction
from article8.controls.incidents import queries as incident_queries
from article8.controls.incidents.models import Incident
from article8.controls.inspections import queries as inspection_queries
from article8.controls.inspections.models import Inspection
from article8.evidence import queries as evidence_queries
from article8.evidence.models import EvidenceItem
from article8.privacy.inquiries.models import OPEN_STATES as INQUIRY_OPEN_STATES
from article8.privacy.inquiries.models import Inquiry
from article8.privacy.requests import queries as request_queries
from article8.privacy.requests.models import OPEN_STATES as REQUEST_OPEN_STATES
from article8.privacy.requests.models import PrivacyRequest

# How many of each kind the home page lists; the counts are complete, the lists link onwards.
SHOWN = 5


@dataclass(frozen=True)
class PerformerWork:
    """An inspector's work: inspections by urgency, corrective actions, expiring evidence."""

    inspections: dict[str, list[Inspection]]
    actions: list[CorrectiveAction]
    evidence: list[EvidenceItem]
    # Open requests and inquiries assigned to this person, with their clocks, soonest due first.
    requests: list[tuple[PrivacyRequest, str]] = field(default_factory=list)
    inquiries: list[tuple[Inquiry, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing needs this person."""
        return not (
            any(self.inspections.values())
            or self.actions
            or self.evidence
            or self.requests
            or self.inquiries
        )


@dataclass(frozen=True)
class ReviewerWork:
    """A responsible person's work: the review queue, anomalies to triage, incident deadlines."""

    review_queue: list[Inspection]
    anomalies: list[Anomaly]
    anomaly_count: int
    incidents: list[tuple[Incident, list[incident_queries.Deadline]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing waits for a decision."""
        return not (self.review_queue or self.anomaly_count or self.incidents)


def performer_work(session: Session, user_id: int, today: date) -> PerformerWork:
    """The inspections, corrective actions and evidence that need ``user_id``."""
    mine = inspection_queries.my_inspections(session, user_id, today)
    # Submitted ones wait for someone else; they are on "My inspections", not here.
    urgent = {key: mine[key] for key in ("overdue", "returned", "due_soon", "open")}
    evidence = [
        item
        for freshness in ("expired", "expiring")
        for item in evidence_queries.list_evidence(
            session,
            evidence_queries.EvidenceFilter(uploader_id=user_id, freshness=freshness),
            today,
        )
    ]
    evidence.sort(key=lambda item: (item.valid_until or date.max, item.id))
    requests = session.scalars(
        select(PrivacyRequest)
        .where(PrivacyRequest.owner_id == user_id, PrivacyRequest.state.in_(REQUEST_OPEN_STATES))
        .order_by(PrivacyRequest.target_on, PrivacyRequest.id)
    )
    inquiries = session.scalars(
        select(Inquiry)
        .where(
            Inquiry.owner_id == user_id,
            Inquiry.state.in_(INQUIRY_OPEN_STATES),
            Inquiry.first_reply_at.is_(None),
        )
        .order_by(Inquiry.reply_due_on, Inquiry.id)
    )
    return PerformerWork(
        urgent,
        inspection_queries.actions_owned(session, user_id),
        evidence,
        requests=[(r, request_queries.request_clock(r, today)) for r in requests],
        inquiries=[(i, request_queries.inquiry_clock(i, today)) for i in inquiries],
    )


def reviewer_work(session: Session, today: date) -> ReviewerWork:
    """The decisions waiting for the responsible person."""
    queue = sorted(
        inspection_queries.review_queue(session, today),
        key=lambda i: (i.submitted_at is None, i.submitted_at),
    )
    new = access_queries.AnomalyFilter(status="new")
    incidents = [
        (incident, [d for d in incident_queries.deadlines(incident, today) if d.state != "done"])
        for incident in incident_queries.incident_list(session, today)
        if incident.status != "closed"
    ]
    return ReviewerWork(
        review_queue=queue,
        anomalies=access_queries.anomalies(session, new, limit=SHOWN),
        anomaly_count=access_queries.count_new(session),
        incidents=[(i, pending) for i, pending in incidents if pending or not i.assessed],
    )
