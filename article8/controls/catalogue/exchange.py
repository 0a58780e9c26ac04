"""Catalogue exchange: YAML and XLSX exports, and reading an edited XLSX back.

An export carries every control in the raw catalogue schema plus the organisation's own choices
(owner, active, source), so ``catalogue sync`` of an unedited export changes nothing.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import yaml
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from article8.controls.catalogue.errors import CatalogueError
from article8.controls.catalogue.files import ControlSpec, parse_control
from article8.controls.catalogue.models import ChecklistRevision, Control
from article8.controls.catalogue.services import evidence_expected
from article8.core.errors import Phrase
from article8.core.files import atomic_output
from article8.core.guarded import (
    GuardedWorkbook,
    WorkbookLimits,
    WorkbookRefused,
    control_character,
    open_workbook,
)
from article8.core.models import User
from article8.core.tabular import Code, Columns, Problem, TableError, sheet_rows
from article8.core.xlsx import header_cell, text_cell, unescape_text

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

CONTROL_COLUMNS = (
    "code",
    "category",
    "title_en",
    "title_ja",
    "description_en",
    "description_ja",
    "article8_clauses",
    "article8_explicit",
    "ppc_ref",
    "ppc_headings",
    "iso27001",
    "frequency",
    "owner",
    "active",
    "source",
)
ITEM_COLUMNS = ("code", "position", "en", "ja")
# The two lists of {en, ja} texts get a sheet each, one row per item.
ITEM_SHEETS = ("checklist", "evidence_expected")
SHEETS = {"controls": CONTROL_COLUMNS, "checklist": ITEM_COLUMNS, "evidence_expected": ITEM_COLUMNS}
LIST_SEPARATOR = ";"
# Columns of prose, which may hold TAB and line breaks (an export writes them as they are).
FREE_TEXT = frozenset(("title_en", "title_ja", "description_en", "description_ja", "en", "ja"))
_LISTS = ("article8_clauses", "ppc_headings", "iso27001")
_BILINGUAL = ("title", "description")
_WIDTHS = {
    "code": 10,
    "category": 22,
    "title_en": 40,
    "title_ja": 40,
    "description_en": 60,
    "description_ja": 60,
    "article8_clauses": 16,
    "article8_explicit": 16,
    "ppc_ref": 24,
    "ppc_headings": 16,
    "iso27001": 28,
    "frequency": 12,
    "owner": 28,
    "active": 9,
    "source": 11,
    "position": 9,
    "en": 80,
    "ja": 80,
}


# --- export ----------------------------------------------------------------------------------


def export_yaml(session: Session, out: Path) -> None:
    """Write the catalogue as YAML that `catalogue sync` reads back."""
    document = {"controls": list(_raw_controls(session))}
    with _output(out) as handle:
        yaml.safe_dump(
            document,
            handle,
            encoding="utf-8",
            allow_unicode=True,
            sort_keys=False,
            width=100,
        )


def export_xlsx(session: Session, out: Path) -> None:
    """Write the catalogue as an XLSX workbook that `catalogue sync` reads back."""
    workbook = Workbook(write_only=True)
    sheets = {name: _start_sheet(workbook, name, columns) for name, columns in SHEETS.items()}
    rows = dict.fromkeys(SHEETS, 1)
    for raw in _raw_controls(session):
        controls = sheets["controls"]
        flat = _flatten(raw)
        controls.append([_cell(controls, flat[column]) for column in CONTROL_COLUMNS])
        rows["controls"] += 1
        for name in ITEM_SHEETS:
            ws = sheets[name]
            for position, item in enumerate(raw[name], 1):
                code, en, ja = (
                    text_cell(ws, text) for text in (raw["code"], item["en"], item["ja"])
                )
                ws.append([code, position, en, ja])
                rows[name] += 1
    for name, ws in sheets.items():
        # openpyxl's write-only sheet has auto_filter at run time; its stubs do not declare it.
        ws.auto_filter.ref = f"A1:{get_column_letter(len(SHEETS[name]))}{rows[name]}"  # type: ignore[attr-defined]
    with _output(out) as handle:
        workbook.save(handle)


def _raw_controls(session: Session) -> Iterator[dict[str, Any]]:
    """Every control, active or not, as a raw catalogue entry, by code."""
    # The owner's email comes from a join, not Control.owner: with expire_on_commit=False a
    # loaded relationship can be stale after owner_id changed in this session.
    rows = session.execute(
        select(Control, User.email)
        .outerjoin(User, User.id == Control.owner_id)
        .options(
            selectinload(Control.mappings),
            selectinload(Control.revisions).selectinload(ChecklistRevision.items),
        )
        .order_by(Control.code)
    )
    for control, owner in rows:
        revision = control.current_revision
        yield {
            "code": control.code,
            "category": control.category,
            "title": {"en": control.title_en, "ja": control.title_ja},
            "description": {"en": control.description_en, "ja": control.description_ja},
            # No Article 8 mapping means the control rests on the guidelines alone.
            "article8_clauses": control.refs("article8") or ["guideline"],
            "article8_explicit": control.article8_explicit,
            "ppc_ref": control.ppc_ref,
            "ppc_headings": control.refs("ppc"),
            "iso27001": control.refs("iso27001"),
            "frequency": control.frequency,
            "checklist": [{"en": i.text_en, "ja": i.text_ja} for i in revision.items]
            if revision
            else [],
            "evidence_expected": [{"en": e.en, "ja": e.ja} for e in evidence_expected(control)],
            "owner": owner,
            "active": control.active,
            "source": control.source,
        }


def _flatten(raw: dict[str, Any]) -> dict[str, Any]:
    flat = {key: value for key, value in raw.items() if key not in _BILINGUAL}
    for key in _BILINGUAL:
        flat[f"{key}_en"], flat[f"{key}_ja"] = raw[key]["en"], raw[key]["ja"]
    for key in _LISTS:
        flat[key] = LIST_SEPARATOR.join(raw[key])
    flat["owner"] = raw["owner"] or ""
    return flat


def _cell(ws: WriteOnlyWorksheet, value: Any) -> Any:
    # Booleans stay real TRUE/FALSE cells; every text goes through the injection-safe cell.
    return value if isinstance(value, bool) else text_cell(ws, value)


def _start_sheet(workbook: Workbook, name: str, columns: tuple[str, ...]) -> WriteOnlyWorksheet:
    ws = workbook.create_sheet(name)
    # Write-only sheets drop widths and panes set after the first append (the header).
    for index, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = _WIDTHS[column]
    ws.freeze_panes = "A2"
    ws.append([header_cell(ws, column) for column in columns])
    return ws


@contextmanager
def _output(out: Path) -> Iterator[BinaryIO]:
    try:
        with atomic_output(out) as handle:
            yield handle
    except OSError as error:
        raise CatalogueError(str(out), f"cannot be written: {error.strerror or error}") from None


# --- import ----------------------------------------------------------------------------------


def read_xlsx(path: Path, limits: WorkbookLimits | None = None) -> list[ControlSpec]:
    """Read and validate a catalogue workbook; changes nothing (``sync_catalogue`` applies it)."""
    try:
        with open_workbook(path, path.name, limits) as workbook:
            return _read(workbook, path.name)
    except WorkbookRefused as refused:
        raise CatalogueError(path.name, refused.reason) from None


@dataclass(frozen=True)
class _Row:
    """One data row of a sheet, with typed access that names the cell on bad input."""

    file: str
    sheet: str
    number: int
    values: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.file}: sheet {self.sheet} row {self.number}"

    def fail(
        self,
        column: str,
        problem: str | Phrase,
        kind: Code = Code.RULE,
        expected: str | None = None,
    ) -> CatalogueError:
        code = self.values.get("code")
        found = self.values.get(column)
        detail = Problem(
            self.file,
            kind,
            problem,
            self.number,
            column,
            expected=expected,
            found=None if found is None else str(found),
            sheet=self.sheet,
        )
        return CatalogueError(
            self.where,
            problem,
            code=code if isinstance(code, str) and code else None,
            field=_column_name(SHEETS[self.sheet], column),
            detail=detail,
        )

    def expected(self, column: str, what: str) -> CatalogueError:
        found = _describe(self.values[column])
        return self.fail(column, f"expected {what}, found {found}", Code.VALUE, what)

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.values[column]
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.expected(column, "text")
        problem = control_character(value, free_text=column in FREE_TEXT)
        if problem is not None:
            raise self.fail(column, problem, Code.CONTROL_CHARACTER)
        return unescape_text(value)

    def items(self, column: str) -> list[str]:
        parts = self.text(column).split(LIST_SEPARATOR)
        return [part.strip() for part in parts if part.strip()]

    def boolean(self, column: str) -> bool:
        value = self.values[column]
        if not isinstance(value, bool):
            raise self.expected(column, "TRUE or FALSE")
        return value

    def position(self) -> int:
        value = self.values["position"]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.expected("position", "a whole number from 1")
        return value


def _read(workbook: GuardedWorkbook, file: str) -> list[ControlSpec]:
    missing = [name for name in SHEETS if name not in workbook.sheetnames]
    if missing:
        expected = ", ".join(SHEETS)
        raise CatalogueError(file, f"sheet {missing[0]!r} is missing; expected sheets {expected}")
    controls: dict[str, tuple[int, dict[str, Any]]] = {}
    with closing(_rows(workbook, file, "controls")) as rows:
        for row in rows:
            raw = _control(row)
            if raw["code"] in controls:
                first = controls[raw["code"]][0]
                raise row.fail("code", f"duplicate code (also on row {first})", Code.DUPLICATE_ROW)
            controls[raw["code"]] = (row.number, raw)
    for sheet in ITEM_SHEETS:
        for code, items in _items(workbook, file, sheet, controls).items():
            controls[code][1][sheet] = items
    return [_parse(raw, f"{file}: sheet controls row {n}", n) for n, raw in controls.values()]


def _rows(workbook: GuardedWorkbook, file: str, sheet: str) -> Generator[_Row, None, None]:
    """The non-empty data rows of ``sheet`` after checking its header; close it when done."""
    # Each row iterator holds the sheet's stream in the zip open until it is closed.
    with closing(sheet_rows(workbook, sheet, Columns(SHEETS[sheet]))) as rows:
        try:
            for number, values in rows:
                yield _Row(file, sheet, number, values)
        except TableError as error:
            raise _catalogue_error(file, error.detail) from None


def _catalogue_error(file: str, problem: Problem) -> CatalogueError:
    where = file
    if problem.sheet is not None:
        where += f": sheet {problem.sheet}"
        if problem.line is not None:
            where += f" row {problem.line}"
    return CatalogueError(where, problem.message, detail=problem)


def _control(row: _Row) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "code": row.text("code", required=True),
        "category": row.text("category"),
    }
    for key in _BILINGUAL:
        raw[key] = {lang: row.text(f"{key}_{lang}") for lang in ("en", "ja")}
    raw |= {
        "article8_clauses": row.items("article8_clauses"),
        "article8_explicit": row.boolean("article8_explicit"),
        "ppc_ref": row.text("ppc_ref"),
        "ppc_headings": row.items("ppc_headings"),
        "iso27001": row.items("iso27001"),
        "frequency": row.text("frequency"),
        "checklist": [],
        "evidence_expected": [],
        "owner": row.text("owner").strip() or None,
        "active": row.boolean("active"),
        "source": row.text("source"),
    }
    return raw


def _items(
    workbook: GuardedWorkbook,
    file: str,
    sheet: str,
    controls: dict[str, tuple[int, dict[str, Any]]],
) -> dict[str, list[dict[str, str]]]:
    """The {en, ja} items of one item sheet by control code, in position order."""
    found: dict[str, dict[int, tuple[int, dict[str, str]]]] = {}
    with closing(_rows(workbook, file, sheet)) as rows:
        for row in rows:
            code = row.text("code", required=True)
            if code not in controls:
                raise row.fail("code", "no control with this code on sheet controls")
            position = row.position()
            items = found.setdefault(code, {})
            if position in items:
                first = items[position][0]
                raise row.fail(
                    "position",
                    f"position {position} is used twice (also row {first})",
                    Code.DUPLICATE_ROW,
                )
            text = {lang: row.text(lang, required=True) for lang in ("en", "ja")}
            items[position] = (row.number, text)
    result = {}
    for code, items in found.items():
        if sorted(items) != list(range(1, len(items) + 1)):
            raise CatalogueError(
                f"{file}: sheet {sheet}",
                f"positions are {', '.join(map(str, sorted(items)))}; "
                f"expected 1 to {len(items)} without gaps",
                code=code,
                field=_column_name(ITEM_COLUMNS, "position"),
            )
        result[code] = [items[position][1] for position in sorted(items)]
    return result


def _parse(raw: dict[str, Any], where: str, number: int) -> ControlSpec:
    try:
        return parse_control(raw, where, number)
    except CatalogueError as error:
        # parse_control names fields of the YAML schema (title.en); name the sheet's column.
        column = (error.field or "").replace(".", "_")
        if column not in CONTROL_COLUMNS:
            raise
        raise CatalogueError(
            error.file,
            str(error.params["problem"]),
            code=error.code,
            field=_column_name(CONTROL_COLUMNS, column),
        ) from None


def _column_name(columns: tuple[str, ...], column: str) -> str:
    return f"{column} (column {get_column_letter(columns.index(column) + 1)})"


def _describe(value: Any) -> str:
    if value is None or value == "":
        return "an empty cell"
    if isinstance(value, bool):
        return f"the boolean {str(value).upper()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, datetime | date | time):
        return f"the date or time {value.isoformat()}"
    text = str(value)
    shown = repr(text[:40] + "…") if len(text) > 40 else repr(text)
    return f"the text {shown}"
