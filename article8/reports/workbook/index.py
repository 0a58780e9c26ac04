"""The index sheet: each sheet of the workbook, what it holds, and which records it covers.

Each sheet states what it holds and its scope (``holds`` and ``scope``, message ids); the index
lists them in the order of the registry, and the cover and the index state the one rule they
follow (:func:`scoping_rule`).
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from article8.core.errors import N_
from article8.reports.workbook.table import Column, Context, Table, scope_line, write_table

SCOPING_RULE = N_(
    "Inspections: those whose period overlaps the range. Findings, corrective actions, "
    "anomalies and incidents: those open at any time in the range (one closed before the range "
    "began, or raised after it ended, is left out). Evidence: items in force at some time in "
    "the range and items linked to its inspections. Audit events and access-log imports: those "
    "of the range. Counts on the cover and the summary: as at %(as_at)s, the end of the range "
    "(or generation, when the range ends later). Days are local days in %(zone)s."
)
TITLE = N_("Index")
HOLDS = N_("This list, and the rule every sheet follows")
SCOPE = N_("Every sheet")


def scoping_rule(context: Context) -> str:
    """The one scoping rule of the workbook, in the edition's language."""
    as_at = context.as_at.astimezone(context.timezone).strftime("%Y-%m-%d %H:%M")
    return context.translate(SCOPING_RULE) % {"as_at": as_at, "zone": context.timezone.key}


def entries(context: Context) -> list[tuple[str, str, str]]:
    """(title, what it holds, scope) of every sheet, translated, in order."""
    _ = context.translate
    found = []
    for sheet in context.sheets:
        sheet_any: Any = sheet
        title, holds, scope = (getattr(sheet_any, a, "") for a in ("title", "holds", "scope"))
        if title:
            found.append((_(title), _(holds) if holds else "", _(scope) if scope else ""))
    return found


class Index:
    """The second sheet: a table of the sheets; its rows are not counted."""

    title = TITLE
    holds = HOLDS
    scope = SCOPE

    def write(self, workbook: Workbook, context: Context) -> dict[str, int]:
        """Add the index, with the scoping rule in its title block."""
        _ = context.translate
        table = Table(
            _(TITLE),
            [Column(_("Sheet"), 20), Column(_("What it holds"), 60), Column(_("Scope"), 44)],
            context.timezone,
            _,
            context.style,
            scope=scope_line(context, SCOPE) + "\n" + scoping_rule(context),
        )
        write_table(workbook, table, entries(context))
        return {}


SHEET = Index()
