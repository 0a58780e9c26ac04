"""Faults: kill -9 a web worker mid-upload and an import mid-way; nothing half-done survives."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from article8.access.models import AccessBatch, AccessEvent
from article8.core.db import Database, make_engine
from article8.core.tokens import create_token
from article8.core.users import PasswordPolicy, create_user
from article8.evidence.models import EvidenceItem
from tests.cli_runner import article8
from tests.conftest import SYSTEM_ACTOR
from tests.support.mail import free_port
from tests.support.processes import COMMAND, PERCENT_DONE, Terminal, process_env

GUNICORN = Path(sys.executable).with_name("gunicorn")
CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def _env(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return process_env(url, tmp_path, SECRET_KEY="faults", **extra)


def _count(url: str, model) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(model))
    finally:
        engine.dispose()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _wait_for_port(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)  # still starting: polling, not a timing assertion
    raise AssertionError("gunicorn did not start")


def _token(url: str) -> str:
    database = Database(make_engine(url))
    now = datetime.now(UTC)
    with database.unit_of_work() as session:
        user = create_user(
            session,
            SYSTEM_ACTOR,
            email="uploader@example.com",
            display_name="U",
            role="inspector",
            password="uploader password",
            policy=PasswordPolicy(1, 8192, 1),
            now=now,
        )
        _, raw = create_token(session, SYSTEM_ACTOR, user, "faults", now=now)
    database.bind.dispose()
    return raw


def _multipart(boundary: str, size: int) -> tuple[bytes, bytes, int]:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="controls"\r\n\r\nBP-01\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head, tail, len(head) + size + len(tail)


def test_killing_the_web_worker_mid_upload_leaves_nothing_half_stored(fresh_database_url, tmp_path):
    assert article8(fresh_database_url, tmp_path, "catalogue", "sync").returncode == 0
    token = _token(fresh_database_url)
    port = free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "-c", str(CONFIG), "article8.wsgi:app"],
        env=_env(
            fresh_database_url, tmp_path, ARTICLE8_BIND=f"127.0.0.1:{port}", ARTICLE8_WORKERS="1"
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, server)
        head, tail, length = _multipart("faultbound", 50 * 1024 * 1024)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.putrequest("POST", "/api/v1/evidence")
        conn.putheader("Authorization", f"Bearer {token}")
        conn.putheader("Content-Type", "multipart/form-data; boundary=faultbound")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        conn.send(head + b"x" * (20 * 1024 * 1024))  # 20 of 50 MiB: the worker is mid-request
        (worker,) = _children(server.pid)
        os.kill(worker, signal.SIGKILL)
        conn.close()
        # gunicorn replaces the worker; a whole upload then goes through.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker in _children(server.pid):
            time.sleep(0.2)
        _wait_for_port(port, server)
        assert _count(fresh_database_url, EvidenceItem) == 0
        body = head + b"y" * 1000 + tail
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request(
            "POST",
            "/api/v1/evidence",
            body=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "multipart/form-data; boundary=faultbound",
            },
        )
        response = conn.getresponse()
        assert response.status == 201, response.read()[:300]
        conn.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert _count(fresh_database_url, EvidenceItem) == 1
    verify = article8(fresh_database_url, tmp_path, "evidence", "verify", "--format", "json")
    assert verify.returncode == 0, verify.stderr
    assert article8(fresh_database_url, tmp_path, "audit", "verify").returncode == 0


def test_killing_an_access_import_midway_stores_nothing_and_it_can_run_again(
    fresh_database_url, tmp_path
):
    log = tmp_path / "system.csv"
    with log.open("w") as handle:
        handle.write("timestamp,user,system,action,records,source_ip,result\n")
        for n in range(300_000):
            handle.write(
                f"2026-11-{1 + n % 28:02d}T{9 + n % 10:02d}:{n % 60:02d}:00+09:00,"
                f"user{n % 200},crm,view,{n % 7},192.0.2.{n % 250},ok\n"
            )
    # Kill it once it has written rows that it has not committed: its progress bar (drawn on a
    # terminal, as for a person watching) moves past 0 % only after a chunk has gone to the
    # database, and the whole import is one transaction.
    terminal = Terminal()
    importer = subprocess.Popen(
        [*COMMAND, "access", "import", str(log), "--kind", "system"],
        env=_env(fresh_database_url, tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=terminal.device,
    )
    terminal.attach()
    try:
        writing = terminal.wait_for(PERCENT_DONE)
    finally:
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=30)
        terminal.close()
    assert writing, "the import ended before its progress bar moved"
    assert importer.returncode == -signal.SIGKILL, "the import finished before it was killed"
    assert _count(fresh_database_url, AccessBatch) == 0
    assert _count(fresh_database_url, AccessEvent) == 0
    again = article8(fresh_database_url, tmp_path, "access", "import", str(log), "--kind", "system")
    assert again.returncode == 0, again.stderr
    assert _count(fresh_database_url, AccessEvent) == 300_000
    assert article8(fresh_database_url, tmp_path, "audit", "verify").returncode == 0
