"""How inspections are shown: names and colours of states, questions with their answers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import request
from flask_babel import gettext as _

from article8.controls.catalogue.models import ChecklistItem
from article8.controls.inspections import services as workflow
from article8.controls.inspections.models import Inspection
from article8.core.errors import DomainError
from article8.web.access.forms import (
    ANOMALY_STATUS_BADGES,
    ANOMALY_STATUS_NAMES,
    AUTHORISATION_KIND_NAMES,
    KIND_NAMES,
)
from article8.web.context import lang
from article8.web.incidents.forms import (
    DEADLINE_STATE_BADGES,
    DEADLINE_STATE_NAMES,
    INCIDENT_STATUS_BADGES,
    INCIDENT_STATUS_NAMES,
)
from article8.web.inspections.forms import (
    ANSWER_BADGES,
    ANSWER_NAMES,
    INSPECTION_STATUS_BADGES,
    INSPECTION_STATUS_NAMES,
    MAX_COMMENT,
    SEVERITY_BADGES,
    SEVERITY_NAMES,
    WORK_STATUS_BADGES,
    WORK_STATUS_NAMES,
)

VOCABULARIES: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "inspection": (INSPECTION_STATUS_NAMES, INSPECTION_STATUS_BADGES),
    "answer": (ANSWER_NAMES, ANSWER_BADGES),
    "severity": (SEVERITY_NAMES, SEVERITY_BADGES),
    "work": (WORK_STATUS_NAMES, WORK_STATUS_BADGES),
    "anomaly": (ANOMALY_STATUS_NAMES, ANOMALY_STATUS_BADGES),
    "incident": (INCIDENT_STATUS_NAMES, INCIDENT_STATUS_BADGES),
    "deadline": (DEADLINE_STATE_NAMES, DEADLINE_STATE_BADGES),
    "log_kind": (KIND_NAMES, {}),
    "authorisation_kind": (AUTHORISATION_KIND_NAMES, {}),
}


def label(value: str | None, vocabulary: str) -> str:
    """A state, answer or severity in the user's language."""
    return str(VOCABULARIES[vocabulary][0].get(value or "", value or ""))


def tone(value: str | None, vocabulary: str) -> str:
    """The badge colour of a state, answer or severity."""
    return VOCABULARIES[vocabulary][1].get(value or "", "secondary")


@dataclass(frozen=True)
class Question:
    """One checklist question as the page shows it: its answer so far and any error."""

    item_id: int | None
    position: int
    text: str
    other_text: str
    answer: str
    comment: str
    error: str | None = None


Posted = dict[int, tuple[str, str]]


def checklist_items(inspection: Inspection) -> list[ChecklistItem]:
    """The questions: the fixed revision, or the control's current one before work starts."""
    revision = inspection.revision or inspection.control.current_revision
    return list(revision.items) if revision else []


def questions(
    inspection: Inspection, posted: Posted | None, errors: dict[int, str]
) -> list[Question]:
    """The questions in the user's language with the posted, stored or approved answers."""
    language = lang()
    other = "en" if language == "ja" else "ja"
    if inspection.status == "approved" and inspection.snapshot:
        # Approved inspections show what was approved, whatever the catalogue says today.
        snapshot = json.loads(inspection.snapshot)
        return [
            Question(None, i["position"], i[language], i[other], i["answer"], i["comment"])
            for i in snapshot["items"]
        ]
    stored = {a.item_id: (a.answer, a.comment) for a in inspection.answers}
    given = posted if posted is not None else stored
    return [
        Question(
            item.id,
            item.position,
            item.text(language),
            item.text(other),
            *given.get(item.id, ("", "")),
            error=errors.get(item.id),
        )
        for item in checklist_items(inspection)
    ]


def posted_answers(
    inspection: Inspection,
) -> tuple[dict[int, workflow.AnswerInput], Posted, dict[int, str]]:
    """The answers in the form, what to show again, and per-question input errors."""
    answers: dict[int, workflow.AnswerInput] = {}
    posted: Posted = {}
    errors: dict[int, str] = {}
    for item in checklist_items(inspection):
        answer = request.form.get(f"answer-{item.id}", "")
        comment = request.form.get(f"comment-{item.id}", "")
        posted[item.id] = (answer, comment)
        if len(comment) > MAX_COMMENT:
            errors[item.id] = _("A comment has at most %(count)d characters.", count=MAX_COMMENT)
        elif answer or comment.strip():
            answers[item.id] = workflow.AnswerInput(answer, comment)
    return answers, posted, errors


def failing_item(error: DomainError) -> int | None:
    """The checklist item a service error names (its field is ``item-<id>``), if any."""
    field = getattr(error, "field", None) or ""
    return int(field[5:]) if field.startswith("item-") and field[5:].isdigit() else None
