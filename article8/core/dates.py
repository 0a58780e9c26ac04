"""Reading calendar dates: one parser for files, command options and request parameters."""

from __future__ import annotations

import re
from datetime import date

_ISO = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})")
# Files saved by Excel in a Japanese locale write 2024/04/01, 2024/4/1 or 2024年4月1日.
_IN_FILES = re.compile(
    r"(?P<year>[0-9]{4})(?:([-/])(?P<month>[0-9]{1,2})\2(?P<day>[0-9]{1,2})"
    r"|年(?P<jmonth>[0-9]{1,2})月(?P<jday>[0-9]{1,2})日)"
)


def parse_date(
    text: str,
    *,
    slashes: bool = False,
    earliest: date | None = None,
    latest: date | None = None,
) -> date:
    """``text`` as a date: YYYY-MM-DD, with ``slashes`` also 2024/04/01, 2024/4/1, 2024年4月1日.

    Raises ValueError for anything else, an impossible day, or a day outside the bounds given.
    """
    value = text.strip()
    found = (_IN_FILES if slashes else _ISO).fullmatch(value)
    if found is None:
        raise ValueError(text)
    year = int(found["year"])
    month, day = int(found["month"] or found["jmonth"]), int(found["day"] or found["jday"])
    result = date(year, month, day)  # ValueError for 2024-02-30
    if (earliest is not None and result < earliest) or (latest is not None and result > latest):
        raise ValueError(text)
    return result
