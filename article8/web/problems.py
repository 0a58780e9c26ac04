"""File problems in the user's language: one renderer for every import page, the API and the CLI.

A :class:`~article8.core.tabular.Problem` carries structured fields (file, sheet, line, column,
code, expected, found); the place is said from those fields and the problem from its phrase, or,
where a domain rule gave plain English, from its code and fields when they say enough.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext, ngettext

from article8.core.errors import N_, DomainError, Phrase
from article8.core.tabular import Code, Problem, TableError

# Said from the code and the fields when the problem's own message is plain English text.
_BY_CODE = {
    Code.VALUE: N_("expected %(expected)s, found %(found)s"),
    Code.WIDTH: N_("has %(found)s values; the header has %(expected)s"),
    Code.HEADER: N_("expected the columns %(expected)s; found %(found)s"),
    Code.DUPLICATE_COLUMN: N_("column %(found)s appears twice"),
    Code.ENCODING: N_("is not text in UTF-8 or CP932 (Shift_JIS)"),
}


def phrase(message: str | Phrase) -> str:
    """A phrase in the user's language, the phrases it is made of included; text as it is."""
    if not isinstance(message, Phrase):
        return message
    params = {
        name: phrase(value) if isinstance(value, Phrase) else value
        for name, value in message.params.items()
    }
    return gettext(message.template, **params)


def place(problem: Problem) -> str:
    """Where the problem is: the file, then the sheet, the line or row, and the column."""
    where = None
    if problem.sheet is not None:
        if problem.line is not None:
            where = gettext("sheet %(sheet)s, row %(line)d", sheet=problem.sheet, line=problem.line)
        else:
            where = gettext("sheet %(sheet)s", sheet=problem.sheet)
    elif problem.line is not None:
        where = gettext("line %(line)d", line=problem.line)
    said = problem.file
    if where is not None:
        said = gettext("%(file)s: %(where)s", file=said, where=where)
    if problem.column:
        if problem.part == "field":
            part = gettext("field %(name)s", name=problem.column)
        else:
            part = gettext("column %(name)s", name=problem.column)
        said = gettext("%(place)s, %(part)s", place=said, part=part)
    return said


def what(problem: Problem) -> str:
    """What is wrong, without the place."""
    if isinstance(problem.message, Phrase):
        return phrase(problem.message)
    template = _BY_CODE.get(problem.code)
    if template is not None and (problem.code is Code.ENCODING or problem.expected is not None):
        found = problem.found if problem.found else gettext("nothing")
        return gettext(template, expected=problem.expected or "", found=found)
    return problem.message


def describe(problem: Problem) -> str:
    """The whole message: place and problem, in the user's language."""
    return gettext("%(place)s: %(problem)s", place=place(problem), problem=what(problem))


@dataclass(frozen=True)
class Refusal:
    """Why a file was refused, for a page: one message, or a summary and every problem listed."""

    summary: str
    problems: list[str] = field(default_factory=list)


def refusal(error: DomainError) -> Refusal:
    """The refusal of an import in the user's language; a file's problems are listed."""
    if not isinstance(error, TableError):
        return Refusal(phrase(Phrase(error.template, **error.params)))
    if error.total == 1:
        return Refusal(describe(error.detail))
    return Refusal(count(error), [describe(problem) for problem in error.problems])


def count(error: TableError) -> str:
    """How many problems the file has, that nothing was stored, and how many are listed."""
    said = ngettext(
        "%(num)d problem was found; nothing was stored.",
        "%(num)d problems were found; nothing was stored.",
        error.total,
    )
    if error.total > len(error.problems):
        said += " " + gettext("The first %(listed)d are listed.", listed=len(error.problems))
    return said
