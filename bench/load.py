"""Load: gunicorn (4 workers) on PostgreSQL, 50 concurrent clients for 60 s.

The mix: the dashboard, inspection pages and evidence downloads, each client signed in as the
responsible person. Goal (issue 8): zero errors; report requests/s and p50/p99. A 10 s run
against /healthz through the same stack is the baseline. Needs PostgreSQL (BENCH_DATABASE_URL,
default the local server's `article8_bench` database, dropped and recreated). Prints JSON lines;
the last one is the verdict.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 50))
SECONDS = float(os.environ.get("BENCH_SECONDS", 60))
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "article8_bench"


def recreate_database() -> str:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + (
        f"/{DATABASE}"
    )


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [str(BIN / "article8"), *args],
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
        check=True,
    )
    return result.stdout


def prepare(env: dict[str, str], work: Path) -> list[int]:
    cli(env, "db", "upgrade")
    cli(env, "demo")
    for at in ("2026-06-01T10:00:00+09:00", "2026-11-24T10:00:00+09:00"):
        cli(env, "scheduler", "tick", "--at", at)
    ids = []
    for n in range(20):
        path = work / f"evidence-{n}.pdf"
        path.write_bytes(b"%PDF-1.7\n" + os.urandom(200 * 1024))
        ids.append(json.loads(cli(env, "evidence", "add", str(path), "--control", "ORG-04"))["id"])
    return ids


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    """One signed-in browser: a cookie jar over one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie, "Accept-Language": "en"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            raise
        data = response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, data

    def sign_in(self, email: str, password: str) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, _ = self.request(
            "POST",
            "/login",
            urlencode({"email": email, "password": password, "csrf_token": token.decode()}),
        )
        assert status == 302, status


def hammer(port: int, paths: list[str], seconds: float, clients: int, sign_in: bool) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def work(seed: int) -> None:
        rng = random.Random(seed)
        client = Client(port)
        if sign_in:
            client.sign_in("responsible@example.com", "demo-responsible-2026")
        mine: list[float] = []
        while time.monotonic() < stop:
            path = rng.choice(paths)
            started = time.perf_counter()
            try:
                status, _ = client.request("GET", path)
            except (http.client.HTTPException, OSError) as error:
                with lock:
                    errors.append(f"{path}: {error!r}")
                continue
            mine.append((time.perf_counter() - started) * 1000)
            if status != 200:
                with lock:
                    errors.append(f"{path}: HTTP {status}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:5],
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else None,
    }


def main() -> None:
    url = recreate_database()
    with tempfile.TemporaryDirectory() as name:
        work = Path(name)
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "ARTICLE8_INSTANCE_DIR": str(work / "instance"),
            "SECRET_KEY": "bench-load",
            "ARTICLE8_ARGON2_TIME_COST": "1",
            "ARTICLE8_ARGON2_MEMORY_KIB": "8192",
            "ARTICLE8_ARGON2_PARALLELISM": "1",
            "ARTICLE8_BIND": f"127.0.0.1:{port}",
            "ARTICLE8_WORKERS": "4",
            "ARTICLE8_LOG_LEVEL": "WARNING",
            # 50 clients from one address would trip the per-address sign-in throttle only
            # on failures; none are expected, so the default limits stay on.
        }
        evidence = prepare(env, work)
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "article8.wsgi:app",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    time.sleep(0.1)
            probe = Client(port)
            probe.sign_in("responsible@example.com", "demo-responsible-2026")
            dashboard = "/dashboard" if probe.request("GET", "/dashboard")[0] == 200 else "/"
            inspection_ids = re.findall(
                rb'href="/inspections/(\d+)"', probe.request("GET", "/inspections/?status=")[1]
            )[:30]
            paths = (
                [dashboard] * 3
                + ["/inspections/"] * 2
                + [f"/inspections/{int(i)}" for i in inspection_ids[:10]]
                + [f"/evidence/{i}/download" for i in evidence[:10]]
            )
            baseline = hammer(port, ["/healthz"], min(10.0, SECONDS), CLIENTS, sign_in=False)
            print(json.dumps({"bench": "load-baseline", "path": "/healthz", **baseline}))
            result = hammer(port, paths, SECONDS, CLIENTS, sign_in=True)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    print(
        json.dumps(
            {
                "bench": "load",
                "server": "gunicorn 4 workers x 4 threads, PostgreSQL",
                "clients": CLIENTS,
                "seconds": SECONDS,
                "mix": "dashboard, inspection list and pages, evidence downloads",
                "dashboard_path": dashboard,
                **result,
                "baseline": "GET /healthz, same stack",
                "baseline_rps": baseline["rps"],
                "ratio": round(result["rps"] / baseline["rps"], 2) if baseline["rps"] else None,
                "goal": "zero errors",
                "met": result["errors"] == 0 and result["requests"] > 0,
            }
        )
    )


if __name__ == "__main__":
    main()
