"""Request pages: the register with its clocks, recording a request, and one request's work
from receipt through identity verification, decision and response to closing."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.access.queries import register_systems
from article8.core import roles, vocabulary
from article8.core.models import User
from article8.evidence.blobstore import evidence_store
from article8.evidence.models import EvidenceItem
from article8.evidence.services import EvidenceInput, add_evidence
from article8.privacy.inquiries.models import Inquiry
from article8.privacy.provisions.models import ProvisionRecord
from article8.privacy.requests import provision_records, queries
from article8.privacy.requests import services as service
from article8.privacy.requests.deadlines import DUE_SOON_DAYS
from article8.privacy.requests.models import DISCLOSURE_KINDS, PrivacyRequest
from article8.privacy.requests.services import RequestInput
from article8.web import edge
from article8.web.context import actor, db, now, settings, today
from article8.web.evidence.files import max_bytes
from article8.web.forms import chosen_id, user_choices
from article8.web.permissions import can, requires
from article8.web.requests.forms import (
    ActionForm,
    AssignForm,
    DecideForm,
    ExtractForm,
    FeeForm,
    IdentityDocumentForm,
    RequestForm,
    RespondForm,
    VerifyForm,
    WorkForm,
)

bp = Blueprint("requests", __name__, template_folder="templates")


def find_provision_records(
    session: Session, found: PrivacyRequest, name: str | None = None
) -> list[ProvisionRecord] | None:
    """The provision and receipt records that concern the requester (第三者提供記録の開示,
    法33条5項), or under ``name``, another spelling of it; None for other kinds of request."""
    if found.kind != provision_records.KIND:
        return None
    return provision_records.records_concerning(session, actor(), found, name)


def _search_name() -> str | None:
    return " ".join(request.args.get("name", "").split())[: provision_records.MAX_NAME] or None


def _request(request_id: int) -> PrivacyRequest:
    return service.visible_request(db(), actor(), request_id)


def _to_request(request_id: int) -> ResponseReturnValue:
    return redirect(url_for("requests.request_detail", request_id=request_id))


def _rules() -> service.Deadlines:
    return service.deadline_rules(db(), settings())


# --- the register ------------------------------------------------------------------------------


@bp.get("/requests/")
@requires("request.read")
def request_list() -> ResponseReturnValue:
    """Requests newest first with their clocks; filter by state, kind, overdue."""
    args = request.args
    state = args.get("state", "")
    kind = args.get("kind", "")
    overdue = args.get("overdue") == "true"
    day = today()
    found = queries.list_requests(
        db(),
        actor(),
        today=day,
        state=state if state in vocabulary.REQUEST_STATES else None,
        kind=kind if kind in vocabulary.REQUEST_KINDS else None,
        overdue=overdue,
    )
    return render_template(
        "requests/list.html",
        requests=found,
        only_mine=not queries.sees_all(actor()),
        clocks={r.id: queries.request_clock(r, day) for r in found},
        states=vocabulary.REQUEST_STATES.codes,
        kinds=vocabulary.REQUEST_KINDS.codes,
        args=args,
        today=day,
        due_soon_days=DUE_SOON_DAYS,
    )


def _render_new(form: RequestForm, status: int = 200) -> ResponseReturnValue:
    return render_template("requests/new.html", form=form), status


@bp.route("/requests/new", methods=["GET", "POST"])
@requires("request.manage")
def request_new() -> ResponseReturnValue:
    """Record a request that reached the company (by mail, letter, phone, in person, a form)."""
    form = RequestForm()
    if request.method == "GET":
        local_now = now().astimezone(settings().timezone)
        form.received_at.data = local_now.replace(second=0, microsecond=0, tzinfo=None)
        return _render_new(form)
    if not form.validate_on_submit() or form.received_at.data is None:
        return _render_new(form, 400)
    edge.on_refusal(lambda _error: _render_new(form, 400), form=form)
    fee = form.fee_yen.data
    found = service.receive(
        db(),
        actor(),
        RequestInput(
            kind=form.kind.data or "",
            channel=form.channel.data or "",
            received_at=form.received_at.data.replace(tzinfo=settings().timezone),
            requester_name=form.requester_name.data or "",
            requester_contact=form.requester_contact.data or "",
            agent_kind=form.agent_kind.data or None,
            agent_name=form.agent_name.data or None,
            disclosure_method=form.disclosure_method.data or None,
            data_concerned=form.data_concerned.data or "",
            fee_yen=fee,
            fee_state="charged" if fee is not None else None,
        ),
        now=now(),
        deadlines=_rules(),
    )
    flash(
        _("The request has been recorded. Its clock started on the day it was received."), "success"
    )
    return _to_request(found.id)


# --- one request -------------------------------------------------------------------------------


def _workers() -> list[User]:
    people = db().scalars(select(User).where(User.active.is_(True)).order_by(User.display_name))
    return [u for u in people if roles.has(u.role, "request.work")]


def _render(found: PrivacyRequest, status: int = 200, **forms: Any) -> ResponseReturnValue:
    manager = can("request.manage")
    open_ = found.state != "closed"
    systems = service.systems_of(db(), found)
    if manager and open_:
        assign = forms.setdefault("assign_form", AssignForm(formdata=None))
        assign.owner_id.choices = user_choices(_workers(), empty=_("Nobody"))
        assign.owner_id.data = str(found.owner_id or "")
        if found.state in ("received", "verifying"):
            forms.setdefault("verify_form", VerifyForm(formdata=None))
        if found.fee_allowed:
            forms.setdefault(
                "fee_form",
                FeeForm(formdata=None, fee_yen=found.fee_yen, fee_state=found.fee_state),
            )
        if found.state == "in_progress":
            forms.setdefault("decide_form", DecideForm(formdata=None))
        if found.state == "decided":
            forms.setdefault(
                "respond_form",
                RespondForm(formdata=None, responded_on=today(), method=found.disclosure_method),
            )
    if open_ and roles.may_work_on_request(actor(), found):
        work = forms.setdefault(
            "work_form",
            WorkForm(formdata=None, data_concerned=found.data_concerned, systems=systems),
        )
        known = register_systems(db())
        work.systems.choices = [(s, s) for s in sorted(set(known) | set(systems))]
    if open_ and can("request.identity"):
        forms.setdefault("identity_form", IdentityDocumentForm(formdata=None))
    inquiry = db().get(Inquiry, found.inquiry_id) if found.inquiry_id else None
    # issue 17: the provision-record disclosure (法33条5項).
    searched = _search_name()
    records = find_provision_records(db(), found, searched)
    attached = _attached_extracts(found) if records is not None else []
    if records is not None and open_ and roles.may_work_on_request(actor(), found):
        forms.setdefault("extract_form", ExtractForm(formdata=None, name=searched or ""))
    respond = forms.get("respond_form")
    if respond is not None and attached:
        respond.extract_id.choices = [("", "—")] + [
            (str(item.evidence_id), f"{item.evidence_id} · SHA-256 {item.sha256[:12]}…")
            for item, _evidence in attached
        ]
    page = render_template(
        "requests/request.html",
        found=found,
        systems=systems,
        clock=queries.request_clock(found, today()),
        today=today(),
        manager=manager,
        is_open=open_,
        needs_verification=found.kind in DISCLOSURE_KINDS,
        inquiry=inquiry,
        provision_records=records,
        searched_name=searched,
        attached_extracts=attached,
        extract_states=provision_records.EXTRACT_STATES,
        action_form=ActionForm(formdata=None),
        days_taken=queries.days_taken(found, settings().timezone),
        identity_documents=[
            db().get(EvidenceItem, i) for i in service.identity_documents(db(), actor(), found)
        ],
        **forms,
    )
    return page, status


def _attached_extracts(
    found: PrivacyRequest,
) -> list[tuple[provision_records.AttachedExtract, EvidenceItem | None]]:
    return [
        (item, db().get(EvidenceItem, item.evidence_id))
        for item in provision_records.extracts(db(), found)
    ]


@bp.get("/requests/<id:request_id>")
@requires("request.read")
def request_detail(request_id: int) -> ResponseReturnValue:
    """One request: who asked what, its clocks, identity verification, decision and response."""
    return _render(_request(request_id))


@bp.post("/requests/<id:request_id>/assign")
@requires("request.manage")
def assign(request_id: int) -> ResponseReturnValue:
    """Give the request to someone (an inspector retrieving the data, say)."""
    found = _request(request_id)
    form = AssignForm()
    form.owner_id.choices = user_choices(_workers(), empty="")
    if not form.validate_on_submit():
        return _render(found, 400, assign_form=form)
    owner_id = chosen_id(form.owner_id)
    owner = db().get(User, owner_id) if owner_id else None
    edge.on_refusal(lambda _error: _to_request(request_id), announce=True)
    service.assign(db(), actor(), found, owner, now=now())
    flash(_("The assignee has been changed."), "success")
    return _to_request(request_id)


@bp.post("/requests/<id:request_id>/verification")
@requires("request.manage")
def verification_start(request_id: int) -> ResponseReturnValue:
    """Start confirming the requester's identity."""
    return _step(request_id, service.start_verification)


@bp.post("/requests/<id:request_id>/verify")
@requires("request.manage")
def verify(request_id: int) -> ResponseReturnValue:
    """Record how identity was checked and the result."""
    found = _request(request_id)
    form = VerifyForm()
    if not form.validate_on_submit():
        return _render(found, 400, verify_form=form)
    edge.on_refusal(lambda _error: _render(found, 400, verify_form=form), form=form)
    service.record_verification(
        db(),
        actor(),
        found,
        method=form.method.data or "",
        result=form.result.data or "",
        now=now(),
    )
    flash(_("The identity verification has been recorded."), "success")
    return _to_request(request_id)


@bp.post("/requests/<id:request_id>/begin")
@requires("request.manage")
def begin(request_id: int) -> ResponseReturnValue:
    """Start the work (a disclosure only once identity is confirmed)."""
    return _step(request_id, service.begin_work)


@bp.post("/requests/<id:request_id>/fee")
@requires("request.manage")
def fee(request_id: int) -> ResponseReturnValue:
    """Record the fee charged, received or waived."""
    found = _request(request_id)
    form = FeeForm()
    if not form.validate_on_submit():
        return _render(found, 400, fee_form=form)
    edge.on_refusal(lambda _error: _render(found, 400, fee_form=form), form=form)
    service.set_fee(
        db(), actor(), found, fee_yen=form.fee_yen.data, fee_state=form.fee_state.data, now=now()
    )
    flash(_("The fee has been recorded."), "success")
    return _to_request(request_id)


@bp.post("/requests/<id:request_id>/work")
@requires("request.work")
def work(request_id: int) -> ResponseReturnValue:
    """Record the data concerned and the systems that hold it (the assignee may)."""
    found = _request(request_id)
    form = WorkForm()
    known = register_systems(db())
    form.systems.choices = [(s, s) for s in known]
    if not form.validate_on_submit():
        return _render(found, 400, work_form=form)
    edge.on_refusal(lambda _error: _render(found, 400, work_form=form), form=form)
    service.update_work(
        db(),
        actor(),
        found,
        data_concerned=form.data_concerned.data or "",
        systems=form.systems.data or [],
        known_systems=known,
        now=now(),
    )
    flash(_("Saved."), "success")
    return _to_request(request_id)


@bp.post("/requests/<id:request_id>/decide")
@requires("request.manage")
def decide(request_id: int) -> ResponseReturnValue:
    """Record the decision (with the ground and reasons when not granted in full)."""
    found = _request(request_id)
    form = DecideForm()
    if not form.validate_on_submit():
        return _render(found, 400, decide_form=form)
    edge.on_refusal(lambda _error: _render(found, 400, decide_form=form), form=form)
    service.decide(
        db(),
        actor(),
        found,
        decision=form.decision.data or "",
        refusal_ground=form.refusal_ground.data or None,
        reasons=form.reasons.data or "",
        now=now(),
    )
    flash(_("The decision has been recorded."), "success")
    return _to_request(request_id)


@bp.post("/requests/<id:request_id>/respond")
@requires("request.manage")
def respond(request_id: int) -> ResponseReturnValue:
    """Record the response sent; its copy is stored as evidence with its SHA-256."""
    found = _request(request_id)
    form = RespondForm()
    if not form.validate_on_submit() or form.responded_on.data is None:
        return _render(found, 400, respond_form=form)
    chosen = chosen_id(form.extract_id)
    if chosen is None and (form.extract_id.data or not form.file.data):
        form.file.errors = [_("Attach the copy of the response or choose an attached extract.")]
        return _render(found, 400, respond_form=form)
    edge.on_refusal(lambda _error: _render(found, 400, respond_form=form), form=form)
    tz = settings().timezone
    method = form.method.data or ""
    # Checked before the copy is stored, so a refused response leaves no evidence behind.
    service.check_response(
        actor(), found, responded_on=form.responded_on.data, method=method, now=now(), tz=tz
    )
    if chosen is not None:
        # An extract already attached serves as the copy (issue 17): it is evidence already.
        extract = provision_records.attached_extract(db(), found, chosen)
        evidence_id, sha256 = extract.evidence_id, extract.sha256
    else:
        upload = form.file.data
        item = add_evidence(
            db(),
            evidence_store(settings()),
            actor(),
            upload.stream,
            EvidenceInput(
                filename=upload.filename or "response",
                title=_("Response to request %(id)d", id=found.id),
                collected_on=form.responded_on.data,
                control_codes=(service.REQUESTS_CONTROL,),
            ),
            max_bytes=max_bytes(),
            now=now(),
        )
        evidence_id, sha256 = item.id, item.sha256
    service.record_response(
        db(),
        actor(),
        found,
        evidence_id=evidence_id,
        sha256=sha256,
        responded_on=form.responded_on.data,
        method=method,
        now=now(),
        tz=tz,
    )
    flash(_("The response has been recorded and its copy stored as evidence."), "success")
    return _to_request(request_id)


@bp.post("/requests/<id:request_id>/identity")
@requires("request.identity")
def identity_document(request_id: int) -> ResponseReturnValue:
    """Keep a copy of an identity document as restricted evidence (managers only see it)."""
    found = _request(request_id)
    form = IdentityDocumentForm()
    if not form.validate_on_submit():
        return _render(found, 400, identity_form=form)
    edge.on_refusal(lambda _error: _render(found, 400, identity_form=form), form=form)
    service.check_identity_document(actor(), found)
    upload = form.file.data
    item = add_evidence(
        db(),
        evidence_store(settings()),
        actor(),
        upload.stream,
        EvidenceInput(
            filename=upload.filename or "identity",
            title=_("Identity document for request %(id)d", id=found.id),
            collected_on=today(),
            control_codes=(service.REQUESTS_CONTROL,),
            restricted=True,
        ),
        max_bytes=max_bytes(),
        now=now(),
    )
    service.add_identity_document(
        db(), actor(), found, evidence_id=item.id, sha256=item.sha256, now=now()
    )
    flash(
        _("The copy has been stored. Only the responsible person and administrators see it."),
        "success",
    )
    return _to_request(request_id)


@bp.post("/requests/<id:request_id>/provision-extract")
@requires("request.work")
def provision_extract(request_id: int) -> ResponseReturnValue:
    """Attach an extract of the provision and receipt records concerning the person (法33条5項):
    a CSV stored as evidence with its SHA-256; one that lists nothing shows the search was done."""
    found = _request(request_id)
    form = ExtractForm()
    if not form.validate_on_submit():
        return _render(found, 400, extract_form=form)
    name = " ".join((form.name.data or "").split()) or None
    edge.on_refusal(lambda _error: _to_request(request_id), announce=True)
    # Checked (inside extract) before the file is stored, so a refusal leaves no evidence behind.
    content, record_ids = provision_records.extract(db(), actor(), found, name, translate=_)
    item = add_evidence(
        db(),
        evidence_store(settings()),
        actor(),
        io.BytesIO(content),
        EvidenceInput(
            filename=f"provision-records-extract-request-{found.id}-{today().isoformat()}.csv",
            title=_("Extract of provision and receipt records for request %(id)d", id=found.id),
            description=(
                ngettext(
                    "Lists %(num)d provision or receipt record.",
                    "Lists %(num)d provision or receipt records.",
                    len(record_ids),
                )
                if record_ids
                else _("No provision or receipt records concern the person.")
            ),
            collected_on=today(),
            control_codes=(service.REQUESTS_CONTROL,),
        ),
        max_bytes=max_bytes(),
        now=now(),
    )
    provision_records.attach_extract(
        db(),
        actor(),
        found,
        name=name,
        evidence_id=item.id,
        sha256=item.sha256,
        record_ids=record_ids,
        now=now(),
    )
    flash(_("The extract has been stored as evidence and attached to the request."), "success")
    if name:
        return redirect(url_for("requests.request_detail", request_id=request_id, name=name))
    return _to_request(request_id)


@bp.post("/requests/<id:request_id>/close")
@requires("request.manage")
def close(request_id: int) -> ResponseReturnValue:
    """Close a request that has been responded to."""
    return _step(request_id, service.close, done=_("The request has been closed."))


def _step(request_id: int, move: Callable[..., None], *, done: str | None = None) -> Any:
    """A step that takes no fields (a button): ``move`` the request on, or say why not."""
    found = _request(request_id)
    if not ActionForm().validate_on_submit():
        return _render(found, 400)
    edge.on_refusal(lambda _error: _to_request(request_id), announce=True)
    move(db(), actor(), found, now=now())
    if done:
        flash(done, "success")
    return _to_request(request_id)


from article8.web.requests import inquiries as _inquiries  # noqa: E402, F401  (same blueprint)
