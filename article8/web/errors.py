"""Domain errors and HTTP errors, mapped to responses once."""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from article8.core import roles
from article8.core.errors import N_, DomainError, Phrase
from article8.core.tabular import Problem
from article8.web import edge
from article8.web.evidence.files import too_large_message
from article8.web.problems import describe
from article8.web.templating import role_name

log = logging.getLogger(__name__)


def translated(error: DomainError | Phrase) -> str:
    """The error's message in the user's language, the phrases it is made of included."""
    detail = getattr(error, "detail", None)
    if isinstance(detail, Problem):
        # A file problem is said from its structured fields (place, code, expected, found).
        return describe(detail)
    params = {
        name: translated(value) if isinstance(value, Phrase) else value
        for name, value in error.params.items()
    }
    return gettext(error.template, **params)


def register(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> ResponseReturnValue:
        # A page that shows its form again with the message on the field at fault (the edge
        # rolls back first); anything else gets the generic answer, and the edge rolls back.
        answer = None if _wants_json() else edge.refusal_for(error)
        if answer is not None:
            return answer
        return _respond(error.status_code, translated(error), getattr(error, "field", None))

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> ResponseReturnValue:
        return _respond(
            400,
            gettext(
                "The form has expired or was not sent from this site. "
                "Please reload the page and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        if _wants_json():
            # The API's answers stay short and stable; the pages below explain more.
            short = {
                403: gettext("You do not have permission to open this page."),
                404: gettext("The page was not found."),
                405: gettext("This method is not allowed here."),
                413: gettext("The upload is larger than the allowed maximum."),
            }
            return _respond(status, short.get(status, error.description))
        if status == 403:
            return _forbidden()
        messages = {
            404: gettext(
                "The page was not found. The address may be mistyped, or what it showed "
                "no longer exists."
            ),
            405: gettext(
                "This address only takes a form sent from its page and cannot be opened "
                "directly. Go back to the previous page and try again."
            ),
            413: too_large_message(),
        }
        return _respond(status, messages.get(status, error.description))


# Where a refused person may go instead: (permission, endpoint, label), in menu order.
_INSTEAD = (
    ("posture.read", "dashboard.dashboard_page", N_("Dashboard")),
    ("inspection.perform", "inspections.mine", N_("My inspections")),
    ("inspection.read", "inspections.inspection_list", N_("Inspections")),
    ("finding.read", "findings.finding_list", N_("Findings")),
    ("evidence.read", "evidence.evidence_list", N_("Evidence")),
    ("audit.read", "audit.event_list", N_("Audit trail")),
    (
        "incident.report",
        "incidents.report",
        N_("Report a personal-data incident or rule breach (near misses included)"),
    ),
)
# Permissions that only read, or concern one's own account: a role holding nothing else only reads.
_NOT_WRITING = frozenset({"account.own", "token.own", "incident.report"})


def _read_only(role: str) -> bool:
    return not any(
        roles.has(role, p) for p in roles.PERMISSIONS - _NOT_WRITING if not p.endswith(".read")
    )


def _forbidden() -> ResponseReturnValue:
    """403 as a page: what the signed-in role may do instead, with links to it."""
    role = current_user.role if current_user.is_authenticated else None
    message = gettext("You do not have permission to open this page.")
    note = None
    if role is not None:
        name = role_name(role)
        if _read_only(role):
            note = gettext(
                "Your role (%(role)s) may read but not change: the pages below are open to you.",
                role=name,
            )
        else:
            note = gettext("Your role (%(role)s) may use the pages below.", role=name)
    instead = [
        (gettext(label), url_for(endpoint))
        for permission, endpoint, label in _INSTEAD
        if role is not None
        and roles.has(role, permission)
        and endpoint in current_app.view_functions
    ]
    page = render_template(
        "error.html", status=403, message=message, role_note=note, instead=instead
    )
    return page, 403


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _respond(status: int, message: str, field: str | None = None) -> ResponseReturnValue:
    if _wants_json():
        # The same shape as the API's own refusals: the message, and the input at fault if any.
        return jsonify(error=message, **({"field": field} if field else {})), status
    return render_template("error.html", status=status, message=message), status
