"""A finding's title in the reader's language, computed when it is shown.

Findings made by the product keep the title they were stored with (English words and codes, e.g.
``TEC-05 FY2025 Q1 Q3`` or ``leaver_access: E002 2026-11-26``); pages, mails and reports show the
title rebuilt from the finding's structured fields instead, so no stored English or internal code
reaches a Japanese reader.
"""

from __future__ import annotations

import re
from datetime import date

from article8.controls.findings.models import Finding
from article8.core.errors import N_
from article8.core.period_labels import Translate, period_label
from article8.core.vocabulary import RULES

FAILED_QUESTION = N_("%(code)s %(period)s, question %(number)d")
ANOMALY = N_("%(rule)s: %(subject)s")
# What access triage stores: "<rule code>: <person>[ <area>] <local date>".
_ANOMALY_TITLE = re.compile(r"^(?P<rule>[a-z_]+): (?P<subject>.+)$")


def compose_title(
    *,
    source: str,
    stored: str,
    code: str,
    period: tuple[date, date] | None,
    position: int | None,
    translate: Translate,
    fy_start_month: int = 4,
) -> str:
    """A finding's title from plain values (the read side selects them, no ORM object needed)."""
    if source == "inspection" and period is not None and position is not None:
        name = period_label(*period, translate, fy_start_month)
        return translate(FAILED_QUESTION, code=code, period=name, number=position)
    match = _ANOMALY_TITLE.match(stored)
    if source == "anomaly" and match and match["rule"] in RULES:
        rule = RULES.translated(match["rule"], translate)
        return translate(ANOMALY, rule=rule, subject=match["subject"])
    return stored


def finding_title(finding: Finding, translate: Translate, fy_start_month: int = 4) -> str:
    """The title of ``finding`` in the reader's language (``translate`` is a gettext)."""
    inspection, item = finding.inspection, finding.item
    return compose_title(
        source=finding.source,
        stored=finding.title,
        code=finding.control.code if finding.source == "inspection" else "",
        period=(inspection.period_start, inspection.period_end) if inspection else None,
        position=item.position if item else None,
        translate=translate,
        fy_start_month=fy_start_month,
    )
