"""Ids, whole numbers, dates and text from URLs, query strings and forms, read one way everywhere.

An out-of-range value must never reach the database (PostgreSQL raises on an INTEGER overflow,
SQLite above 2^63, and on a NUL in any text) nor the calendar code (years 1 and 9999 overflow in
time-zone arithmetic). A path id that is not a valid id matches no route (404); a query or form
value that is not valid is refused with a message in the user's language (400) naming it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date

from flask import abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError as NoMatch
from wtforms import DateField, IntegerField

from article8.core.dates import parse_date
from article8.core.errors import N_, ValidationError

# The primary keys are INTEGER columns on both back ends.
ID_MAX = 2**31 - 1
# BIGINT columns (the audit trail's sequence numbers).
BIGINT_MAX = 2**63 - 1
# The dates article8 works with: its records start this century, and nothing is planned past it.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)
# C0 control characters and DEL; tab, line feed and carriage return are ordinary text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def parse_int(raw: str, *, minimum: int, maximum: int) -> int:
    """``raw`` as a whole number in ``minimum..maximum``; ValueError otherwise."""
    text = raw.strip()
    # Digits only (no sign, no Unicode digits), and never longer than the bound: no huge int().
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > len(str(maximum)):
        raise ValueError(raw)
    value = int(text)
    if not minimum <= value <= maximum:
        raise ValueError(raw)
    return value


def parse_id(raw: str, *, maximum: int = ID_MAX) -> int:
    """``raw`` as a database id (1..``maximum``); ValueError otherwise."""
    return parse_int(raw, minimum=1, maximum=maximum)


def parse_day(raw: str) -> date:
    """``raw`` (YYYY-MM-DD) as a date within the supported range; ValueError otherwise."""
    return parse_date(raw, earliest=EARLIEST_DAY, latest=LATEST_DAY)


class IdConverter(BaseConverter):
    """``<id:name>`` in a route: a database id (1..2^31-1); anything else matches no route."""

    regex = r"[0-9]{1,10}"
    weight = 50
    part_isolating = True

    def to_python(self, value: str) -> int:
        """The id, or no match (so the answer is 404, not an overflow in the database)."""
        try:
            return parse_id(value)
        except ValueError:
            raise NoMatch() from None

    def to_url(self, value: object) -> str:
        """The id as digits."""
        return str(int(value))  # type: ignore[call-overload]


# --- every request ---------------------------------------------------------------------------


def refuse_control_characters() -> None:
    """``before_request``: no control character in the path, a parameter or a form field gets any
    further (404 for the path, 400 naming the parameter otherwise); file names lose theirs."""
    if _CONTROL.search(request.path):
        abort(404)
    fields = [*request.args.items(multi=True)]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in _FORMS:
        fields += request.form.items(multi=True)
        for part in request.files.values():
            # A file name is the sender's label, already shown sanitised: clean it, keep the file.
            if part.filename and _CONTROL.search(part.filename):
                part.filename = _CONTROL.sub("", part.filename)
    for name, value in fields:
        # A multipart part without a name comes back with the name None.
        name, value = name or "", value or ""
        if _CONTROL.search(name) or _CONTROL.search(value):
            raise ValidationError(
                N_("%(name)s: control characters (such as NUL) are not accepted."),
                field=_CONTROL.sub("?", name)[:40],
                name=_CONTROL.sub("?", name)[:40],
            )


# --- query strings and API form fields ---------------------------------------------------------


def int_arg(
    args: Mapping[str, str], name: str, *, minimum: int, maximum: int, default: int | None = None
) -> int | None:
    """A whole-number parameter; ``default`` when absent or blank, 400 when invalid."""
    raw = args.get(name, "")
    if not raw.strip():
        return default
    try:
        return parse_int(raw, minimum=minimum, maximum=maximum)
    except ValueError:
        raise ValidationError(
            N_("%(name)s: '%(value)s' is not a number from %(min)d to %(max)d."),
            field=name,
            name=name,
            value=raw[:40],
            min=minimum,
            max=maximum,
        ) from None


def id_arg(args: Mapping[str, str], name: str, *, maximum: int = ID_MAX) -> int | None:
    """An id parameter (``?assignee=3``, ``inspection_id``); None when blank, 400 when invalid."""
    return int_arg(args, name, minimum=1, maximum=maximum)


def day_arg(args: Mapping[str, str], name: str) -> date | None:
    """A date parameter (YYYY-MM-DD); None when blank, 400 when invalid or out of range."""
    raw = args.get(name, "")
    if not raw.strip():
        return None
    try:
        return parse_day(raw)
    except ValueError:
        raise ValidationError(
            N_("%(name)s: '%(value)s' is not a date (YYYY-MM-DD) from %(earliest)s to %(latest)s."),
            field=name,
            name=name,
            value=raw[:40],
            earliest=EARLIEST_DAY.isoformat(),
            latest=LATEST_DAY.isoformat(),
        ) from None


# --- form fields -------------------------------------------------------------------------------


class IdField(IntegerField):
    """A form field holding a database id (hidden or typed); invalid input is a field error."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse the posted value with :func:`parse_id`."""
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = parse_id(str(valuelist[0]))
        except ValueError:
            self.data = None
            raise ValueError(
                str(_l("Expected a whole number from 1 to %(max)d.", max=ID_MAX))
            ) from None


class DayField(DateField):
    """A date form field limited to the supported range (2000-01-01 to 2099-12-31)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse YYYY-MM-DD, then refuse a date outside the supported range."""
        super().process_formdata(valuelist)
        if self.data is not None and not EARLIEST_DAY <= self.data <= LATEST_DAY:
            # The date stays (so "required" holds and this message is the one shown); the form
            # is invalid all the same.
            raise ValueError(
                str(
                    _l(
                        "Enter a date from %(earliest)s to %(latest)s.",
                        earliest=EARLIEST_DAY.isoformat(),
                        latest=LATEST_DAY.isoformat(),
                    )
                )
            )


# --- list pages' filters -----------------------------------------------------------------------


class Criteria:
    """A list page's filter read from its query string, one way on every list: a value that is
    not one of the choices does not filter, a bad id or date is refused (400) naming it."""

    def __init__(self, args: Mapping[str, str]) -> None:
        self.args = args

    def choice(self, name: str, allowed: Collection[str], default: str = "") -> str | None:
        """One of ``allowed``; None (no filter) for anything else."""
        value = self.args.get(name, default)
        return value if value in allowed else None

    def text(self, name: str, *, max_length: int = 200, upper: bool = False) -> str | None:
        """Trimmed text (a search, a code), cut to ``max_length``; None when blank."""
        value = self.args.get(name, "").strip()
        return (value.upper() if upper else value)[:max_length] or None

    def id(self, name: str) -> int | None:
        """An id (``?owner=3``); None when blank."""
        return id_arg(self.args, name)

    def day(self, name: str) -> date | None:
        """A date (YYYY-MM-DD); None when blank."""
        return day_arg(self.args, name)
