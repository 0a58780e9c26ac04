"""Refused sign-ins to a locked account: one audit event per lock window, and a count beside it."""

from __future__ import annotations

import threading

from flask.testing import FlaskClient
from sqlalchemy import func, select

from article8.core.audit import Actor
from article8.core.db import Database
from article8.core.lockout import REFUSED_ACTION
from article8.core.models import AuditEvent, LoginRefusal
from article8.core.users import PasswordPolicy, create_user
from article8.web import create_app
from tests.cli_runner import article8
from tests.conftest import TEST_PASSWORD, EnglishClient, csrf_token, settings_for, sign_in

ATTACKER = "203.0.113.7"
WRONG = "wrong password!!"


def _client(app, addr: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = addr
    return client


def _lock(app, email: str) -> None:
    client = _client(app, ATTACKER)
    statuses = [sign_in(client, email, WRONG).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]


def _refuse_concurrently(app, email: str, threads: int, per_thread: int) -> list[int]:
    """Sign-in attempts from ``threads`` addresses at once; the status of each."""
    barrier = threading.Barrier(threads)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def attack(n: int) -> None:
        try:
            client = _client(app, f"198.51.100.{n + 1}")
            token = csrf_token(client)
            barrier.wait()
            for _ in range(per_thread):
                response = client.post(
                    "/login", data={"email": email, "password": WRONG, "csrf_token": token}
                )
                statuses.append(response.status_code)
        except BaseException as error:
            errors.append(error)
            barrier.abort()

    workers = [threading.Thread(target=attack, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    return statuses


def _events(session, action: str) -> int:
    return session.scalar(select(func.count()).where(AuditEvent.action == action))


def test_concurrent_refusals_are_one_audit_event_per_lock_window_with_a_count(
    fresh_database_url, tmp_path, clock
):
    settings = settings_for(fresh_database_url, tmp_path / "instance")
    database = Database.from_url(fresh_database_url)
    app = create_app(settings, database=database, clock=clock)
    app.config["TESTING"] = True
    app.test_client_class = EnglishClient
    policy = PasswordPolicy.from_settings(settings)
    with database.unit_of_work() as session:
        for role, email in (("inspector", "victim@example.com"), ("admin", "admin@example.com")):
            create_user(
                session,
                Actor(None, "test"),
                email=email,
                display_name=role,
                role=role,
                password=TEST_PASSWORD,
                policy=policy,
                now=clock(),
                locale="en",
            )
    try:
        _lock(app, "victim@example.com")
        statuses = _refuse_concurrently(app, "victim@example.com", threads=4, per_thread=10)
        assert statuses == [429] * 40

        # The next lock window (the first one has run out) gets an event of its own.
        clock.advance(minutes=15)
        _lock(app, "victim@example.com")
        statuses = _refuse_concurrently(app, "victim@example.com", threads=3, per_thread=1)
        assert statuses == [429] * 3

        with database.session() as session:
            refused = list(
                session.scalars(select(AuditEvent).where(AuditEvent.action == REFUSED_ACTION)).all()
            )
            assert len(refused) == 2
            counts = session.execute(
                select(LoginRefusal.audit_seq, LoginRefusal.refusals)
                .where(LoginRefusal.key == "account:victim@example.com")
                .order_by(LoginRefusal.locked_until)
            ).all()
            assert [tuple(row) for row in counts] == [(refused[0].seq, 40), (refused[1].seq, 3)]
            # Two lockouts of the account and of the attacker's address, ten failed sign-ins:
            # the trail grew by what happened, not by how often the lock was tried.
            assert _events(session, "auth.lockout") == 4
            assert _events(session, "auth.login_failed") == 10

        admin = _client(app, "192.0.2.1")
        assert sign_in(admin, "admin@example.com").status_code == 302
        page = admin.get(f"/audit/?action={REFUSED_ACTION}").get_data(as_text=True)
        assert "39 further refused attempts in this lock window" in page
        assert "2 further refused attempts in this lock window" in page

        verify = article8(fresh_database_url, tmp_path, "audit", "verify")
        assert verify.returncode == 0, verify.stderr
    finally:
        database.bind.dispose()
