"""Several web nodes (issue 18): two gunicorn processes on one PostgreSQL database and one S3
bucket, each with an instance folder of its own. Evidence uploaded through one is downloaded
through the other, one sign-in is valid on both, and of two schedulers exactly one leads."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from article8.core.db import Database, make_engine
from article8.core.models import AuditEvent, SchedulerLease
from article8.core.tokens import create_token
from article8.core.users import PasswordPolicy, create_user
from tests.cli_runner import article8
from tests.conftest import SYSTEM_ACTOR
from tests.databases import postgres_base_url, provisioned
from tests.support.mail import free_port
from tests.support.processes import Lines, process_env, start
from tests.support.s3 import AWS_ENV

GUNICORN = Path(sys.executable).with_name("gunicorn")
CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
PDF = b"%PDF-1.7\n% uploaded through node A\n%%EOF\n"
PASSWORD = "auditor password 2026"


@pytest.fixture
def postgres_url(tmp_path: Path) -> Iterator[str]:
    """A PostgreSQL schema of the test's own: several nodes need a shared server database."""
    if not postgres_base_url():
        if os.environ.get("ARTICLE8_REQUIRE_POSTGRES"):
            pytest.fail("ARTICLE8_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
        pytest.skip("several web nodes need PostgreSQL: TEST_DATABASE_URL is not set")
    with provisioned("postgresql", tmp_path) as url:
        yield url


class Node:
    """One gunicorn web node with an instance folder (and so a disk) of its own."""

    def __init__(self, name: str, env: dict[str, str], tmp_path: Path) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [str(GUNICORN), "-c", str(CONFIG), "article8.wsgi:app"],
            env={
                **env,
                "ARTICLE8_INSTANCE_DIR": str(tmp_path / name),
                "ARTICLE8_BIND": f"127.0.0.1:{self.port}",
                "ARTICLE8_WORKERS": "1",
                "ARTICLE8_THREADS": "2",
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def request(self, method: str, path: str, **kw) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, **kw)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def wait_until_healthy(self) -> dict:
        """Poll /healthz until the node answers 200 (readiness, not a timing check)."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                status, _, body = self.request("GET", "/healthz")
                if status == 200:
                    return json.loads(body)
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"node on port {self.port} never became healthy")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


def _arrange_users(url: str) -> str:
    """An auditor who signs in with a password and an inspector's API token (returned)."""
    database = Database(make_engine(url))
    now = datetime.now(UTC)
    policy = PasswordPolicy(1, 8192, 1)
    with database.unit_of_work() as session:
        create_user(
            session,
            SYSTEM_ACTOR,
            email="auditor@example.com",
            display_name="Auditor",
            role="auditor",
            password=PASSWORD,
            policy=policy,
            now=now,
            locale="en",
        )
        inspector = create_user(
            session,
            SYSTEM_ACTOR,
            email="inspector@example.com",
            display_name="Inspector",
            role="inspector",
            password="inspector password 2026",
            policy=policy,
            now=now,
        )
        _, raw = create_token(session, SYSTEM_ACTOR, inspector, "node test", now=now)
    database.bind.dispose()
    return raw


def _sign_in(node: Node) -> str:
    """Sign in on ``node``; return the session cookie."""
    status, headers, page = node.request("GET", "/login")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    status, headers, _ = node.request(
        "POST",
        "/login",
        body=urlencode(
            {"email": "auditor@example.com", "password": PASSWORD, "csrf_token": token.decode()}
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    assert status == 302, status
    return headers["Set-Cookie"].split(";", 1)[0]


def _upload(node: Node, token: str) -> dict:
    boundary = "nodeboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="controls"\r\n\r\nORG-04\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _, answer = node.request(
        "POST",
        "/api/v1/evidence",
        body=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert status == 201, answer[:300]
    return json.loads(answer)


def _first_word(lines: Lines, *words: str) -> str:
    """The first of ``words`` that the process logs (an event, not a timing check)."""
    while True:
        line = lines.queue.get(timeout=120)
        lines.seen.append(line)
        for word in words:
            if word in line:
                return word


def test_two_nodes_share_evidence_sessions_and_one_scheduler_leads(
    postgres_url, tmp_path, s3_server, s3_bucket
):
    env = process_env(
        postgres_url,
        tmp_path,
        SECRET_KEY="one secret for every node",
        EVIDENCE_STORE=f"s3://{s3_bucket}/evidence",
        S3_ENDPOINT_URL=s3_server.endpoint_url,
        S3_OBJECT_LOCK_DAYS="7",
        ARTICLE8_SCHEDULER_LEASE_SECONDS="3",
        **AWS_ENV,
    )
    assert article8(postgres_url, tmp_path, "catalogue", "sync", env=env).returncode == 0
    token = _arrange_users(postgres_url)
    nodes = [Node("node-a", env, tmp_path), Node("node-b", env, tmp_path)]
    schedulers: list[subprocess.Popen] = []
    try:
        a, b = nodes
        for node in nodes:
            health = node.wait_until_healthy()
            assert health["evidence_store"] == "ok" and health["database"] == "ok"
        uploaded = _upload(a, token)
        cookie = _sign_in(a)
        # The session made on A is valid on B (one SECRET_KEY, sessions in signed cookies).
        status, _, page = b.request("GET", "/evidence/", headers={"Cookie": cookie})
        assert status == 200 and b"a.pdf" in page
        status, headers, data = b.request(
            "GET", f"/evidence/{uploaded['id']}/download", headers={"Cookie": cookie}
        )
        assert status == 200 and data == PDF
        assert "attachment" in headers["Content-Disposition"]
        assert not (tmp_path / "node-a" / "evidence" / "objects").exists()  # in the bucket
        engine = make_engine(postgres_url)
        try:
            with engine.connect() as conn:
                reads = conn.execute(
                    select(AuditEvent.action)
                    .where(AuditEvent.object_type == "evidence")
                    .where(AuditEvent.object_id == str(uploaded["id"]))
                    .order_by(AuditEvent.seq)
                ).scalars()
                assert list(reads) == ["evidence.upload", "evidence.download"]
        finally:
            engine.dispose()

        # Two schedulers (one beside each node): exactly one leads, the other stands by.
        procs = [start(["scheduler", "run"], env) for _ in range(2)]
        schedulers.extend(procs)
        logs = [Lines(proc.stderr) for proc in procs]
        roles = sorted(_first_word(log, "is the leader", "standing by") for log in logs)
        assert roles == ["is the leader", "standing by"]
        leader = next(
            p for p, log in zip(procs, logs, strict=True) if "is the leader" in log.seen[-1]
        )
        engine = make_engine(postgres_url)
        try:
            with engine.connect() as conn:
                holder = conn.scalar(select(SchedulerLease.holder))
        finally:
            engine.dispose()
        assert holder.split(":")[1] == str(leader.pid)
        assert a.wait_until_healthy()["scheduler_heartbeat_age_s"] is not None
    finally:
        for proc in schedulers:
            proc.kill()
            proc.wait(timeout=30)
            proc.stderr.close()
        for node in nodes:
            node.stop()
    verify = article8(postgres_url, tmp_path, "evidence", "verify", env=env)
    assert verify.returncode == 0, verify.stderr
    assert article8(postgres_url, tmp_path, "audit", "verify", env=env).returncode == 0
