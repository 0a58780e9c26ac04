"""The JSON API under /api/v1: evidence for scripts and CI pipelines, with per-user API tokens.

Views are ``@public`` to the session-login layer; this blueprint authenticates every request
itself from ``Authorization: Bearer a8_…`` and never from the session cookie, so a browser's
cookie cannot be used to call the API (and the API needs no CSRF protection).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from article8.access.errors import AccessLogError
from article8.access.ingest import ImportReport, Reject, import_access_log
from article8.access.models import LOG_KINDS
from article8.access.rules import RuleSettings
from article8.core import roles, tokens
from article8.core.audit import Actor
from article8.core.errors import N_, ValidationError
from article8.core.models import User
from article8.core.tabular import MappingError, parse_mapping
from article8.core.vocabulary import PROVISION_BASES, PROVISION_DIRECTIONS  # issue 17
from article8.evidence import queries, services
from article8.evidence.blobstore import evidence_store
from article8.evidence.models import EVIDENCE_STATES, EvidenceItem
from article8.privacy.provisions import queries as provision_queries  # issue 17
from article8.privacy.provisions import services as provision_services  # issue 17
from article8.privacy.provisions.models import ProvisionRecord  # issue 17
from article8.web import edge, packages
from article8.web.api.openapi import document
from article8.web.api.provision_input import provision_changes, provision_input  # issue 17
from article8.web.context import client_addr, db, now, settings, today
from article8.web.errors import translated
from article8.web.evidence.files import max_bytes, send_evidence, too_large_message
from article8.web.extensions import csrf
from article8.web.params import ID_MAX, day_arg, id_arg, int_arg
from article8.web.permissions import public
from article8.web.problems import describe

F = TypeVar("F", bound=Callable[..., Any])

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies authenticate here, so there is no cross-site request to forge

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
MAX_REJECTS = 100


def api_requires(permission: str) -> Callable[[F], F]:
    """Allow an API view to tokens whose user's role holds ``permission`` (see core.roles)."""
    roles.roles_with(permission)  # an unknown name fails at import

    def decorate(view: F) -> F:
        view._api_permission = permission  # type: ignore[attr-defined]
        return view

    return decorate


def _challenge(message: str, error: str | None = None) -> ResponseReturnValue:
    value = 'Bearer realm="article8"' + (f', error="{error}"' if error else "")
    return jsonify(error=message), 401, {"WWW-Authenticate": value}


@bp.before_request
def _authenticate() -> ResponseReturnValue | None:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or request.endpoint == "api.openapi":
        return None  # unknown path (404) or the public description
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return _challenge(_("An API token is required (Authorization: Bearer <token>)."))
    # The token's last use is committed on its own: the request may still be refused.
    user = edge.separately(lambda: tokens.authenticate(db(), raw.strip(), now=now()))
    if not isinstance(user, User):
        return _challenge(_("The API token is not valid or has been revoked."), "invalid_token")
    g.api_user = user
    # Deny by default: a view without a decision is refused to every token.
    permission = getattr(view, "_api_permission", None)
    if permission is None or not roles.has(user.role, permission):
        return jsonify(error=_("Your role does not allow this.")), 403
    return None


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    return jsonify(error=too_large_message()), 413


def _actor() -> Actor:
    user = cast(User, g.api_user)
    return Actor(user.id, user.email, client_addr(), user.role)


def _item_json(item: EvidenceItem) -> dict[str, Any]:
    body = queries.as_json(item, today())
    body["links"] = {
        "self": url_for("api.evidence_item", item_id=item.id),
        "content": url_for("api.evidence_content", item_id=item.id),
        "page": url_for("evidence.evidence_detail", item_id=item.id),
    }
    return body


@bp.post("/evidence")
@public
@api_requires("evidence.upload")
def evidence_create() -> ResponseReturnValue:
    """Store one file (multipart field ``file``) as evidence; 201 with the item."""
    # A refusal (a DomainError) is answered as JSON by web/errors.py; the edge rolls back.
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError(N_("Send the file in the multipart field 'file'."), field="file")
    codes = [code for value in request.form.getlist("controls") for code in value.split(",")]
    data = services.EvidenceInput(
        filename=upload.filename,
        title=request.form.get("title", ""),
        description=request.form.get("description", ""),
        collected_on=day_arg(request.form, "collected_on") or today(),
        valid_until=day_arg(request.form, "valid_until"),
        control_codes=codes,
        inspection_id=id_arg(request.form, "inspection_id"),
        replaces_id=id_arg(request.form, "replaces_id"),
    )
    # Streamed from the request's part into the blob store, never read whole.
    item = services.add_evidence(
        db(),
        evidence_store(settings()),
        _actor(),
        upload.stream,
        data,
        max_bytes=max_bytes(),
        now=now(),
    )
    location = url_for("api.evidence_item", item_id=item.id)
    return jsonify(_item_json(item)), 201, {"Location": location}


@bp.get("/evidence")
@public
@api_requires("evidence.read")
def evidence_list() -> ResponseReturnValue:
    """Evidence, newest first, filtered like the evidence page."""
    args = request.args
    limit = int_arg(args, "limit", minimum=1, maximum=MAX_LIMIT, default=DEFAULT_LIMIT)
    offset = int_arg(args, "offset", minimum=0, maximum=ID_MAX, default=0)
    criteria = queries.EvidenceFilter(
        control_code=args.get("control", "").strip()[:20] or None,
        status=_choice(args, "status", EVIDENCE_STATES),
        freshness=_choice(args, "freshness", queries.FRESHNESS),
        inspection_id=id_arg(args, "inspection_id"),
        search=args.get("q", "").strip()[:200] or None,
    )
    assert limit is not None and offset is not None  # they have defaults
    items = queries.list_evidence(db(), criteria, today(), limit=limit, offset=offset)
    return jsonify(items=[_item_json(i) for i in items], limit=limit, offset=offset)


def _choice(args: Mapping[str, str], name: str, allowed: Sequence[str]) -> str | None:
    """One of ``allowed``, None when blank; 400 naming the choices otherwise."""
    value = args.get(name, "").strip()
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


@bp.get("/evidence/<id:item_id>")
@public
@api_requires("evidence.read")
def evidence_item(item_id: int) -> ResponseReturnValue:
    """One item's metadata; the view is recorded like a view of the evidence page."""
    item = services.get_item(db(), item_id)
    services.record_access(db(), _actor(), item, "evidence.view", now=now())
    edge.keep_changes()  # the view is on the record, though this is a GET
    return jsonify(_item_json(item))


@bp.get("/evidence/<id:item_id>/content")
@public
@api_requires("evidence.read")
def evidence_content(item_id: int) -> ResponseReturnValue:
    """The file itself; the download is recorded before it is sent."""
    return send_evidence(services.get_item(db(), item_id), _actor())


# --- access logs -------------------------------------------------------------------------------


def _log_mapping() -> dict[str, str]:
    try:
        return parse_mapping(request.form.getlist("map"))
    except MappingError as error:
        raise ValidationError(
            N_("map: expected COLUMN=FIELD, found '%(value)s'."), field="map", value=error.value
        ) from None


def _batch_json(report: ImportReport, rejects: list[Reject]) -> dict[str, Any]:
    tz = settings().timezone
    return {
        "id": report.batch_id,
        "filename": report.filename,
        "kind": report.kind,
        "sha256": report.sha256,
        "rows": report.rows,
        "rejected": report.rejected,
        "first_date": report.first_date.isoformat() if report.first_date else None,
        "last_date": report.last_date.isoformat() if report.last_date else None,
        "imported_by": report.imported_by,
        "imported_at": report.imported_at.astimezone(tz).isoformat()
        if report.imported_at
        else None,
        "duplicate": report.duplicate,
        "anomalies": report.anomalies.found,
        "rejects": [{"line": r.line, "column": r.column, "problem": r.problem} for r in rejects],
    }


@bp.errorhandler(AccessLogError)
def _log_refused(error: AccessLogError) -> ResponseReturnValue:
    """A bad line of an access log: 422 naming where (the edge rolls the import back)."""
    problem = error.detail
    body = {
        "error": translated(error),
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "code": problem.code.value,
        "expected": problem.expected,
        "found": problem.found,
        "problem": str(problem.message),
        "total": error.total,
        "problems": [
            {
                "error": describe(each),
                "line": each.line,
                "column": each.column,
                "code": each.code.value,
                "expected": each.expected,
                "found": each.found,
                "problem": str(each.message),
            }
            for each in error.problems
        ],
    }
    return jsonify(body), 422


@bp.post("/access-logs")
@public
@api_requires("access_log.upload")
def access_log_import() -> ResponseReturnValue:
    """Import one access log (multipart ``file``, ``kind``, optional ``map``, ``skip_invalid``).

    201 with the batch; 200 when the same file was imported before (nothing changed); 422 naming
    the line and column of a bad line (nothing stored); 400 for a bad request.
    """
    upload = request.files.get("file")
    rejects: list[Reject] = []

    def keep(reject: Reject) -> None:
        if len(rejects) < MAX_REJECTS:
            rejects.append(reject)

    try:
        if upload is None or not upload.filename:
            raise ValidationError(N_("Send the file in the multipart field 'file'."), field="file")
        kind = request.form.get("kind", "").strip()
        if kind not in LOG_KINDS:
            raise ValidationError(
                N_("kind: expected system or entry, found '%(value)s'."),
                field="kind",
                value=kind[:40],
            )
        skip = request.form.get("skip_invalid", "").strip().lower() in ("1", "true", "yes", "on")
        # The part is spooled to a temporary file by the parser; the import streams it.
        report = import_access_log(
            db(),
            upload.stream,
            filename=upload.filename,
            kind=kind,
            settings=RuleSettings.from_settings(settings()),
            actor=_actor(),
            now=now(),
            mapping=_log_mapping(),
            skip_invalid=skip,
            on_reject=keep,
        )
    finally:
        if upload is not None:
            upload.close()
    body = _batch_json(report, rejects)
    if report.duplicate:
        body["message"] = _(
            "%(name)s was already imported as batch %(id)d; nothing changed.",
            name=report.filename,
            id=report.batch_id,
        )
        return jsonify(body), 200
    return jsonify(body), 201


# issue 14: the audit package
@bp.get("/exports/package")
@public
@api_requires("posture.read")
def package_export() -> ResponseReturnValue:
    """The audit package (ZIP) for ``from``..``to`` in ``lang``; its SHA-256 is recorded."""
    period, language = packages.package_request(request.args, "ja")
    return packages.send_package(period, language, _actor())


@bp.get("/openapi.json")
@public
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 description of this API (no token needed)."""
    return jsonify(document(max_upload_mb=settings().max_upload_mb))


# --- issue 17: third-party provision and receipt records ---------------------------------------


def _provision_json(record: ProvisionRecord) -> dict[str, Any]:
    body = provision_queries.as_json(record)
    body["links"] = {
        "self": url_for("api.provision_item", record_id=record.id),
        "page": url_for("provisions.record_page", record_id=record.id),
    }
    return body


@bp.get("/provisions")
@public
@api_requires("provision.read")
def provision_list() -> ResponseReturnValue:
    """Provision and receipt records, newest first."""
    args = request.args
    limit = int_arg(args, "limit", minimum=1, maximum=MAX_LIMIT, default=DEFAULT_LIMIT)
    offset = int_arg(args, "offset", minimum=0, maximum=ID_MAX, default=0)
    assert limit is not None and offset is not None  # they have defaults
    criteria = provision_queries.ProvisionFilter(
        direction=_choice(args, "direction", PROVISION_DIRECTIONS.codes),
        basis=_choice(args, "basis", PROVISION_BASES.codes),
    )
    found = provision_queries.records(db(), criteria, limit=limit, offset=offset)
    return jsonify(items=[_provision_json(r) for r in found], limit=limit, offset=offset)


@bp.post("/provisions")
@public
@api_requires("provision.manage")
def provision_create() -> ResponseReturnValue:
    """Record one provision or receipt (e.g. pushed by a nightly partner export); 201."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError(N_("Send the record as a JSON object."))
    data = provision_input(body)
    record = provision_services.record_provision(db(), _actor(), data, now=now(), today=today())
    location = url_for("api.provision_item", record_id=record.id)
    return jsonify(_provision_json(record)), 201, {"Location": location}


@bp.route("/provisions/<id:record_id>", methods=["GET", "PATCH"])
@public
@api_requires("provision.read")
def provision_item(record_id: int) -> ResponseReturnValue:
    """GET: one record with its basis, record form and retention. PATCH (issue 17, p-edit):
    correct it — the fields sent change, with a ``reason``; 200 with the record, its retention
    computed again (never shorter); 422 naming the field at fault; 403 without
    provision.manage. One rule for both methods: with two, an id out of range answered 405."""
    record = provision_services.get_record(db(), record_id)
    if request.method == "GET":
        return jsonify(_provision_json(record))
    if not roles.has(_actor().role, "provision.manage"):
        return jsonify(error=_("Your role does not allow this.")), 403
    body = request.get_json(silent=True)
    try:
        if not isinstance(body, dict):
            raise ValidationError(N_("Send the record as a JSON object."), field="body")
        data, reason = provision_changes(body, provision_services.current_input(record))
        provision_services.update_provision(db(), _actor(), record, data, reason=reason, now=now())
    except ValidationError as error:
        # The edge rolls back (a status of 400 or more): nothing of the correction is kept.
        answer = {"error": translated(error)}
        if error.field:
            answer["field"] = error.field
        return jsonify(answer), 422
    return jsonify(_provision_json(record))


# --- end issue 17
# issue 15: the incident endpoints live in their own module on this blueprint.
from article8.web.api import incidents as _incidents  # noqa: E402, F401

# issue 16: the request and inquiry registers add their routes to this blueprint.
from article8.web.api import privacy as _privacy  # noqa: E402, F401
