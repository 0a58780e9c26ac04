"""Errors of the controls package."""

from __future__ import annotations

from typing import TYPE_CHECKING

from article8.core.errors import DomainError, Phrase

if TYPE_CHECKING:
    from article8.core.tabular import Problem


class CatalogueError(DomainError):
    """A catalogue file is malformed; names the file, the control and the field at fault."""

    def __init__(
        self,
        file: str,
        problem: str | Phrase,
        *,
        code: str | None = None,
        field: str | None = None,
        detail: Problem | None = None,
    ) -> None:
        where = file
        if code:
            where += f": control {code}"
        if field:
            where += f": field {field}"
        super().__init__("%(where)s: %(problem)s", where=where, problem=problem)
        self.file, self.code, self.field = file, code, field
        # Where a workbook cell is at fault: the structured problem (sheet, row, column).
        self.detail = detail
