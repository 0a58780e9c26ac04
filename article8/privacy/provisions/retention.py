"""How long a provision or receipt record is kept (Rules Arts. 21 and 24).

| record form | kept |
|---|---|
| a contract serves as the record | 1 year from the last provision |
| made in bulk for continuous provision | 3 years from the last provision |
| made for each provision | 3 years from the record's creation |

A period of years "from" a day does not count that day (Civil Code Art. 140) and ends at the end
of the day with the same number in the last year (Art. 143(2)), or at the end of the month when
that month has no such day (a period from 29 February ends on 28 February). The date returned is
that last day: the record may be removed from the day after.
"""

from __future__ import annotations

import calendar
from datetime import date

YEARS = {"per_provision": 3, "bulk": 3, "contract": 1}


def years_after(start: date, years: int) -> date:
    """The day ``years`` years after ``start`` (28 February for 29 February in a common year)."""
    year = start.year + years
    last = calendar.monthrange(year, start.month)[1]
    return date(year, start.month, min(start.day, last))


def retention_until(
    record_form: str | None,
    *,
    created_on: date,
    provided_on: date | None,
    last_provided_on: date | None,
) -> date | None:
    """The last day the record must be kept; None when no record is required (no form)."""
    if record_form is None:
        return None
    if record_form == "per_provision":
        return years_after(created_on, YEARS[record_form])
    last = last_provided_on or provided_on or created_on
    return years_after(last, YEARS[record_form])
