"""Errors of the request register: domain errors the edges map once."""

from __future__ import annotations

from article8.core.errors import ValidationError


class TransitionRefused(ValidationError):
    """A request or inquiry cannot move to the state asked for from where it is."""
