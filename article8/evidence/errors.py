"""Errors of the evidence vault."""

from __future__ import annotations

from article8.core.errors import DomainError


class EvidenceTooLarge(DomainError):
    """The upload exceeds the configured maximum."""

    status_code = 413


class StoreBusy(DomainError):
    """Uploads in flight held the evidence store longer than the sweep waits."""

    status_code = 503
