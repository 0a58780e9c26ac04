"""Domain errors and HTTP errors, mapped to responses once."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from article8.core.errors import DomainError, Phrase
from article8.core.tabular import Problem
from article8.web import edge
from article8.web.problems import describe

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
        messages = {
            403: gettext("You do not have permission to open this page."),
            404: gettext("The page was not found."),
            405: gettext("This method is not allowed here."),
            413: gettext("The upload is larger than the allowed maximum."),
        }
        return _respond(error.code or 500, messages.get(error.code or 500, error.description))


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _respond(status: int, message: str, field: str | None = None) -> ResponseReturnValue:
    if _wants_json():
        # The same shape as the API's own refusals: the message, and the input at fault if any.
        return jsonify(error=message, **({"field": field} if field else {})), status
    return render_template("error.html", status=status, message=message), status
