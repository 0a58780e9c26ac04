"""Errors of the inquiry register: the same refusal of a state change as the request register."""

from __future__ import annotations

from article8.privacy.requests.errors import TransitionRefused

__all__ = ["TransitionRefused"]
