"""An administrator keeps the company's one-off closures; the yearly ones come from the settings."""

from __future__ import annotations

from sqlalchemy import func, select

from article8.core.models import AuditEvent, Closure
from tests.conftest import csrf_token, sign_in

PAGE = "/admin/closures"


def closure_days(session) -> list[str]:
    session.expire_all()
    return [c.day.isoformat() for c in session.scalars(select(Closure).order_by(Closure.day))]


def test_admin_adds_and_removes_a_closed_day_and_both_are_audited(client, login_as, session):
    admin = login_as("admin", locale="en")
    page = client.get(PAGE).get_data(as_text=True)
    assert "12-29 to 01-03" in page and "No one-off closures" in page
    response = client.post(
        PAGE,
        data={"day": "2027-04-30", "reason": "創立記念日", "csrf_token": csrf_token(client, PAGE)},
    )
    assert response.status_code == 302
    assert closure_days(session) == ["2027-04-30"]
    page = client.get(PAGE).get_data(as_text=True)
    assert "2027-04-30" in page and "創立記念日" in page
    closure = session.scalar(select(Closure))
    response = client.post(
        f"{PAGE}/{closure.id}/remove", data={"csrf_token": csrf_token(client, PAGE)}
    )
    assert response.status_code == 302 and closure_days(session) == []
    events = session.execute(
        select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.details)
        .where(AuditEvent.object_type == "closure")
        .order_by(AuditEvent.seq)
    ).all()
    details = '{"day":"2027-04-30","reason":"創立記念日"}'
    assert events == [("closure.add", admin.id, details), ("closure.remove", admin.id, details)]


def test_a_day_already_closed_or_without_a_reason_is_refused_on_the_form(client, login_as, session):
    login_as("admin", locale="en")
    add = {"day": "2027-04-30", "reason": "anniversary"}
    client.post(PAGE, data={**add, "csrf_token": csrf_token(client, PAGE)})
    again = client.post(PAGE, data={**add, "csrf_token": csrf_token(client, PAGE)})
    assert again.status_code == 400
    assert "2027-04-30 is already a closure." in again.get_data(as_text=True)
    blank = client.post(
        PAGE, data={"day": "2027-05-06", "reason": " ", "csrf_token": csrf_token(client, PAGE)}
    )
    assert blank.status_code == 400
    assert "Say why the company is closed that day." in blank.get_data(as_text=True)
    assert closure_days(session) == ["2027-04-30"]


def test_a_closure_without_the_csrf_token_changes_nothing(client, login_as, session):
    login_as("admin", locale="en")
    response = client.post(PAGE, data={"day": "2027-04-30", "reason": "anniversary"})
    assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(Closure)) == 0


def test_only_an_administrator_keeps_closures(client, login_as, session):
    login_as("responsible")
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client, "/account/")
    response = client.post(PAGE, data={"day": "2027-04-30", "reason": "x", "csrf_token": token})
    assert response.status_code == 403
    assert session.scalar(select(func.count()).select_from(Closure)) == 0


def test_the_navigation_shows_the_closed_days_to_the_administrator_only(
    app, client, login_as, make_user
):
    login_as("admin", locale="en")
    assert f'href="{PAGE}"' in client.get("/").get_data(as_text=True)
    other = app.test_client()
    assert sign_in(other, make_user("responsible").email).status_code == 302
    assert f'href="{PAGE}"' not in other.get("/").get_data(as_text=True)
