"""Why an audit package could not be made."""

from __future__ import annotations

from article8.core.errors import DomainError


class PackageError(DomainError):
    """An evidence file cannot go into the package as recorded (missing, or changed in the
    store); nothing is written. ``article8 evidence verify`` lists every such file."""

    status_code = 409
