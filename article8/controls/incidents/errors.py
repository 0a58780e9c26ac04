"""Refusals specific to incidents."""

from __future__ import annotations

from collections.abc import Sequence

from article8.core.errors import N_, DomainError


class NotClosable(DomainError):
    """The incident cannot be closed yet; ``missing`` names what still blocks it (codes of
    :data:`article8.core.vocabulary.CLOSING_BLOCKERS`, which the edge shows in words)."""

    status_code = 409

    def __init__(self, missing: Sequence[str]) -> None:
        super().__init__(N_("The incident cannot be closed yet: something required is missing."))
        self.missing = tuple(missing)
