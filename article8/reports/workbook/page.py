"""How every sheet of the workbook prints and looks: A4, fitted to one page wide, a print header
and footer, and named fonts (a face that exists on the reader's machine, not a serif fallback).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import IO, Any
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.constants import ARC_APP, XPROPS_NS

from article8.core.errors import N_
from article8.core.xlsx import text_cell

TITLE = N_("Audit workbook: safety control measures (APPI Article 23)")
PAGE_OF = N_("Page &P of &N")
FACTS = N_(
    "Organisation: %(organisation)s    Period: %(period)s    Generated at: %(generated)s (%(zone)s)"
)
# The face of each edition: a Japanese UI font for Japanese, Excel's default for English.
FONTS = {"ja": "Yu Gothic", "en": "Calibri"}
FONT_SIZE = 10
A4 = 9  # the paperSize code of ISO A4 in SpreadsheetML
# What fits across A4 portrait at 100 %, in column-width units (characters of the 10-point
# default font) with our margins: about 110; a wider sheet prints landscape.
PORTRAIT_WIDTH = 100
# Points per line of the 10-point body font: Japanese faces (and their fallbacks, such as Noto
# Sans CJK) need about 1.45 em; a little spare room costs nothing in the English edition.
LINE_HEIGHT = 15.0
ROW_PADDING = 3.0
WRAP = Alignment(wrap_text=True)
TOP = Alignment(vertical="top")
TOP_WRAP = Alignment(wrap_text=True, vertical="top")
# The title block above a sheet's table: the sheet's title, the facts line, its scope, a blank
# row; the table's header is the row after it.
TITLE_ROWS = 4
HEADER_ROW = TITLE_ROWS + 1
TITLE_SIZE = 12
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")


def display_width(text: str) -> int:
    """How many column-width units ``text`` takes: wide (CJK) characters count twice."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrapped_height(text: str, width: int) -> float:
    """The row height (points) that shows ``text`` wrapped in a column ``width`` units wide."""
    lines = sum(max(1, -(-display_width(line) // max(width, 1))) for line in text.split("\n"))
    return lines * LINE_HEIGHT + ROW_PADDING


@dataclass(frozen=True)
class Style:
    """The edition's fonts and the print header's facts, shared by every sheet."""

    lang: str
    organisation: str
    period: str
    page_of: str  # "Page &P of &N" in the edition's language
    # The title block's line of facts (organisation, period, generated at with its zone), in the
    # edition's language; empty for a bare table (no title block).
    facts: str = ""

    @property
    def font_name(self) -> str:
        """The named face of every cell."""
        return FONTS.get(self.lang, FONTS["en"])

    @property
    def font(self) -> Font:
        """The body font."""
        return Font(name=self.font_name, sz=FONT_SIZE)

    @property
    def bold(self) -> Font:
        """The header font: bold, and named, so it never falls back to a serif face."""
        return Font(name=self.font_name, sz=FONT_SIZE, bold=True)


PLAIN = Style("en", "", "", "&P / &N")


def write_title_block(
    sheet: Any, style: Style, title: str, scope: str, columns: int, width: float
) -> None:
    """Append the title block (:data:`TITLE_ROWS` rows) to a write-only sheet before its table.

    The facts and the scope span every column of the table (``columns`` of ``width`` units in
    all) and wrap, so that they print within the page however narrow the table.
    """
    ws: Any = sheet
    last = get_column_letter(max(columns, 1))
    heading = text_cell(ws, title)
    heading.font = Font(name=style.font_name, sz=TITLE_SIZE, bold=True)
    ws.append([heading])
    for row, text in ((2, style.facts), (3, scope)):
        cell = text_cell(ws, text)
        cell.alignment = TOP_WRAP
        if columns > 1:
            ws.merged_cells.add(f"A{row}:{last}{row}")
        ws.row_dimensions[row].height = wrapped_height(text, max(int(width) - 2, 10))
        ws.append([cell])
    ws.append([])


def use_fonts(workbook: Workbook, style: Style) -> None:
    """Make the edition's face the workbook's default (unstyled cells use font 0 and Normal)."""
    # openpyxl has no public setter for the default font; font 0 and the Normal style are it.
    workbook._fonts = IndexedList([style.font])  # type: ignore[attr-defined]
    workbook._named_styles["Normal"].font = style.font  # type: ignore[attr-defined]


def _escape(text: str) -> str:
    # "&" starts a code in print headers (&P, &N …); a literal one is doubled.
    return text.replace("&", "&&")


def set_up_page(
    sheet: Any, style: Style, title: str, *, landscape: bool, one_page: bool = False
) -> None:
    """A4, one page wide (and one page tall for ``one_page``), with the print header and footer.

    Must run before the first row of a write-only sheet.
    """
    ws = sheet
    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.print_options.horizontalCentered = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    # The size code comes first: digits right after it would be read as part of the size.
    font = f'&8&"{style.font_name},Regular"'
    ws.oddHeader.left.text = font + _escape(style.organisation)
    ws.oddHeader.center.text = f'&9&"{style.font_name},Bold"' + _escape(title)
    ws.oddHeader.right.text = font + _escape(style.period)
    ws.oddFooter.center.text = font + style.page_of


def save(workbook: Workbook, handle: IO[bytes], *, company: str) -> None:
    """Save like ``Workbook.save`` but with the company in the file's extended properties."""
    archive = _Archive(handle, "w", ZIP_DEFLATED, allowZip64=True, company=company)
    ExcelWriter(workbook, archive).save()


class _Archive(ZipFile):
    """A zip that writes the extended properties (docProps/app.xml) with the company filled in;
    openpyxl always writes them empty."""

    def __init__(self, *args: Any, company: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._company = company

    def writestr(
        self,
        zinfo_or_arcname: str | ZipInfo,
        data: Any,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        """Write one member, replacing the extended properties."""
        if zinfo_or_arcname == ARC_APP:
            # openpyxl's ExtendedProperties does not serialise Company: written by hand.
            data = (
                f'<Properties xmlns="{XPROPS_NS}"><Application>article8</Application>'
                f"<Company>{escape(self._company)}</Company></Properties>"
            )
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)
