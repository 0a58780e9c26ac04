"""Pages name periods and findings in the reader's language, never with a stored English label."""

from __future__ import annotations

from sqlalchemy import select

from article8.controls.findings.models import Finding
from article8.controls.inspections import services as workflow
from article8.core.audit import Actor
from tests.support.inspections import page, performed


def test_a_japanese_reader_sees_japanese_period_names_and_finding_titles(
    session, clock, schedule, signed_in
):
    inspector_client, inspector = signed_in("inspector", locale="ja")
    manager_client, manager = signed_in("responsible", locale="en")
    inspection = performed(session, clock, inspector, fail=1)
    workflow.approve(session, Actor.for_user(manager), inspection, now=clock())
    session.commit()
    finding = session.scalar(select(Finding))
    assert inspection.period_label == "2026-11"  # the stored data stays as it was

    japanese = page(inspector_client, f"/inspections/{inspection.id}")
    assert "ORG-04の点検（2026年11月）" in japanese and "ORG-04 2026年11月 質問1" in japanese
    assert "2026-11" not in japanese.split("<main", 1)[1].split("</h1>", 1)[0]
    assert "ORG-04 2026年11月 質問1" in page(inspector_client, f"/findings/{finding.id}")
    assert "ORG-04 2026年11月 質問1" in page(inspector_client, "/findings/")

    english = page(manager_client, f"/findings/{finding.id}")
    assert "ORG-04 2026-11, question 1" in english and finding.title not in english
