"""The scheduler's access work: the rules run once per local day over the last week with the
configured thresholds, and the responsible persons get one anomaly digest a day."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from article8.access.ingest import import_access_log
from article8.access.models import Anomaly
from article8.access.register import (
    AuthorisationInput,
    PersonInput,
    save_authorisation,
    save_person,
)
from article8.access.rules import RuleSettings
from article8.access.tasks import NIGHTLY_JOB
from article8.core.mail import LogMailer
from article8.core.models import JobRun, Notification
from article8.core.runs import claim_day
from article8.scheduler.jobs import tick
from tests.conftest import SYSTEM_ACTOR
from tests.support.access import system_log

# Thursday 26 November 2026, 00:05 and 23:55 in Tokyo; then just after midnight on Friday.
EARLY = datetime(2026, 11, 25, 15, 5, tzinfo=UTC)
LATE = datetime(2026, 11, 26, 14, 55, tzinfo=UTC)
NEXT_DAY = datetime(2026, 11, 26, 15, 5, tzinfo=UTC)


@pytest.fixture
def settings_env():
    return {"ARTICLE8_RULE_BULK_EXPORT_RECORDS": "500"}


@pytest.fixture
def logged(database, settings, clock):
    """E1 exported 600 records on Tuesday and viewed the HR system unauthorised."""
    with database.unit_of_work() as session:
        save_person(
            session,
            SYSTEM_ACTOR,
            PersonInput("E1", "Tanaka", date(2020, 4, 1), aliases=("tanaka",)),
            now=clock(),
        )
        save_authorisation(
            session,
            SYSTEM_ACTOR,
            AuthorisationInput("E1", "system", "crm", date(2020, 4, 1), actions=("*",)),
            now=clock(),
        )
        import_access_log(
            session,
            io.BytesIO(
                system_log(
                    "2026-11-24T10:00:00+09:00,tanaka,crm,export,600,,ok",
                    "2026-11-24T11:00:00+09:00,tanaka,hr,view,1,,ok",
                ).encode()
            ),
            filename="tuesday.csv",
            kind="system",
            settings=RuleSettings.from_settings(settings),
            actor=SYSTEM_ACTOR,
            now=clock(),
        )


def anomalies(database) -> dict[str, str]:
    with database.session() as session:
        return {a.rule: a.status for a in session.scalars(select(Anomaly))}


def test_the_import_uses_the_configured_thresholds(database, logged):
    assert anomalies(database) == {"bulk_export": "new", "unauthorised_access": "new"}


def test_the_nightly_run_happens_once_per_local_day_and_follows_the_register(
    database, settings, logged, clock
):
    # The register now authorises HR: only the nightly run can withdraw that anomaly.
    with database.unit_of_work() as session:
        save_authorisation(
            session,
            SYSTEM_ACTOR,
            AuthorisationInput("E1", "system", "hr", date(2020, 4, 1), actions=("view",)),
            now=clock(),
        )
    first = tick(database, settings, LogMailer(), now=EARLY)
    assert first.rules_run and anomalies(database) == {"bulk_export": "new"}
    assert not tick(database, settings, LogMailer(), now=LATE).rules_run
    assert tick(database, settings, LogMailer(), now=NEXT_DAY).rules_run
    with database.session() as session:
        runs = session.scalars(select(JobRun.run_on).where(JobRun.name == NIGHTLY_JOB)).all()
    assert runs == [date(2026, 11, 26), date(2026, 11, 27)]


def test_a_day_is_claimed_once(database, clock):
    with database.unit_of_work() as session:
        assert claim_day(session, "probe", date(2026, 11, 26), now=clock())
        assert not claim_day(session, "probe", date(2026, 11, 26), now=clock())
        assert claim_day(session, "probe", date(2026, 11, 27), now=clock())


def test_the_anomaly_digest_reaches_the_responsible_persons_once_a_day(
    database, settings, logged, make_user
):
    boss, other = make_user("responsible", locale="en"), make_user("responsible", locale="ja")
    make_user("inspector")
    for _ in range(2):
        tick(database, settings, LogMailer(), now=EARLY)
        tick(database, settings, LogMailer(), now=LATE)
    with database.session() as session:
        digests = session.scalars(
            select(Notification).where(Notification.kind == "digest.anomalies")
        ).all()
    assert sorted(n.recipient_id for n in digests) == sorted([boss.id, other.id])
    english = next(n for n in digests if n.recipient_id == boss.id)
    assert english.subject == "[article8] Anomalies in the access logs awaiting triage: 2"
    assert "Bulk export (bulk_export): 1" in english.body
    assert "/access/anomalies" in english.body
    tick(database, settings, LogMailer(), now=NEXT_DAY)
    with database.session() as session:
        count = len(
            session.scalars(
                select(Notification).where(Notification.kind == "digest.anomalies")
            ).all()
        )
    assert count == 4


def test_no_digest_without_new_anomalies(database, settings, make_user):
    make_user("responsible")
    tick(database, settings, LogMailer(), now=EARLY)
    with database.session() as session:
        kinds = session.scalars(select(Notification.kind)).all()
    assert "digest.anomalies" not in kinds
