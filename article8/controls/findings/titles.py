"""A finding's title in the reader's language, computed when it is shown.

Findings made by the product keep the title they were stored with (English words and codes, e.g.
``TEC-05 FY2025 Q1 Q3`` or ``leaver_access: E002 2026-11-26``); pages and reports show the title
rebuilt from the finding's structured fields instead, so no stored English or internal code
reaches a Japanese reader.
"""

from __future__ import annotations

import re

from article8.controls.findings.models import Finding
from article8.core.errors import N_
from article8.core.period_labels import Translate, period_label
from article8.core.vocabulary import RULES

FAILED_QUESTION = N_("%(code)s %(period)s, question %(number)d")
ANOMALY = N_("%(rule)s: %(subject)s")
# What access triage stores: "<rule code>: <person>[ <area>] <local date>".
_ANOMALY_TITLE = re.compile(r"^(?P<rule>[a-z_]+): (?P<subject>.+)$")


def finding_title(finding: Finding, translate: Translate, fy_start_month: int = 4) -> str:
    """The title of ``finding`` in the reader's language (``translate`` is a gettext)."""
    inspection, item = finding.inspection, finding.item
    if finding.source == "inspection" and inspection is not None and item is not None:
        period = period_label(
            inspection.period_start, inspection.period_end, translate, fy_start_month
        )
        return translate(
            FAILED_QUESTION, code=finding.control.code, period=period, number=item.position
        )
    match = _ANOMALY_TITLE.match(finding.title)
    if finding.source == "anomaly" and match and match["rule"] in RULES:
        rule = RULES.translated(match["rule"], translate)
        return translate(ANOMALY, rule=rule, subject=match["subject"])
    return finding.title
