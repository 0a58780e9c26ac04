"""Hostile files, generated on the fly (streamed: a bomb never sits in memory), and a way to
watch a reader refuse one in a process of its own, where its peak memory can be read.

Used by the tests and by ``bench/bombs.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

MIB = 1024 * 1024
HEADER = ("employee_id", "name", "department", "employed_from", "employed_until", "aliases")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/></Types>'
)
_PACKAGE_RELS = (
    f'<?xml version="1.0"?><Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
    f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0"?><Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
    f'Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)

Body = Callable[[IO[bytes]], None]


def _cell(column: int, row: int, text: str) -> str:
    return f'<c r="{chr(64 + column)}{row}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row(columns: Iterable[str] = HEADER) -> str:
    """Row 1 of a register sheet, as inline strings."""
    return '<row r="1">' + "".join(_cell(i, 1, c) for i, c in enumerate(columns, 1)) + "</row>"


def person_row(row: int) -> str:
    """A valid person on ``row``."""
    values = (f"E{row}", f"Person {row}", "", "2020-04-01", "", "")
    cells = "".join(_cell(i, row, v) for i, v in enumerate(values, 1) if v)
    return f'<row r="{row}">{cells}</row>'


def workbook(
    path: Path,
    body: Body,
    *,
    sheet: str = "people",
    dimension: str | None = None,
    prologue: str = "",
    compresslevel: int = 9,
) -> Path:
    """An XLSX of one sheet whose ``<sheetData>`` content ``body`` writes (streamed)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        zf.writestr("[Content_Types].xml", _TYPES)
        zf.writestr("_rels/.rels", _PACKAGE_RELS)
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
            f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0"?>{prologue}<worksheet xmlns="{_MAIN}">'.encode())
            if dimension:
                part.write(f'<dimension ref="{dimension}"/>'.encode())
            part.write(b"<sheetData>")
            body(part)
            part.write(b"</sheetData></worksheet>")
    return path


def _repeat(unit: bytes, total: int) -> Body:
    block = unit * (MIB // len(unit))

    def write(part: IO[bytes]) -> None:
        for _ in range(total // len(block)):
            part.write(block)

    return write


def unpacked_bomb(path: Path, gib: int = 2) -> Path:
    """A few MB that unpack to ``gib`` GiB: a header row, then blanks between the rows."""

    def body(part: IO[bytes]) -> None:
        part.write(header_row().encode())
        _repeat(b" " * 1024, gib * 1024 * MIB)(part)

    # Level 1 writes 2 GiB in seconds and still packs 200 to 1.
    return workbook(path, body, compresslevel=1)


def empty_rows_bomb(path: Path, mib: int = 64) -> Path:
    """About 64 KB holding ``mib`` MiB of empty rows after a header (11 million rows)."""

    def body(part: IO[bytes]) -> None:
        part.write(header_row().encode())
        _repeat(b"<row/>", mib * MIB)(part)

    return workbook(path, body)


def declared_rows_bomb(path: Path, rows: int = 2_000_000) -> Path:
    """A small sheet whose dimension declares ``rows`` rows."""

    def body(part: IO[bytes]) -> None:
        part.write((header_row() + person_row(2)).encode())

    return workbook(path, body, dimension=f"A1:F{rows}")


def rows_then_garbage(path: Path, rows: int) -> Path:
    """``rows`` valid rows under a dimension that says 10, then XML that cannot be parsed.

    A reader that stops at a row limit below ``rows`` never reaches the garbage; one that reads
    on fails on it.
    """

    def body(part: IO[bytes]) -> None:
        part.write(header_row().encode())
        part.write("".join(person_row(r) for r in range(2, rows + 1)).encode())
        part.write(b"<row><c><<<not xml")

    return workbook(path, body, dimension="A1:F10")


def entity_bomb(path: Path) -> Path:
    """A sheet whose DTD expands one entity to a billion "lol"s."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10)
    )

    def body(part: IO[bytes]) -> None:
        part.write(f'{header_row()}<row r="2">{_cell(1, 2, "&lol9;")}</row>'.encode())

    return workbook(path, body, prologue=f"<!DOCTYPE worksheet [{entities}]>")


def many_parts(path: Path, parts: int = 5000) -> Path:
    """A zip of ``parts`` tiny members."""
    with zipfile.ZipFile(path, "w") as zf:
        for n in range(parts):
            zf.writestr(f"p/{n}", b"")
    return path


def json_log_line(path: Path, field: str, raw: str) -> Path:
    """A JSON Lines log of one event whose ``field`` is ``raw``, as written (nesting, numbers)."""
    event = (
        '{"timestamp": "2026-11-24T10:00:00+09:00", "user": "a", "system": "crm", '
        f'"action": "view", "{field}": {raw}}}\n'
    )
    path.write_text(event, encoding="utf-8")
    return path


def endless_line(path: Path, gib: int = 1) -> Path:
    """A log of one line of ``gib`` GiB with no line break (a sparse file: no disk, no time)."""
    with path.open("wb") as handle:
        handle.write(b'{"timestamp": "')
        handle.truncate(gib * 1024 * MIB)
    return path


# --- refusing in a process of its own --------------------------------------------------------

_RUNNER = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path

    def status(field):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])

    from article8.controls.catalogue.exchange import read_xlsx
    from article8.core.errors import DomainError
    from article8.access.logformat import open_log
    from article8.access.register_import import read_register

    reader, path = sys.argv[1], Path(sys.argv[2])
    # Address space for 1 GiB more than the imports took: a reader that inflates the bomb
    # fails here with MemoryError instead of taking the machine with it.
    room = (status("VmSize") + 1024 * 1024) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (room, room))
    before = status("VmHWM")
    started = time.perf_counter()
    message = None
    try:
        if reader == "register":
            with path.open("rb") as stream:
                read_register(stream, path.name)
        elif reader == "catalogue":
            read_xlsx(path)
        else:
            with path.open("rb") as stream:
                source = open_log(stream, path.name, "system", {})
                for line, _values, _raw, problem in source.lines:
                    if problem is not None:
                        message = f"{path.name}: line {line}: {problem.field}: {problem.problem}"
                        break
    except DomainError as error:
        message = str(error)
    seconds = time.perf_counter() - started
    grown = (status("VmHWM") - before) / 1024
    print(json.dumps({"message": message, "grown_mib": grown, "seconds": seconds}))
    """
)


def refuse_in_subprocess(reader: str, path: Path, timeout: float = 300) -> dict[str, Any]:
    """Run ``reader`` (register, catalogue or log) on ``path`` in a new process.

    Returns the refusal message (None if the file was accepted), how much the peak resident
    memory grew while reading, in MiB, and the seconds it took (for the benchmark; tests assert
    nothing about speed). The timeout only stops a runaway reader.
    """
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, reader, str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"the reader failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))
