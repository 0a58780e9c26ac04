"""Errors of the request register: domain errors the edges map once."""

from __future__ import annotations

from article8.core.errors import ValidationError
from article8.core.tabular import TableError


class TransitionRefused(ValidationError):
    """A request or inquiry cannot move to the state asked for from where it is."""


class RequestFileError(TableError):
    """A file of requests (CSV or XLSX) cannot be imported; nothing from it was stored."""
