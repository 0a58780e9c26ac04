"""Errors of the inspection workflow."""

from __future__ import annotations

from collections.abc import Mapping

from article8.core.errors import N_, ValidationError


class ChecklistIncomplete(ValidationError):
    """A submission was refused: every question that is not ready, each with its own error.

    The message counts the unanswered questions (or, when all are answered, the failed ones
    without a comment); ``problems`` maps each checklist item's id to what is wrong with it, so
    that a page marks every question at once. ``field`` names the first one.
    """

    def __init__(self, problems: Mapping[int, ValidationError], *, unanswered: int, total: int):
        if unanswered:
            template = N_("Questions not answered yet: %(count)d of %(total)d.")
            count = unanswered
        else:
            template = N_("Failed questions without a comment: %(count)d.")
            count = len(problems)
        first = next(iter(problems))
        super().__init__(template, field=f"item-{first}", count=count, total=total)
        self.problems = dict(problems)
