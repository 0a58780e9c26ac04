"""The incident pages: anyone reports a violation and the responsible person's mailbox has it at
once; reporters see only their own reports; the responsible person assesses, records the PPC
reports and closes; overdue deadlines stand out on the list."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from article8.controls.incidents import services as service
from article8.controls.incidents.models import Incident
from article8.core.audit import Actor
from tests.support.inspections import page, post
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


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


REPORT = {
    "title": "Laptop left on the train",
    "description": "A sales laptop with the customer list was left on the Yamanote line.",
    "aware_at": "2026-11-24T09:30",
    "control": "PHY-05",
}


@pytest.fixture
def reported(session, signed_in, schedule, inbox):
    """An inspector's report, and the responsible person who was told about it."""
    boss_client, boss = signed_in("responsible", locale="en")
    reporter_client, reporter = signed_in("inspector")
    response = post(reporter_client, "/incidents/report", REPORT)
    assert response.status_code == 302, text(response)
    incident = session.scalar(select(Incident))
    assert response.headers["Location"].endswith(f"/incidents/{incident.id}")
    return incident, (boss_client, boss), (reporter_client, reporter)


def test_a_report_reaches_the_responsible_person_by_mail_at_once(session, reported, inbox):
    incident, (_, boss), (reporter_client, reporter) = reported
    mailbox, _port = inbox
    [mail] = [m for m in mailbox.messages if m["To"] == boss.email]
    assert mailbox.subjects(boss.email) == [
        "[article8] Incident or rule breach reported: Laptop left on the train"
    ]
    body = mail.get_payload(decode=True).decode()
    assert reporter.display_name in body and "2026-11-24 09:30" in body and "PHY-05" in body
    assert f"/incidents/{incident.id}" in body
    assert (incident.status, incident.control.code) == ("reported", "PHY-05")
    assert incident.aware_at == datetime(2026, 11, 24, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo
    mine = page(reporter_client, "/incidents/report")
    assert f'data-incident="{incident.id}"' in mine and "Laptop left on the train" in mine
    assert "Laptop left on the train" in page(reporter_client, f"/incidents/{incident.id}")


def test_reporters_see_their_own_reports_only(session, reported, signed_in):
    incident, _boss, _reporter = reported
    other_client, _ = signed_in("inspector")
    assert other_client.get(f"/incidents/{incident.id}").status_code == 403
    assert other_client.get("/incidents/").status_code == 403
    assert f'data-incident="{incident.id}"' not in page(other_client, "/incidents/report")
    auditor, _ = signed_in("auditor")
    reader = page(auditor, f"/incidents/{incident.id}")
    assert 'data-testid="assess-form"' not in reader and 'data-testid="status-form"' not in reader
    assert (
        post(auditor, f"/incidents/{incident.id}/assess", {"sensitive": "yes"}).status_code == 403
    )


def test_a_report_without_a_description_or_from_the_future_is_refused(signed_in, clock):
    client, _ = signed_in("auditor")  # anyone signed in may report
    empty = post(client, "/incidents/report", {**REPORT, "description": "", "control": ""})
    assert empty.status_code == 400
    future = (clock() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    later = post(client, "/incidents/report", {**REPORT, "aware_at": future, "control": ""})
    assert later.status_code == 400 and "is in the future" in text(later)


def test_the_responsible_person_assesses_records_the_reports_and_closes(session, reported, clock):
    incident, (boss_client, _boss), _reporter = reported
    path = f"/incidents/{incident.id}"
    form = page(boss_client, path)
    for question in (
        "(i) Does it involve personal data that includes sensitive personal information?",
        "要配慮個人情報が含まれる個人データの漏えい等が発生し、又は発生したおそれがある事態",
        "不正に利用されることにより財産的被害が生じるおそれがある個人データ",
        "不正の目的をもって行われたおそれがある当該個人情報取扱事業者に対する行為",
        "取得し、又は取得しようとしている個人情報",  # the 2024 amendment
        "A phishing site the individuals reached without going through our site",
        "個人データに係る本人の数が千人を超える",
    ):
        assert question in html.unescape(form)
    assert post(boss_client, f"{path}/assess", {"sensitive": "yes"}).status_code == 400
    answers = {"sensitive": "no", "financial": "yes", "unlawful": "yes", "over_1000": "no"}
    assert post(boss_client, f"{path}/assess", answers).status_code == 302
    shown = page(boss_client, path)
    assert 'data-deadline="preliminary"' in shown and "2026-11-29" in shown  # 24 Nov + 5
    assert "2027-01-23" in shown  # + 60 days: an unlawful purpose is possible
    assert "Days are calendar days counted from the day after" in html.unescape(shown)
    refused = post(boss_client, f"{path}/status", {"status": "closed", "resolution": "Found it"})
    assert refused.status_code == 409 and "No final report to the PPC is recorded" in text(refused)
    assert 'data-missing="aware_at"' in text(refused) and 'data-missing="notification"' in text(
        refused
    )
    for kind in ("preliminary", "final"):
        done = post(
            boss_client,
            f"{path}/ppc-report",
            {"kind": kind, "reported_on": "2026-11-24", "destination": "ppc"},
        )
        assert done.status_code == 302
    confirm = {"aware_at": "2026-11-24T09:30", "entrustment": "none"}
    assert post(boss_client, f"{path}/record", confirm).status_code == 302
    refused = post(boss_client, f"{path}/status", {"status": "closed", "resolution": "Found it"})
    assert refused.status_code == 409 and 'data-missing="notification"' in text(refused)
    notice = {
        "way": "alternative",
        "published_on": "2026-11-24",
        "where": "Our website, news page",
        "inquiry_desk": "Customer desk 0120-000-000",
    }
    assert post(boss_client, f"{path}/notification", notice).status_code == 302
    closed = post(boss_client, f"{path}/status", {"status": "closed", "resolution": "Found it"})
    assert closed.status_code == 302
    session.expire_all()
    incident = session.get(Incident, incident.id)
    assert (incident.status, incident.resolution) == ("closed", "Found it")
    assert incident.final_reported_on == date(2026, 11, 24)
    assert 'data-testid="assess-form"' not in page(boss_client, path)


def test_the_list_puts_overdue_incidents_first_and_highlights_them(
    session, reported, signed_in, clock, settings
):
    incident, (boss_client, boss), (reporter_client, _) = reported
    post(reporter_client, "/incidents/report", {**REPORT, "title": "Later, not assessed"})
    # Known since 18 November: the preliminary report was due on the 23rd, a day ago.
    incident.aware_at = datetime(2026, 11, 18, 0, 30, tzinfo=UTC)
    service.assess(
        session, Actor.for_user(boss), incident, sensitive=True, financial=False, unlawful=False,
        over_1000=False, now=clock(), tz=settings.timezone,
    )  # fmt: skip
    session.commit()
    listed = page(boss_client, "/incidents/")
    first = listed.index(f'data-incident="{incident.id}"')
    assert first < listed.index("Later, not assessed")
    row = listed[first : first + 300]
    assert 'class="table-danger"' in row and 'data-overdue="1"' in row
    assert "1 day overdue" in listed


def test_the_report_page_is_in_japanese_for_japanese_users(signed_in):
    client, _ = signed_in("inspector", locale="ja")
    japanese = page(client, "/incidents/report")
    assert "違反の報告" in japanese and "自分の報告" in japanese
