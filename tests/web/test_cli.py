"""The `article8` command line against a database of its own (in-process; `serve` for real)."""

from __future__ import annotations

import http.client
import json
import time

from sqlalchemy import func, select, text

from article8.core.db import make_engine
from article8.core.models import AuditEvent, User
from article8.core.schema import drop_append_only_ddl
from tests.cli_runner import article8
from tests.support.mail import free_port
from tests.support.processes import process_env, start


def test_demo_is_idempotent_and_prints_the_logins(fresh_database_url, tmp_path):
    first = article8(fresh_database_url, tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "4 created" in first.stdout and "admin@example.com" in first.stdout
    second = article8(fresh_database_url, tmp_path, "demo")
    assert "0 created, 4 existed" in second.stdout
    engine = make_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(User)) == 4
    finally:
        engine.dispose()


def test_db_upgrade_twice_is_harmless(fresh_database_url, tmp_path):
    for _ in range(2):
        result = article8(fresh_database_url, tmp_path, "db", "upgrade")
        assert result.returncode == 0, result.stderr


def test_users_create_reads_the_password_from_stdin(fresh_database_url, tmp_path):
    result = article8(
        fresh_database_url,
        tmp_path,
        "users",
        "create",
        "--email",
        "cpo@example.com",
        "--name",
        "個人情報 保護",
        "--role",
        "responsible",
        "--password-stdin",
        stdin="a very good password\n",
    )
    assert result.returncode == 0, result.stderr
    again = article8(
        fresh_database_url,
        tmp_path,
        "users",
        "create",
        "--email",
        "CPO@example.com",
        "--name",
        "x",
        "--role",
        "auditor",
        "--password-stdin",
        stdin="another pass 123\n",
    )
    assert again.returncode == 1
    assert again.stderr.strip() == "article8: An account with this email already exists."


def test_audit_verify_names_the_first_tampered_sequence_number(fresh_database_url, tmp_path):
    assert article8(fresh_database_url, tmp_path, "demo").returncode == 0
    intact = article8(fresh_database_url, tmp_path, "audit", "verify", "--format", "json")
    assert intact.returncode == 0
    events = json.loads(intact.stdout)["checked"]
    assert events >= 4
    engine = make_engine(fresh_database_url)
    try:
        with engine.begin() as conn:
            for statement in drop_append_only_ddl("audit_event", engine.dialect.name):
                conn.execute(text(statement))
            conn.execute(text("UPDATE audit_event SET actor_label = 'someone else' WHERE seq = 3"))
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(AuditEvent)) == events
    finally:
        engine.dispose()
    broken = article8(fresh_database_url, tmp_path, "audit", "verify")
    assert broken.returncode == 1
    assert broken.stderr.strip() == (
        "article8: audit trail broken at sequence 3: stored hash does not match the event's content"
    )


def test_serve_really_serves_the_login_page(fresh_database_url, tmp_path):
    port = free_port()
    server = start(["serve", "--port", str(port)], process_env(fresh_database_url, tmp_path))
    try:
        status = None
        deadline = time.monotonic() + 60
        while status is None and time.monotonic() < deadline and server.poll() is None:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/login")
                response = conn.getresponse()
                status, body = response.status, response.read().decode()
                conn.close()
            except OSError:
                time.sleep(0.2)  # the server is still starting: poll, no timing asserted
        assert status == 200, server.poll()
        assert 'name="password"' in body
    finally:
        server.terminate()
        server.communicate(timeout=30)
