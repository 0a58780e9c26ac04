"""Domain errors of the kernel; every package's errors derive from :class:`DomainError`.

Messages are English templates marked with :func:`N_` so that the web layer can translate them
(``gettext(error.template, **error.params)``) while services stay free of Flask-Babel.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (extracted by pybabel)."""
    return message


class Phrase:
    """A marked message template and its parameters: part of a message, translated where shown.

    Errors built from parts (a file's name and place, then what is wrong there) carry the
    variable part as a Phrase so that the web layer translates it too; ``str()`` is English.
    """

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params

    def __str__(self) -> str:
        return self.template % self.params if self.params else self.template

    def __repr__(self) -> str:
        return f"Phrase({str(self)!r})"


class DomainError(Exception):
    """A rule of the domain was broken; the message is meant for a person."""

    status_code = 400

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)

    @property
    def message(self) -> str:
        """The English message with its parameters filled in."""
        return str(self)


class ConfigError(DomainError):
    """A configuration variable has a bad value."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__("%(variable)s: %(problem)s", variable=variable, problem=problem)
        self.variable = variable


class NotFound(DomainError):
    """The object asked for does not exist."""

    status_code = 404


class PermissionDenied(DomainError):
    """The actor may not do this."""

    status_code = 403


class ValidationError(DomainError):
    """Input does not meet the rules; ``field`` names the field at fault when there is one."""

    def __init__(self, template: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(template, **params)
        self.field = field


class AuthenticationError(DomainError):
    """Sign-in failed; the message never reveals whether the account exists."""

    status_code = 401


class LockedOut(AuthenticationError):
    """Too many failed attempts; sign-in is refused until ``until``."""

    status_code = 429
