"""Corrective actions on the finding page: the owner's mailbox has the assignment as soon as the
page answers, a due date in the past is refused next to the field, and the responsible person
cancels an action with a reason that the page and the audit trail show."""

from __future__ import annotations

import html as markup
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from article8.controls.findings.models import CorrectiveAction, Finding
from article8.controls.findings.titles import finding_title
from article8.controls.inspections import services as workflow
from article8.core.audit import Actor
from article8.core.i18n import translator
from article8.core.models import AuditEvent
from tests.support.inspections import TODAY, page, performed, post
from tests.support.mail import Inbox, free_port


@pytest.fixture
def inbox():
    """A real SMTP server on a free port."""
    mailbox = Inbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield mailbox, controller.port
    controller.stop()


@pytest.fixture
def settings_env(inbox):
    """The app mails through the test's SMTP server."""
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(inbox[1]), "SMTP_FROM": "a8@example.jp"}


@pytest.fixture
def finding(session, clock, schedule, signed_in):
    """A finding from an approved inspection whose first question failed."""
    _, inspector = signed_in("inspector")
    _, reviewer = signed_in("responsible")
    workflow.approve(
        session, Actor.for_user(reviewer), performed(session, clock, inspector, fail=1), now=clock()
    )
    session.commit()
    return session.scalar(select(Finding))


def text(response) -> str:
    return markup.unescape(response.get_data(as_text=True))


def test_the_owner_is_mailed_when_an_action_is_assigned_to_them(session, finding, signed_in, inbox):
    mailbox, _port = inbox
    client, _ = signed_in("responsible", display_name="Sato Keiko")
    _, owner = signed_in("inspector", locale="en")
    due = (TODAY + timedelta(days=14)).isoformat()
    plan = {"description": "Turn on export logging", "owner_id": str(owner.id), "due_on": due}

    assert post(client, f"/findings/{finding.id}/actions", plan).status_code == 302

    # (A long subject is folded onto the next line; a mail reader unfolds it.)
    assert [" ".join(subject.split()) for subject in mailbox.subjects(owner.email)] == [
        f"[article8] Corrective action assigned to you: {finding_title(finding, translator('en'))}"
    ]
    [mail] = [m for m in mailbox.messages if m["To"] == owner.email]
    body = mail.get_payload(decode=True).decode()
    assert "Sato Keiko" in body and "Turn on export logging" in body and due in body
    assert f"/findings/{finding.id}" in body


def test_a_due_date_in_the_past_is_refused_next_to_the_field(session, finding, signed_in, inbox):
    mailbox, _port = inbox
    client, _ = signed_in("responsible")
    _, owner = signed_in("inspector")
    past = (TODAY - timedelta(days=1)).isoformat()
    plan = {"description": "Too late", "owner_id": str(owner.id), "due_on": past}

    response = post(client, f"/findings/{finding.id}/actions", plan)

    assert response.status_code == 400
    form = text(response).split('data-testid="add-action"', 1)[1]
    due_field = form.split('name="due_on"', 1)[1].split("</div>", 2)
    assert f"The due date {past} is in the past" in "".join(due_field[:2])
    assert "Too late" in form  # what was typed is kept
    assert session.scalars(select(CorrectiveAction)).all() == []
    assert mailbox.messages == []


def test_the_responsible_person_cancels_an_action_with_a_reason(session, clock, finding, signed_in):
    client, manager = signed_in("responsible")
    owner_client, owner = signed_in("inspector")
    plan = {"description": "Buy a log server", "owner_id": str(owner.id), "due_on": str(TODAY)}
    assert post(client, f"/findings/{finding.id}/actions", plan).status_code == 302
    action = session.scalar(select(CorrectiveAction))
    path = f"/findings/actions/{action.id}/cancel"
    assert 'data-testid="cancel-action"' in page(client, f"/findings/{finding.id}")
    assert 'data-testid="cancel-action"' not in page(owner_client, f"/findings/{finding.id}")
    assert post(owner_client, path, {"reason": "I'd rather not"}).status_code == 403

    empty = post(client, path, {"reason": "  "})
    assert empty.status_code == 400
    cancel_form = text(empty).split('data-testid="cancel-action"', 1)[1].split("</details>")[0]
    assert "Say why the action is cancelled." in cancel_form and " open" in text(empty)

    reason = "The old file server is decommissioned; the finding is handled by TEC-05."
    assert post(client, path, {"reason": reason}).status_code == 302

    session.expire_all()
    action = session.get(CorrectiveAction, action.id)
    assert (action.status, action.cancel_reason, action.cancelled_by_id) == (
        "cancelled",
        reason,
        manager.id,
    )
    assert session.get(Finding, finding.id).status == "open"
    html = text(client.get(f"/findings/{finding.id}"))
    row = html.split(f'data-action="{action.id}"', 1)[1].split("</tr>", 1)[0]
    assert reason in row and "Cancelled" in row and 'data-testid="cancel-action"' not in row
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "action.cancel"))
    assert event is not None and event.object_id == str(action.id)
