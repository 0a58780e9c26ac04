"""A finding's title is rebuilt in the reader's language; the stored English title is kept."""

from __future__ import annotations

from datetime import date

from article8.controls.catalogue.models import ChecklistItem, Control
from article8.controls.findings.models import Finding
from article8.controls.findings.titles import finding_title
from article8.controls.inspections.models import Inspection
from article8.core.i18n import translator

JA = translator("ja")
EN = translator("en")


def failed_question(start: date, end: date, position: int) -> Finding:
    return Finding(
        source="inspection",
        title="stored when the inspection was approved",
        control=Control(code="TEC-05"),
        inspection=Inspection(period_start=start, period_end=end),
        item=ChecklistItem(position=position),
    )


def test_a_failed_question_names_the_period_in_the_readers_language():
    finding = failed_question(date(2025, 4, 1), date(2025, 6, 30), 3)
    assert finding_title(finding, JA) == "TEC-05 2025年度 第1四半期 質問3"
    assert finding_title(finding, EN) == "TEC-05 FY2025 Q1, question 3"
    monthly = failed_question(date(2026, 11, 1), date(2026, 11, 30), 1)
    assert finding_title(monthly, JA) == "TEC-05 2026年11月 質問1"
    assert monthly.title == "stored when the inspection was approved"


def test_an_escalated_anomaly_names_its_rule_not_the_rule_code():
    finding = Finding(source="anomaly", title="leaver_access: E002 2026-11-26")
    assert finding_title(finding, JA) == "退職後のアクセス: E002 2026-11-26"
    assert finding_title(finding, EN) == "Access after leaving: E002 2026-11-26"


def test_a_title_the_product_did_not_compose_is_shown_as_stored():
    assert finding_title(Finding(source="anomaly", title="no rule here"), JA) == "no rule here"
    assert finding_title(Finding(source="manual", title="bulk_export: x"), JA) == "bulk_export: x"
