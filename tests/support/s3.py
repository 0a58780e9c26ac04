"""A real S3 API server on loopback for the tests (issue 18): moto's standalone server, started
as a subprocess once per session; every test gets a bucket of its own, with Object Lock."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

MOTO_SERVER = Path(sys.executable).with_name("moto_server")
# Credentials the server accepts (any); the region boto3 needs. Set for the whole session so
# that every client — in this process and in the processes it starts — finds them.
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "article8-test",
    "AWS_SECRET_ACCESS_KEY": "article8-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}
_RUNNING_ON = re.compile(r"Running on (http://127\.0\.0\.1:\d+)")
# moto's own server application, served one request at a time. moto checks If-None-Match and
# then writes, without a lock, so on its threaded server two racing conditional writes can both
# pass; S3 and MinIO decide them atomically. Serving requests one by one gives that atomicity,
# for the test of racing writers (the application is moto's, unchanged).
SERIAL = (
    "import sys\n"
    "from werkzeug.serving import run_simple\n"
    "from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app\n"
    "run_simple('127.0.0.1', 0, DomainDispatcherApplication(create_backend_app),\n"
    "           threaded=False, request_handler=MotoRequestHandler)\n"
)


@dataclass(frozen=True)
class S3Server:
    """Where the server listens."""

    endpoint_url: str

    def client(self):  # type: ignore[no-untyped-def]
        """A plain boto3 client, for arranging and for checking what the store did."""
        import boto3
        from botocore.config import Config

        return boto3.session.Session(
            aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
            region_name=AWS_ENV["AWS_DEFAULT_REGION"],
        ).client(
            "s3",
            endpoint_url=self.endpoint_url,
            config=Config(
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def new_bucket(self, *, object_lock: bool = True) -> str:
        """A fresh bucket (versioned, with Object Lock enabled, as production would have)."""
        name = f"evidence-{secrets.token_hex(6)}"
        self.client().create_bucket(Bucket=name, ObjectLockEnabledForBucket=object_lock)
        return name


def _start(log: Path, command: list[str]) -> tuple[subprocess.Popen, str]:
    # Port 0: the server picks a free port and says which on its log (no race for a port).
    with log.open("w") as handle:  # the child keeps its own descriptor
        proc = subprocess.Popen(
            command,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, **AWS_ENV},
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        found = _RUNNING_ON.search(log.read_text())
        if found:
            url = found.group(1)
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=5).close()  # noqa: S310
                return proc, url
            except urllib.error.URLError:
                pass
        time.sleep(0.1)  # still starting: polling for readiness, not a timing assertion
    proc.kill()
    raise RuntimeError(f"moto_server did not start: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's S3 server as a process of its own on 127.0.0.1 (no patching of boto3)."""
    if not MOTO_SERVER.exists():
        pytest.fail("moto_server is missing: install the test extra (pip install -e '.[test]')")
    log = tmp_path_factory.mktemp("s3") / "moto.log"
    proc, url = _start(log, [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", "0"])
    with pytest.MonkeyPatch.context() as patch:
        for name, value in AWS_ENV.items():
            patch.setenv(name, value)
        try:
            yield S3Server(url)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> str:
    """A bucket of the test's own, with Object Lock enabled."""
    return s3_server.new_bucket()


@pytest.fixture(scope="session")
def serial_s3_server(
    s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[S3Server]:
    """moto's S3 application served one request at a time: conditional writes are atomic."""
    log = tmp_path_factory.mktemp("s3-serial") / "moto.log"
    proc, url = _start(log, [sys.executable, "-c", SERIAL])
    try:
        yield S3Server(url)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
