"""The JSON API of the request and inquiry registers (issue 16), on the API blueprint.

``POST /requests`` is for a web form or a help desk to push what reached the company; a fee on a
kind that may not be charged is refused with 422 naming ``fee_yen``. Lists filter by state and
``overdue=true``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import g, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from article8.core import vocabulary
from article8.core.audit import Actor
from article8.core.errors import N_, ValidationError
from article8.core.models import User
from article8.privacy.inquiries import services as inquiries
from article8.privacy.requests import queries
from article8.privacy.requests import services as requests
from article8.privacy.requests.services import RequestInput
from article8.web.api.views import api_requires, bp
from article8.web.context import client_addr, db, now, settings, today
from article8.web.errors import translated
from article8.web.permissions import public


def _actor() -> Actor:
    """The token's owner, acting in their role."""
    user: User = g.api_user
    return Actor(user.id, user.email, client_addr(), user.role)


def _choice(name: str, allowed: tuple[str, ...]) -> str | None:
    """One of ``allowed`` from the query string, None when blank; 400 naming the choices."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if value not in allowed:
        raise ValidationError(
            N_("%(name)s: expected one of %(allowed)s, found '%(value)s'."),
            field=name,
            name=name,
            allowed=", ".join(allowed),
            value=value[:40],
        )
    return value


def _refused(error: ValidationError) -> ResponseReturnValue:
    return jsonify(error=translated(error), field=error.field), 422


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError(N_("Send a JSON object."), field="body")
    return body


def _text(body: dict[str, Any], name: str, *, required: bool = False, limit: int = 300) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise ValidationError(
            N_("%(name)s: expected text of at most %(count)d characters."),
            field=name,
            name=name,
            count=limit,
        )
    return value


def _instant(body: dict[str, Any], name: str) -> datetime:
    raw = body.get(name)
    try:
        value = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ValidationError(
            N_("%(name)s: expected a time with its offset, e.g. 2026-11-24T10:00:00+09:00."),
            field=name,
            name=name,
        )
    return value


def _request_json(found: Any) -> dict[str, Any]:
    systems = queries.systems_by_request(db(), [found.id])[found.id]
    body = queries.as_json(found, systems, settings().timezone)
    body["links"] = {
        "self": url_for("api.request_item", request_id=found.id),
        "page": url_for("requests.request_detail", request_id=found.id),
    }
    return body


@bp.post("/requests")
@public
@api_requires("request.manage")
def request_create() -> ResponseReturnValue:
    """Record a request that reached the company; 201 with the record and its deadlines."""
    try:
        body = _body()
        requester = body.get("requester")
        agent = body.get("agent")
        if not isinstance(requester, dict):
            raise ValidationError(
                N_("requester: expected an object with a name."), field="requester"
            )
        if agent is not None and not isinstance(agent, dict):
            raise ValidationError(
                N_("agent: expected an object with a kind and a name."), field="agent"
            )
        fee = body.get("fee_yen")
        if fee is not None and (isinstance(fee, bool) or not isinstance(fee, int)):
            raise ValidationError(N_("fee_yen: expected a whole number of yen."), field="fee_yen")
        data = RequestInput(
            kind=_text(body, "kind", required=True, limit=40),
            channel=_text(body, "channel") or "web_form",
            received_at=_instant(body, "received_at"),
            requester_name=_text(requester, "name", required=True, limit=200),
            requester_contact=_text(requester, "contact"),
            agent_kind=_text(agent, "kind", limit=40) if agent else None,
            agent_name=_text(agent, "name", limit=200) if agent else None,
            data_concerned=_text(body, "data_concerned", limit=requests.MAX_TEXT),
            disclosure_method=_text(body, "disclosure_method", limit=20) or None,
            fee_yen=fee,
            fee_state="charged" if fee is not None else None,
        )
        found = requests.receive(
            db(), _actor(), data, now=now(), deadlines=requests.deadline_rules(db(), settings())
        )
    except ValidationError as error:
        return _refused(error)
    return (
        jsonify(_request_json(found)),
        201,
        {"Location": url_for("api.request_item", request_id=found.id)},
    )


@bp.get("/requests")
@public
@api_requires("request.read")
def request_list() -> ResponseReturnValue:
    """Requests newest first (an inspector's token: those assigned to them)."""
    state = _choice("state", vocabulary.REQUEST_STATES.codes)
    overdue = _choice("overdue", ("true", "false")) == "true"
    found = queries.list_requests(db(), _actor(), today=today(), state=state, overdue=overdue)
    systems = queries.systems_by_request(db(), [r.id for r in found])
    tz = settings().timezone
    return jsonify(items=[queries.as_json(r, systems[r.id], tz) for r in found])


@bp.get("/requests/<id:request_id>")
@public
@api_requires("request.read")
def request_item(request_id: int) -> ResponseReturnValue:
    """One request with ``due``, ``statutory_marker``, ``fee_allowed`` and ``state``."""
    return jsonify(_request_json(requests.visible_request(db(), _actor(), request_id)))


@bp.post("/inquiries")
@public
@api_requires("inquiry.manage")
def inquiry_create() -> ResponseReturnValue:
    """Record an inquiry or complaint; 201 with the record and its first-reply due day."""
    try:
        body = _body()
        found = inquiries.receive(
            db(),
            _actor(),
            kind=_text(body, "kind", required=True, limit=20),
            channel=_text(body, "channel") or "web_form",
            received_at=_instant(body, "received_at"),
            subject=_text(body, "subject", required=True),
            details=_text(body, "details", limit=inquiries.MAX_TEXT),
            contact=_text(body, "contact"),
            now=now(),
            deadlines=requests.deadline_rules(db(), settings()),
        )
    except ValidationError as error:
        return _refused(error)
    return jsonify(queries.inquiry_json(found, settings().timezone, None)), 201


@bp.get("/inquiries")
@public
@api_requires("inquiry.read")
def inquiry_list() -> ResponseReturnValue:
    """Inquiries and complaints newest first."""
    state = _choice("state", vocabulary.INQUIRY_STATES.codes)
    overdue = _choice("overdue", ("true", "false")) == "true"
    found = queries.list_inquiries(db(), today=today(), state=state, overdue=overdue)
    links = queries.converted_requests(db(), [i.id for i in found])
    tz = settings().timezone
    return jsonify(items=[queries.inquiry_json(i, tz, links.get(i.id)) for i in found])
