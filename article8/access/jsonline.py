"""One JSON Lines record, parsed defensively: bounded nesting, bounded numbers.

``json.loads`` recurses once per nesting level (a RecursionError for a line of brackets) and
converts integers with ``int()``, which refuses more than 4300 digits with a ValueError; both
would escape as tracebacks. Here they become a :class:`RowProblem` naming the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from article8.access.errors import RowProblem
from article8.core.errors import N_, Phrase

MAX_JSON_DEPTH = 32
# No field of a log needs more (records are at most 2,000,000,000).
MAX_NUMBER_DIGITS = 18


class LongNumber(str):
    """A JSON number of more digits than any log field holds, kept as its text."""


def long_number(value: str) -> Phrase:
    """What is wrong with a number of too many digits (shown cut short)."""
    shown = value if len(value) <= 40 else value[:40] + "…"
    return Phrase(
        N_("is a number of more than %(limit)s digits: %(value)s"),
        limit=MAX_NUMBER_DIGITS,
        value=shown,
    )


def json_parser(long_numbers: list[str]) -> Callable[[str], Any]:
    """``json.loads`` of one line, refusing deep nesting; long numbers go to ``long_numbers``."""

    def whole(text: str) -> Any:
        # A sign and 18 digits fit; the digits are counted only past that length.
        if len(text) > MAX_NUMBER_DIGITS and len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
            long_numbers.append(text)
            return LongNumber(text)
        return int(text)

    def fraction(text: str) -> Any:
        if len(text) > MAX_NUMBER_DIGITS and sum(c.isdigit() for c in text) > MAX_NUMBER_DIGITS:
            long_numbers.append(text)
            return LongNumber(text)
        return float(text)

    def parse(line: str) -> Any:
        # Counting brackets is cheap; the exact walk runs only when there could be too many.
        if line.count("[") + line.count("{") > MAX_JSON_DEPTH:
            _check_depth(line)
        # strict=False lets raw control characters through, to be named with their field.
        return json.loads(line, parse_int=whole, parse_float=fraction, strict=False)

    return parse


# A JSON string (escapes included), or a bracket or a colon outside strings.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}:]')


def _check_depth(line: str) -> None:
    depth, key, last = 0, None, None
    for token in _TOKEN.finditer(line):
        text = token.group()
        if text[0] == '"':
            last = text
        elif text == ":":
            if depth == 1:
                key = last
        elif text in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                problem = Phrase(N_("nests deeper than %(limit)s levels"), limit=MAX_JSON_DEPTH)
                raise RowProblem(_key(key), problem)
        else:
            depth -= 1


def _key(literal: str | None) -> str | None:
    try:
        key = json.loads(literal) if literal else None
    except ValueError:
        return None
    return key[:40] if isinstance(key, str) else None
