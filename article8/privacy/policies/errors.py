"""Errors of the privacy-policy register."""

from __future__ import annotations

from article8.core.errors import ValidationError


class PolicyInvalid(ValidationError):
    """A privacy-policy version does not meet the rules of the register."""
