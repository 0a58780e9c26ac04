"""Errors of the handler register and the access-log import."""

from __future__ import annotations

from datetime import date

from article8.core.errors import N_, DomainError, Phrase
from article8.core.tabular import Code, TableError


class FileProblem(TableError):
    """An imported file is malformed; names the file, the line and column, and the problem."""


class RegisterFileError(FileProblem):
    """A register file (people or authorisations, CSV or XLSX) cannot be imported."""


class AccessLogError(FileProblem):
    """An access-log file cannot be imported; nothing from it was stored."""


class RowProblem(Exception):
    """One log line is invalid: which field, and what is wrong (becomes an AccessLogError)."""

    def __init__(
        self,
        field: str | None,
        problem: str | Phrase,
        code: Code = Code.VALUE,
        *,
        expected: str | None = None,
        found: str | None = None,
    ) -> None:
        super().__init__(str(problem))
        self.field, self.problem, self.code = field, problem, code
        self.expected, self.found = expected, found


class RetentionError(DomainError):
    """A prune would drop events that are still within the retention period."""

    def __init__(self, before: date, limit: date, years: int) -> None:
        super().__init__(
            N_(
                "--before %(before)s is within the retention period of %(years)s years: "
                "events from %(limit)s on must be kept (ARTICLE8_ACCESS_RETENTION_YEARS)"
            ),
            before=before.isoformat(),
            limit=limit.isoformat(),
            years=years,
        )
