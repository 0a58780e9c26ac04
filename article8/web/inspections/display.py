"""How an inspection's checklist is shown: its questions with their answers."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import request
from flask_babel import gettext as _

from article8.controls.catalogue.models import ChecklistItem
from article8.controls.inspections import services as workflow
from article8.controls.inspections.models import Inspection
from article8.core.errors import DomainError
from article8.web.context import lang
from article8.web.inspections.forms import (
    MAX_COMMENT,
)


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
