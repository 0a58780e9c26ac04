"""The names in a list of individuals (a CSV or text file), kept to find whom a record concerns."""

from __future__ import annotations

import csv
import io

# A list longer than this is kept as evidence only; its names are not searched.
MAX_LIST_BYTES = 5 * 1024 * 1024


def names_in(data: bytes) -> str:
    """Every non-empty cell of a CSV or text list, one a line (UTF-8 or CP932; else nothing)."""
    if len(data) > MAX_LIST_BYTES:
        return ""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return ""
    names: list[str] = []
    for row in csv.reader(io.StringIO(text)):
        names.extend(cell.strip() for cell in row if cell.strip())
    return "\n".join(names)
