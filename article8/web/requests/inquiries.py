"""Inquiry and complaint pages (法40条), on the requests blueprint: the register, recording one,
the first reply, converting one into a request, linking a complaint to a finding, closing."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from article8.core import roles, vocabulary
from article8.core.models import User
from article8.evidence.blobstore import evidence_store
from article8.evidence.services import EvidenceInput, add_evidence
from article8.privacy.inquiries import services as service
from article8.privacy.inquiries.models import Inquiry
from article8.privacy.requests import queries
from article8.privacy.requests import services as requests
from article8.privacy.requests.services import RequestInput
from article8.web import edge
from article8.web.context import actor, db, now, settings, today
from article8.web.evidence.files import max_bytes
from article8.web.forms import chosen_id, user_choices
from article8.web.permissions import can, requires
from article8.web.requests.forms import (
    AssignForm,
    CloseInquiryForm,
    ConvertForm,
    FindingLinkForm,
    InquiryForm,
    ReplyForm,
)
from article8.web.requests.views import bp


def _to_inquiry(inquiry_id: int) -> ResponseReturnValue:
    return redirect(url_for("requests.inquiry_detail", inquiry_id=inquiry_id))


def _local_now() -> Any:
    return now().astimezone(settings().timezone).replace(second=0, microsecond=0, tzinfo=None)


@bp.get("/inquiries/")
@requires("inquiry.read")
def inquiry_list() -> ResponseReturnValue:
    """Inquiries and complaints newest first, with the first-reply clock."""
    args = request.args
    state, kind = args.get("state", ""), args.get("kind", "")
    day = today()
    found = queries.list_inquiries(
        db(),
        today=day,
        state=state if state in vocabulary.INQUIRY_STATES else None,
        kind=kind if kind in vocabulary.INQUIRY_KINDS else None,
        overdue=args.get("overdue") == "true",
    )
    return render_template(
        "requests/inquiries.html",
        inquiries=found,
        clocks={i.id: queries.inquiry_clock(i, day) for i in found},
        states=vocabulary.INQUIRY_STATES.codes,
        kinds=vocabulary.INQUIRY_KINDS.codes,
        args=args,
    )


def _render_new(form: InquiryForm, status: int = 200) -> ResponseReturnValue:
    return render_template("requests/inquiry_new.html", form=form), status


@bp.route("/inquiries/new", methods=["GET", "POST"])
@requires("inquiry.manage")
def inquiry_new() -> ResponseReturnValue:
    """Record an inquiry or complaint."""
    form = InquiryForm()
    if request.method == "GET":
        form.received_at.data = _local_now()
        return _render_new(form)
    if not form.validate_on_submit() or form.received_at.data is None:
        return _render_new(form, 400)
    edge.on_refusal(lambda _error: _render_new(form, 400), form=form)
    found = service.receive(
        db(),
        actor(),
        kind=form.kind.data or "",
        channel=form.channel.data or "",
        received_at=form.received_at.data.replace(tzinfo=settings().timezone),
        subject=form.subject.data or "",
        details=form.details.data or "",
        contact=form.contact.data or "",
        now=now(),
        deadlines=requests.deadline_rules(db(), settings()),
    )
    flash(_("The inquiry has been recorded."), "success")
    return _to_inquiry(found.id)


def _managers() -> list[User]:
    people = db().scalars(select(User).where(User.active.is_(True)).order_by(User.display_name))
    return [u for u in people if roles.has(u.role, "inquiry.manage")]


def _render(found: Inquiry, status: int = 200, **forms: Any) -> ResponseReturnValue:
    manager = can("inquiry.manage")
    converted = service.converted_request(db(), found)
    if manager and found.state != "closed":
        assign = forms.setdefault("assign_form", AssignForm(formdata=None))
        assign.owner_id.choices = user_choices(_managers(), empty=_("Nobody"))
        assign.owner_id.data = str(found.owner_id or "")
        if found.first_reply_at is None:
            forms.setdefault("reply_form", ReplyForm(formdata=None, replied_at=_local_now()))
        if converted is None:
            forms.setdefault("convert_form", ConvertForm(formdata=None))
        if found.kind == "complaint":
            forms.setdefault(
                "finding_form", FindingLinkForm(formdata=None, finding_id=found.finding_id)
            )
        forms.setdefault("close_form", CloseInquiryForm(formdata=None))
    page = render_template(
        "requests/inquiry.html",
        found=found,
        converted=converted,
        clock=queries.inquiry_clock(found, today()),
        manager=manager,
        **forms,
    )
    return page, status


@bp.get("/inquiries/<id:inquiry_id>")
@requires("inquiry.read")
def inquiry_detail(inquiry_id: int) -> ResponseReturnValue:
    """One inquiry or complaint."""
    return _render(service.get_inquiry(db(), inquiry_id))


@bp.post("/inquiries/<id:inquiry_id>/assign")
@requires("inquiry.manage")
def inquiry_assign(inquiry_id: int) -> ResponseReturnValue:
    """Give the inquiry to someone to answer."""
    found = service.get_inquiry(db(), inquiry_id)
    form = AssignForm()
    form.owner_id.choices = user_choices(_managers(), empty="")
    if not form.validate_on_submit():
        return _render(found, 400, assign_form=form)
    owner_id = chosen_id(form.owner_id)
    edge.on_refusal(lambda _error: _to_inquiry(inquiry_id), announce=True)
    service.assign(db(), actor(), found, db().get(User, owner_id) if owner_id else None, now=now())
    return _to_inquiry(inquiry_id)


@bp.post("/inquiries/<id:inquiry_id>/reply")
@requires("inquiry.manage")
def inquiry_reply(inquiry_id: int) -> ResponseReturnValue:
    """Record when the first reply went out."""
    found = service.get_inquiry(db(), inquiry_id)
    form = ReplyForm()
    if not form.validate_on_submit() or form.replied_at.data is None:
        return _render(found, 400, reply_form=form)
    edge.on_refusal(
        lambda _error: _render(found, 400, reply_form=form), form=form, fields={"*": "replied_at"}
    )
    replied_at = form.replied_at.data.replace(tzinfo=settings().timezone)
    service.check_first_reply(actor(), found, replied_at=replied_at, now=now())
    upload = form.file.data
    item = None
    if upload is not None and upload.filename:
        item = add_evidence(
            db(),
            evidence_store(settings()),
            actor(),
            upload.stream,
            EvidenceInput(
                filename=upload.filename,
                title=_("First reply to inquiry %(id)d", id=found.id),
                collected_on=replied_at.date(),
                control_codes=(requests.REQUESTS_CONTROL,),
            ),
            max_bytes=max_bytes(),
            now=now(),
        )
    service.record_first_reply(
        db(),
        actor(),
        found,
        replied_at=replied_at,
        now=now(),
        evidence_id=item.id if item else None,
        sha256=item.sha256 if item else None,
    )
    flash(_("The first reply has been recorded."), "success")
    return _to_inquiry(inquiry_id)


@bp.post("/inquiries/<id:inquiry_id>/convert")
@requires("inquiry.manage")
def inquiry_convert(inquiry_id: int) -> ResponseReturnValue:
    """Open a request in the request register for this inquiry; the link is kept."""
    found = service.get_inquiry(db(), inquiry_id)
    form = ConvertForm()
    if not form.validate_on_submit():
        return _render(found, 400, convert_form=form)
    edge.on_refusal(lambda _error: _render(found, 400, convert_form=form), form=form)
    created = service.convert_to_request(
        db(),
        actor(),
        found,
        RequestInput(
            kind=form.kind.data or "",
            channel=found.channel,
            received_at=found.received_at,
            requester_name=form.requester_name.data or "",
            requester_contact=found.contact,
        ),
        now=now(),
        deadlines=requests.deadline_rules(db(), settings()),
    )
    flash(_("The inquiry is now request %(id)d.", id=created.id), "success")
    return redirect(url_for("requests.request_detail", request_id=created.id))


@bp.post("/inquiries/<id:inquiry_id>/finding")
@requires("inquiry.manage")
def inquiry_finding(inquiry_id: int) -> ResponseReturnValue:
    """Link a complaint to the finding it showed."""
    found = service.get_inquiry(db(), inquiry_id)
    form = FindingLinkForm()
    if not form.validate_on_submit():
        return _render(found, 400, finding_form=form)
    edge.on_refusal(lambda _error: _render(found, 400, finding_form=form), form=form)
    service.link_finding(db(), actor(), found, form.finding_id.data, now=now())
    return _to_inquiry(inquiry_id)


@bp.post("/inquiries/<id:inquiry_id>/close")
@requires("inquiry.manage")
def inquiry_close(inquiry_id: int) -> ResponseReturnValue:
    """Close the inquiry with its outcome."""
    found = service.get_inquiry(db(), inquiry_id)
    form = CloseInquiryForm()
    if not form.validate_on_submit():
        return _render(found, 400, close_form=form)
    edge.on_refusal(lambda _error: _render(found, 400, close_form=form), form=form)
    service.close(db(), actor(), found, outcome=form.outcome.data or "", now=now())
    flash(_("The inquiry has been closed."), "success")
    return _to_inquiry(inquiry_id)
