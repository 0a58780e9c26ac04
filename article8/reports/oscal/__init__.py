"""OSCAL 1.1 exports: the control catalogue as a catalog, the inspection schedule as an
assessment plan, a period's inspections as assessment results.

Language: titles and prose are in the chosen language (``en`` or ``ja``); the other language
rides along in namespaced props (``title-ja``, ``prose-ja`` or ``…-en``), so one file carries
both without inventing parts that OSCAL tools would render as content.

Identifiers are reproducible (see :mod:`.document`): only ``last-modified`` differs between two
exports of the same data. What the workbook shows too (the catalogue version, the inspections due
in a period) comes from :mod:`article8.reports.queries`, never from the workbook.
"""

from __future__ import annotations

from article8.reports.oscal.bundle import documents, write_documents
from article8.reports.oscal.controls import catalog
from article8.reports.oscal.document import (
    CATALOG_FILE,
    DEFAULT_ORGANISATION,
    PLAN_FILE,
    RESULTS_FILE,
    control_id,
    stable_uuid,
    write_json,
)
from article8.reports.oscal.plan import assessment_plan
from article8.reports.oscal.results import assessment_results

__all__ = [
    "CATALOG_FILE",
    "DEFAULT_ORGANISATION",
    "PLAN_FILE",
    "RESULTS_FILE",
    "assessment_plan",
    "assessment_results",
    "catalog",
    "control_id",
    "documents",
    "stable_uuid",
    "write_documents",
    "write_json",
]
