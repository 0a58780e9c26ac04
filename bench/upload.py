"""Benchmark: upload a 1 GiB evidence file over HTTP to a running server.

Goals (issue 5): the server's peak RSS grows by at most 64 MiB, and upload throughput is at least
half that of `sha256sum` on the same file, measured in the same run. The server is the real
`article8 serve` process on loopback; the client streams a multipart body (never held in memory).
Prints one JSON line.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SIZE = int(os.environ.get("BENCH_UPLOAD_BYTES", 1024**3))
CHUNK = 1024 * 1024


def rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(work: Path) -> tuple[dict[str, str], str]:
    """A migrated instance with the catalogue, one inspector and an API token."""
    from article8.controls.catalogue.files import load_catalogue
    from article8.controls.catalogue.services import sync_catalogue
    from article8.core import schema
    from article8.core.audit import SYSTEM
    from article8.core.db import Database, make_engine
    from article8.core.tokens import create_token
    from article8.core.users import PasswordPolicy, create_user

    env = {
        **os.environ,
        "ARTICLE8_INSTANCE_DIR": str(work / "instance"),
        "DATABASE_URL": f"sqlite:///{work}/bench.db",
        "SECRET_KEY": "bench",
        "MAX_UPLOAD_MB": str(SIZE // 1024**2 + 16),
    }
    engine = make_engine(env["DATABASE_URL"])
    schema.upgrade(engine)
    now = datetime.now(UTC)
    with Database(engine).unit_of_work() as session:
        sync_catalogue(session, load_catalogue(), SYSTEM, now=now)
        user = create_user(
            session,
            SYSTEM,
            email="bench@example.com",
            display_name="Bench",
            role="inspector",
            password="benchmark password",  # noqa: S106 - a throwaway bench account
            policy=PasswordPolicy(1, 8192, 1),
            now=now,
        )
        _, token = create_token(session, SYSTEM, user, "bench", now=now)
    engine.dispose()
    return env, token


def make_file(path: Path) -> None:
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        block = os.urandom(CHUNK)
        written = 9
        while written < SIZE:
            piece = block[: min(CHUNK, SIZE - written)]
            handle.write(piece)
            written += len(piece)


def upload(port: int, token: str, path: Path) -> float:
    boundary = "article8bench" + os.urandom(8).hex()
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="controls"\r\n\r\nORG-04\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + path.stat().st_size + len(tail)
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.putrequest("POST", "/api/v1/evidence")
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(length))
    conn.endheaders()
    conn.send(head)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            conn.send(chunk)
    conn.send(tail)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    if response.status != 201:
        raise RuntimeError(f"upload failed: {response.status} {body[:300]!r}")
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as name:
        work = Path(name)
        env, token = prepare(work)
        data = work / "big.pdf"
        make_file(data)
        started = time.perf_counter()
        subprocess.run(["sha256sum", str(data)], check=True, capture_output=True)
        baseline = time.perf_counter() - started
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "article8.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    time.sleep(0.1)
            conn = http.client.HTTPConnection("127.0.0.1", port)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            before = rss_kib(server.pid, "VmRSS")
            seconds = upload(port, token, data)
            peak = rss_kib(server.pid, "VmHWM")
        finally:
            server.terminate()
            server.wait(timeout=30)
        mib = SIZE / 1024**2
        growth = (peak - before) / 1024
        ratio = (mib / seconds) / (mib / baseline)
        print(
            json.dumps(
                {
                    "bench": "upload",
                    "bytes": SIZE,
                    "seconds": round(seconds, 2),
                    "throughput_mib_s": round(mib / seconds, 1),
                    "baseline": "sha256sum",
                    "baseline_seconds": round(baseline, 2),
                    "baseline_mib_s": round(mib / baseline, 1),
                    "ratio": round(ratio, 2),
                    "server_rss_before_mib": round(before / 1024, 1),
                    "server_rss_growth_mib": round(growth, 1),
                    "goal": "ratio >= 0.5 and server RSS growth <= 64 MiB",
                    "met": ratio >= 0.5 and growth <= 64,
                }
            )
        )


if __name__ == "__main__":
    main()
