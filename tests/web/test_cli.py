"""The `article8` command line against a database of its own (in-process; `serve` for real)."""

from __future__ import annotations

import http.client
import json
import re
import shlex
import subprocess
import time
from pathlib import Path

from sqlalchemy import func, select, text

from article8.controls.inspections.models import Inspection
from article8.core.db import make_engine
from article8.core.models import AuditEvent, User
from article8.core.schema import drop_append_only_ddl
from tests.cli_runner import article8
from tests.support.mail import free_port
from tests.support.processes import COMMAND, process_env, start

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


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


def make_run_serve_command(port: int) -> list[str]:
    """The `article8 …` command that `make run` ends with, read from the Makefile itself."""
    recipe = MAKEFILE.read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    (line,) = [line for line in recipe.splitlines() if "article8 serve" in line]
    line = line.replace("$(HOST)", "127.0.0.1").replace("$(PORT)", str(port))
    words = shlex.split(line)
    return words[words.index("$(BIN)/article8") + 1 :]


def count_rows(url: str, statement) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(statement)
    finally:
        engine.dispose()


def test_make_run_opens_this_periods_inspections_without_any_other_command(
    fresh_database_url, tmp_path
):
    demo = article8(fresh_database_url, tmp_path, "demo")
    assert demo.returncode == 0, demo.stderr
    expected = int(re.search(r"(\d+) inspections created", demo.stdout).group(1))
    assert expected > 0
    # `demo` opens this period's inspections itself; take them away so that only the server's
    # scheduler can bring them back.
    engine = make_engine(fresh_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(Inspection.__table__.delete())
    finally:
        engine.dispose()
    port = free_port()
    command = make_run_serve_command(port)
    assert command[0] == "serve" and "--with-scheduler" in command
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [*COMMAND, *command],
            env=process_env(fresh_database_url, tmp_path),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    created = select(func.count()).select_from(Inspection)
    by_scheduler = (
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "inspection.create", AuditEvent.actor_label == "system:scheduler"
        )
    )
    try:
        deadline = time.monotonic() + 120
        # Poll for the rows (an event in the database), not for a guessed delay.
        while count_rows(fresh_database_url, created) < expected and server.poll() is None:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert server.poll() is None, log.read_text()
        assert count_rows(fresh_database_url, created) == expected
        # Twice: once by `demo`, once by the server's scheduler.
        assert count_rows(fresh_database_url, by_scheduler) == 2 * expected
    finally:
        server.kill()
        server.wait(timeout=30)


def test_article8_run_is_serve_and_is_not_listed(fresh_database_url, tmp_path):
    listing = article8(fresh_database_url, tmp_path, "--help").stdout
    assert re.search(r"^  serve ", listing, re.MULTILINE)
    assert not re.search(r"^  run ", listing, re.MULTILINE)
    run_help = article8(fresh_database_url, tmp_path, "run", "--help")
    assert run_help.returncode == 0 and "--with-scheduler" in run_help.stdout
