"""The audit trail: a gapless hash chain, append-only in the database, verifiable end to end."""

from __future__ import annotations

import itertools
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from article8.core import audit
from article8.core.audit import GENESIS_HASH, Actor
from article8.core.db import Database, make_engine
from article8.core.models import AuditEvent
from article8.core.schema import drop_append_only_ddl
from tests.conftest import START

ACTOR = Actor(None, "tester", "192.0.2.1")


def _append(session, n, *, action="test.event"):
    return [
        audit.record(
            session,
            ACTOR,
            action,
            now=START,
            object_type="thing",
            object_id=i,
            details={"i": i, "名前": "テスト"},
        )
        for i in range(n)
    ]


def test_events_form_a_gapless_chain_from_the_genesis(session):
    events = _append(session, 5)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    report = audit.verify_chain(session)
    assert report.ok and report.checked == 5 and report.head_hash == events[-1].hash


def test_hash_covers_every_field(session):
    (event,) = _append(session, 1)
    original = event.hash
    for field, value in [
        ("action", "other"),
        ("actor_label", "x"),
        ("object_id", "9"),
        ("details", '{"i":1}'),
        ("client_addr", "198.51.100.7"),
    ]:
        saved = getattr(event, field)
        setattr(event, field, value)
        assert audit.event_hash(event) != original, field
        setattr(event, field, saved)
    assert audit.event_hash(event) == original
    session.expunge(event)  # the in-memory edits must not reach the database


def test_update_and_delete_are_rejected_by_the_database(session, backend):
    _append(session, 2)
    session.commit()
    for statement in (
        "UPDATE audit_event SET action = 'forged' WHERE seq = 1",
        "DELETE FROM audit_event WHERE seq = 2",
    ):
        savepoint = session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        savepoint.rollback()
    if backend == "postgresql":
        savepoint = session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text("TRUNCATE audit_event CASCADE"))
        savepoint.rollback()
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 2


def test_tampering_with_triggers_dropped_is_found_at_the_changed_row(session, backend):
    _append(session, 6)
    session.commit()
    for statement in drop_append_only_ddl("audit_event", backend):
        session.execute(text(statement))
    session.execute(text("UPDATE audit_event SET details = :d WHERE seq = 4"), {"d": '{"i":99}'})
    session.expire_all()
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.first_bad_seq == 4
    assert report.checked == 3


def test_a_deleted_row_shows_as_a_gap(session, backend):
    _append(session, 4)
    session.commit()
    for statement in drop_append_only_ddl("audit_event", backend):
        session.execute(text(statement))
    session.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    session.expire_all()
    report = audit.verify_chain(session)
    assert report.first_bad_seq == 2 and "gap" in (report.problem or "")


def test_recomputing_every_later_hash_is_still_caught_by_the_link(session, backend):
    _append(session, 3)
    session.commit()
    for statement in drop_append_only_ddl("audit_event", backend):
        session.execute(text(statement))
    forged = session.get(AuditEvent, 2)
    forged.action = "forged"
    forged.hash = audit.event_hash(forged)  # the forger recomputes this row's hash...
    session.flush()
    session.expire_all()
    report = audit.verify_chain(session)  # ...but row 3 still points at the old one
    assert report.first_bad_seq == 3


def test_filters_select_by_actor_action_object_and_date(session, make_user, clock):
    user = make_user("responsible")
    audit.record(
        session,
        Actor(user.id, user.email),
        "control.update",
        now=clock(),
        object_type="control",
        object_id="ORG-01",
    )
    audit.record(
        session, ACTOR, "evidence.download", now=clock(), object_type="evidence", object_id=7
    )
    f = audit.AuditFilter
    assert {e.action for e in audit.page(session, f(actor_id=user.id))} >= {"control.update"}
    assert [e.object_id for e in audit.page(session, f(object_type="evidence"))] == ["7"]
    assert [e.action for e in audit.page(session, f(action="evidence."))] == ["evidence.download"]
    start, end = audit.local_day_bounds(clock().date(), clock().tzinfo)
    assert len(audit.page(session, f(date_from=start, date_to=end))) >= 2
    assert audit.page(session, f(date_from=end)) == []


def test_concurrent_appends_never_fork_the_chain(fresh_database_url):
    engine = make_engine(
        fresh_database_url,
        **({"pool_size": 8} if fresh_database_url.startswith("postgresql") else {}),
    )
    database = Database(engine)
    workers, per_worker = 8, 25
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            barrier.wait()
            for i in range(per_worker):
                with database.unit_of_work() as session:
                    audit.record(
                        session,
                        Actor(None, f"worker-{worker}"),
                        "test.concurrent",
                        now=START,
                        details={"worker": worker, "i": i},
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not errors, errors
        with database.session() as session:
            seqs = list(session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)))
            assert seqs == list(range(1, workers * per_worker + 1))
            report = audit.verify_chain(session)
            assert report.ok, report
            assert report.checked == workers * per_worker
    finally:
        engine.dispose()
