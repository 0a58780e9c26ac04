"""The policy-versions sheet: every version of the privacy policy known by the end of the period,
with its hash, publication and the required matters it does not publish (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from article8.core.errors import N_
from article8.core.vocabulary import PUBLICATION_MATTERS
from article8.privacy.policies.queries import versions
from article8.reports.workbook.table import Column, Context, TableSheet


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per version that took effect by the end of the period, oldest first."""
    _ = context.translate
    found = [v for v in versions(context.session) if v.effective_on <= context.period.end]
    for version in reversed(found):
        yield (
            version.label,
            version.effective_on,
            version.approved_by,
            version.published_on,
            version.publication_method,
            version.summary,
            len(version.purpose_changes),
            "\n".join(PUBLICATION_MATTERS.translated(code, _) for code in version.gaps),
            version.sha256,
        )


SHEET = TableSheet(
    N_("Policy versions"),
    (
        Column(N_("Version"), 12),
        Column(N_("Effective from"), 12, "date"),
        Column(N_("Approved by"), 20),
        Column(N_("Published"), 12, "date"),
        Column(N_("How published"), 20),
        Column(N_("Summary of the changes"), 36),
        Column(N_("Purpose changes"), 10, "int"),
        Column(N_("Matters not published"), 36),
        Column(N_("SHA-256 of the text"), 66),
    ),
    rows,
    holds=N_("Each privacy-policy version: hash, approval, publication, matters not published"),
    scope=N_("Versions in effect by the end of the period"),
)
