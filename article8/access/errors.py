"""Errors of the handler register and the access-log import."""

from __future__ import annotations

from article8.core.errors import N_, DomainError, Phrase


class FileProblem(DomainError):
    """An imported file is malformed; the message names the file, where in it, and the problem."""

    def __init__(
        self,
        file: str,
        problem: str | Phrase,
        *,
        where: str | None = None,
        column: str | None = None,
        part: str = "column",
    ) -> None:
        place = file
        if where:
            place += f": {where}"
        if column:
            # JSON Lines have fields where CSV has columns.
            place += f", {part} {column}"
        super().__init__(N_("%(place)s: %(problem)s"), place=place, problem=problem)
        # ``problem`` stays English text for machine readers (rejects files, the API's field).
        self.file, self.where, self.column, self.problem = file, where, column, str(problem)


class RegisterFileError(FileProblem):
    """A register file (people or authorisations, CSV or XLSX) cannot be imported."""


class AccessLogError(FileProblem):
    """An access-log file cannot be imported; nothing from it was stored."""


class RowProblem(Exception):
    """One log line is invalid: which field, and what is wrong (becomes an AccessLogError)."""

    def __init__(self, field: str | None, problem: str | Phrase) -> None:
        super().__init__(str(problem))
        self.field, self.problem = field, problem
