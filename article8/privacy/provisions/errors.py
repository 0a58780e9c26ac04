"""Errors of the provision and receipt records."""

from __future__ import annotations

from article8.core.errors import DomainError, ValidationError
from article8.core.tabular import TableError


class RetentionNotEnded(DomainError):
    """A record may not be removed before its retention period ends."""

    status_code = 409


class ProvisionInvalid(ValidationError):
    """A provision or receipt record does not meet the rules of the Act."""


class ProvisionFileError(TableError):
    """A file of provision and receipt records cannot be imported; nothing from it was stored."""
