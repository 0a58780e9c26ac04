"""Errors of the evidence vault."""

from __future__ import annotations

from article8.core.errors import DomainError


class EvidenceTooLarge(DomainError):
    """The upload exceeds the configured maximum."""

    status_code = 413
