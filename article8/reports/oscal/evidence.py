"""Evidence files as OSCAL back-matter resources, each rlink carrying the file's SHA-256.

An observation's relevant-evidence points at the resource (``#uuid``); the resource's rlink
points at the file's download page and holds its digest in OSCAL's ``hashes`` field, so a
reader can check a delivered copy without article8's own props.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.controls.inspections.models import Inspection
from article8.evidence.models import EvidenceItem
from article8.reports.oscal.document import one_line, props, stable_uuid
from article8.reports.period import Period
from article8.reports.queries import due_in


@dataclass
class Evidence:
    """The evidence of a period's inspections: the back-matter resources by their href, and the
    relevant-evidence entries pointing at them by inspection."""

    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    examined: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


def period_evidence(session: Session, period: Period, base_url: str) -> Evidence:
    """The evidence attached to the inspections due in ``period`` (withdrawn files left out),
    download links starting with ``base_url``."""
    found = Evidence()
    for item in session.scalars(
        select(EvidenceItem)
        .join(Inspection, Inspection.id == EvidenceItem.inspection_id)
        .where(due_in(period), EvidenceItem.status != "withdrawn")
        .order_by(EvidenceItem.id)
    ):
        assert item.inspection_id is not None
        title = one_line(item.title) or item.original_name
        # OSCAL's own place for a file's digest: the hashes of the resource's rlink.
        rlink: dict[str, Any] = {
            "href": f"{base_url.rstrip('/')}/evidence/{item.id}/download",
            "media-type": one_line(item.media_type),
            "hashes": [{"algorithm": "SHA-256", "value": item.sha256}],
        }
        if not rlink["media-type"]:
            del rlink["media-type"]
        resource = {
            "uuid": stable_uuid("resource", "evidence", item.id),
            "title": title,
            "props": props(
                ("evidence-id", item.id),
                ("file", item.original_name),
                ("collected-on", item.collected_on),
                ("evidence-status", item.status),
            ),
            "rlinks": [rlink],
        }
        href = f"#{resource['uuid']}"
        found.resources[href] = resource
        found.examined.setdefault(item.inspection_id, []).append(
            {"href": href, "description": title, "props": props(("evidence-id", item.id))}
        )
    return found
