"""The request edge: one transaction per request, committed or rolled back in one place.

A view parses its input, authorises, calls one service and returns; it never commits. After a
successful POST, PUT, PATCH or DELETE (a status below 400) the edge commits the request's
session once; after anything else (a GET, a refusal, an exception) it rolls back. The mail the
request queued in the outbox is delivered after the commit (only those rows; the scheduler's
outbox job retries whatever fails). A view that expects a service to refuse its input says how
to show the form again (:func:`on_refusal`); the error handler then rolls back, puts the
service's message on the form field it names (:func:`put_on_form`) and renders.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, Response, flash, g, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from article8.core import outbox
from article8.core.errors import DomainError, ValidationError
from article8.core.mail import mailer_from_settings
from article8.web.context import database, db, now, settings

log = logging.getLogger(__name__)

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
T = TypeVar("T")


@dataclass(frozen=True)
class Refusal:
    """How the current view shows its form again when a service refuses the input."""

    render: Callable[[DomainError], ResponseReturnValue]
    form: FlaskForm | None = None
    fields: Mapping[str, str] | None = None
    catch: tuple[type[DomainError], ...] = (ValidationError,)
    keep_earlier: bool = False
    announce: bool = False


def register(app: Flask) -> None:
    """Install the commit-or-roll-back step at the end of every request."""
    app.after_request(finish)


def on_refusal(
    render: Callable[[DomainError], ResponseReturnValue],
    *,
    form: FlaskForm | None = None,
    fields: Mapping[str, str] | None = None,
    catch: tuple[type[DomainError], ...] = (ValidationError,),
    keep_earlier: bool = False,
    announce: bool = False,
) -> None:
    """When a service raises one of ``catch`` during this request, roll back, put its message
    on ``form`` (see :func:`put_on_form`) and answer
    with ``render(error)`` (which shows the message itself when there is no form).
    ``keep_earlier`` keeps (and commits) what was written before the failing savepoint instead
    of rolling it back. ``announce`` flashes the message above the page (no form field)."""
    g.edge_refusal = Refusal(render, form, fields, catch, keep_earlier, announce)


def refusal_for(error: DomainError) -> ResponseReturnValue | None:
    """The view's own answer to ``error`` (see :func:`on_refusal`), or None for the generic one."""
    refusal: Refusal | None = g.pop("edge_refusal", None)
    if refusal is None or not isinstance(error, refusal.catch):
        return None
    session = g.get("db_session")
    if refusal.keep_earlier:
        keep_changes()
    elif session is not None:
        # Show the form again over the stored state, not over what the service half-changed.
        session.rollback()
        outbox.forget_queued(session)
    if refusal.form is not None:
        put_on_form(refusal.form, error, refusal.fields)
    elif refusal.announce:
        flash_error(error)
    return refusal.render(error)


def put_on_form(
    form: FlaskForm | None,
    error: DomainError,
    fields: Mapping[str, str] | None = None,
    default: str | None = None,
) -> bool:
    """Put ``error``'s message on the form field it names (flash it when none); True if placed.

    Without ``fields`` the service's field name is the form's (``default`` when the form has no
    such field); with ``fields`` only the names it maps (service field → form field, ``"*"`` for
    any other) reach a field.
    """
    from article8.web.errors import translated

    name = getattr(error, "field", None) or ""
    if fields is not None:
        name = fields.get(name, fields.get("*", ""))
    elif default is not None and not (form is not None and name and hasattr(form, name)):
        name = default
    target = getattr(form, name, None) if form is not None and name else None
    if target is None or not hasattr(target, "errors"):
        flash(translated(error), "danger")
        return False
    target.errors = [*target.errors, translated(error)]
    return True


def flash_error(error: DomainError) -> None:
    """Show ``error``'s message above the page."""
    from article8.web.errors import translated

    flash(translated(error), "danger")


def keep_changes() -> None:
    """Commit what this request wrote even though it answers with a refusal or to a GET (a
    failed sign-in is recorded; a download is logged)."""
    g.edge_keep = True


def separately(work: Callable[[], T]) -> T | DomainError:
    """Do one item of a batch whose items stand alone (each uploaded file): committed when it
    succeeds, so a later failure does not undo it; rolled back, and its error returned, when a
    service refuses it."""
    session = db()
    try:
        result = work()
    except DomainError as error:
        session.rollback()
        outbox.forget_queued(session)
        return error
    session.commit()
    _deliver(outbox.queued_ids(session))
    return result


def in_savepoint(work: Callable[[], T]) -> T | DomainError:
    """Do one item of a request that also changes other things (files uploaded with a draft):
    its writes join the request's transaction when it succeeds; only its own writes are rolled
    back, and its error returned, when a service refuses it. (Mail queued inside a refused item
    would stay on the request's list: the items done this way queue none.)"""
    session = db()
    savepoint = session.begin_nested()
    try:
        result = work()
    except DomainError as error:
        savepoint.rollback()
        return error
    savepoint.commit()
    return result


def finish(response: Response) -> Response:
    """``after_request``: commit a successful write (or a kept change), roll back anything else,
    then deliver the mail the committed request queued."""
    session = g.get("db_session")
    if session is None:
        return response
    keep = g.pop("edge_keep", False)
    if keep or (request.method in WRITES and response.status_code < 400):
        # The one commit of the request: services only flush.
        session.commit()
        _deliver(outbox.queued_ids(session))
    else:
        session.rollback()
        outbox.forget_queued(session)
    return response


def _deliver(ids: list[int]) -> None:
    """Mail what the committed request queued; a failure stays queued for the scheduler."""
    if not ids:
        return
    try:
        outbox.deliver_pending(database(), mailer_from_settings(settings()), now=now(), only=ids)
    except Exception:  # the change is committed: a mail problem must not turn it into an error
        log.exception("delivering the notifications of a request failed; the scheduler retries")
