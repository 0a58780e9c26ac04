"""Reading untrusted files: the one way to open an uploaded workbook, and the text check.

Every XLSX import goes through :func:`open_workbook`. An XLSX is a zip of XML parts, so a small
file can unpack to gigabytes or declare millions of rows; the opener refuses such a file from
its zip directory alone, before any XML is parsed, and stops streaming rows as soon as a sheet
passes the row limit. XML entity expansion is refused by defusedxml, which openpyxl uses when it
is installed (a dependency for that reason).
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from math import ceil
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from article8.core.errors import N_, DomainError, Phrase

if TYPE_CHECKING:
    from openpyxl import Workbook

    from article8.core.settings import Settings

MIB = 1024 * 1024
EXCEL_ROWS = 1_048_576
# Members smaller than this may compress as well as they like (a blank sheet is mostly markup).
_RATIO_FLOOR = MIB
# What openpyxl and zipfile raise on a damaged workbook, opening it or reading a sheet.
_UNREADABLE = (
    InvalidFileException,
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    IndexError,
    ValueError,
    SyntaxError,
    EOFError,
    OSError,
)


@dataclass(frozen=True)
class WorkbookLimits:
    """How much an uploaded workbook may unpack to and hold."""

    unpacked_bytes: int = 200 * MIB
    rows: int = EXCEL_ROWS
    # An XLSX has a dozen parts, a few hundred with many pictures.
    members: int = 1000
    # Sheet XML compresses about 10 to 1, repetitive sheets 30 to 1; zeros or blanks 1000 to 1.
    ratio: int = 100
    # The zip's own directory, read whole by zipfile before any check could run.
    directory_bytes: int = MIB

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkbookLimits:
        """The installation's limits."""
        return cls(
            unpacked_bytes=settings.import_max_unpacked_mb * MIB, rows=settings.import_max_rows
        )


class WorkbookRefused(DomainError):
    """An uploaded workbook is unreadable or over a limit; ``reason`` says which."""

    def __init__(self, file: str, reason: Phrase) -> None:
        super().__init__(N_("%(file)s: %(reason)s"), file=file, reason=reason)
        self.file, self.reason = file, reason


def unreadable(file: str) -> WorkbookRefused:
    """The refusal of a file that is not an XLSX workbook, or a damaged one."""
    return WorkbookRefused(file, Phrase(N_("is not a readable Excel workbook (.xlsx)")))


@contextmanager
def open_workbook(
    source: Path | BinaryIO, filename: str, limits: WorkbookLimits | None = None
) -> Iterator[GuardedWorkbook]:
    """Open an untrusted XLSX (a path or a seekable binary stream) for streaming its rows.

    Raises :class:`WorkbookRefused` naming ``filename`` and the limit, before parsing any XML,
    when the file is not a zip or unpacks to too much.
    """
    limits = limits or WorkbookLimits()
    with ExitStack() as stack:
        if isinstance(source, Path):
            try:
                handle: BinaryIO = stack.enter_context(source.open("rb"))
            except OSError as error:
                reason = Phrase(N_("cannot be read: %(why)s"), why=error.strerror or str(error))
                raise WorkbookRefused(filename, reason) from None
        else:
            handle = source
        _check_archive(handle, filename, limits)
        handle.seek(0)
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except _UNREADABLE:
            raise unreadable(filename) from None
        stack.callback(workbook.close)
        yield GuardedWorkbook(workbook, filename, limits)


class GuardedWorkbook:
    """An opened workbook whose rows stream under the row limit."""

    def __init__(self, workbook: Workbook, filename: str, limits: WorkbookLimits) -> None:
        self._workbook, self.filename, self.limits = workbook, filename, limits

    @property
    def sheetnames(self) -> list[str]:
        """The names of the sheets, in order."""
        return list(self._workbook.sheetnames)

    def rows(self, sheet: str, columns: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(row number, the first ``columns`` values) of each row that holds a value, streamed.

        Refuses a sheet that declares or reaches more rows than the limit (reading stops
        there) and a value to the right of the table's last column.
        """
        worksheet = self._workbook[sheet]
        declared = worksheet.max_row
        if declared is not None and declared > self.limits.rows:
            raise self._refused(
                N_("sheet %(sheet)s declares %(rows)s rows, more than the limit of %(limit)s"),
                sheet=sheet,
                rows=declared,
                limit=self.limits.rows,
            )
        # Read what the sheet holds, not what its dimension claims: rows past a dimension that
        # is too small would be dropped without a word, and a wide one pads every row.
        worksheet.reset_dimensions()
        padding = (None,) * columns
        try:
            with closing(worksheet.iter_rows(values_only=True)) as rows:
                for number, values in enumerate(rows, 1):
                    if number > self.limits.rows:
                        raise self._refused(
                            N_("sheet %(sheet)s has more than %(limit)s rows; reading stopped"),
                            sheet=sheet,
                            limit=self.limits.rows,
                        )
                    # count() runs in C: a crafted sheet may pad every row to 16,384 cells.
                    if not values or values.count(None) == len(values):
                        continue
                    if len(values) > columns:
                        self._check_outside(sheet, number, columns, values)
                        values = values[:columns]
                    yield number, tuple(values) + padding[len(values) :]
        except _UNREADABLE:
            raise unreadable(self.filename) from None

    def _check_outside(self, sheet: str, number: int, columns: int, values: Any) -> None:
        tail = values[columns:]
        if tail.count(None) == len(tail):
            return
        for index, value in enumerate(tail, columns + 1):
            if value is not None and not (isinstance(value, str) and not value.strip()):
                raise self._refused(
                    N_(
                        "sheet %(sheet)s, row %(row)s: column %(column)s is outside the table "
                        "(the last column is %(last)s)"
                    ),
                    sheet=sheet,
                    row=number,
                    column=get_column_letter(index),
                    last=get_column_letter(columns),
                )

    def _refused(self, template: str, **params: Any) -> WorkbookRefused:
        return WorkbookRefused(self.filename, Phrase(template, **params))


def _check_archive(handle: BinaryIO, filename: str, limits: WorkbookLimits) -> None:
    """Refuse from the zip directory alone: not a zip, too many parts, too big, a bomb."""
    directory = _central_directory(handle)
    if directory is None:
        raise unreadable(filename)
    entries, size = directory
    too_many = Phrase(N_("holds more than %(limit)s parts"), limit=limits.members)
    if entries > limits.members or size > limits.directory_bytes:
        raise WorkbookRefused(filename, too_many)
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise unreadable(filename) from None
    if len(members) > limits.members:
        raise WorkbookRefused(filename, too_many)
    # The sizes come from the directory; zipfile never inflates a part past its stated size
    # (it stops there and fails the CRC), so a lying directory cannot unpack more.
    total = sum(member.file_size for member in members)
    if total > limits.unpacked_bytes:
        reason = Phrase(
            N_("unpacks to %(size)s MiB, more than the limit of %(limit)s MiB"),
            size=ceil(total / MIB),
            limit=ceil(limits.unpacked_bytes / MIB),
        )
        raise WorkbookRefused(filename, reason)
    for member in members:
        packed = max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR and member.file_size > limits.ratio * packed:
            reason = Phrase(
                N_(
                    "part %(part)s unpacks %(ratio)s times its packed size, more than the limit "
                    "of %(limit)s (a compression bomb)"
                ),
                part=member.filename[:100],
                ratio=member.file_size // packed,
                limit=limits.ratio,
            )
            raise WorkbookRefused(filename, reason)


_END = struct.Struct("<4s4H2LH")
_END_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END = struct.Struct("<4sQ2H2L4Q")


def _central_directory(handle: BinaryIO) -> tuple[int, int] | None:
    """(entries, bytes) of a zip's central directory from its end record; None if not a zip."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    # The end record is the last 22 bytes, followed by a comment of at most 64 KiB.
    tail_size = min(size, _END.size + 0xFFFF)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(_END_SIGNATURE)
    if at < 0 or len(tail) - at < _END.size:
        return None
    entries, directory_size = _END.unpack_from(tail, at)[4:6]
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
        locator = at - _ZIP64_LOCATOR.size
        if locator < 0 or tail[locator : locator + 4] != b"PK\x06\x07":
            return None
        handle.seek(_ZIP64_LOCATOR.unpack_from(tail, locator)[2])
        record = handle.read(_ZIP64_END.size)
        if len(record) < _ZIP64_END.size or record[:4] != b"PK\x06\x06":
            return None
        entries, directory_size = _ZIP64_END.unpack(record)[7:9]
    return entries, directory_size


# --- text ------------------------------------------------------------------------------------

# C0 controls, DEL and C1 controls. Free text (descriptions) may keep TAB, LF and CR.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_FREE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(value: str, *, free_text: bool = False) -> Phrase | None:
    """What is wrong with ``value`` when it holds a control character; None when nothing is."""
    found = (_CONTROL_IN_FREE_TEXT if free_text else _CONTROL).search(value)
    if found is None:
        return None
    return Phrase(
        N_("contains the control character U+%(code)s at character %(position)s"),
        code=f"{ord(found.group()):04X}",
        position=found.start() + 1,
    )
