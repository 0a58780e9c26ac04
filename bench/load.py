"""Load: gunicorn (4 workers) on PostgreSQL, 50 concurrent clients for 60 s.

The mix: the dashboard, inspection pages and evidence downloads, each client signed in as the
responsible person. Goal (issue 8): zero errors; report requests/s and p50/p99. A 10 s run
against /healthz through the same stack is the baseline. Needs PostgreSQL (BENCH_DATABASE_URL,
default the local server's `article8_bench` database, dropped and recreated). Prints JSON lines;
the last one is the verdict.

``--nodes 2`` (issue 18): evidence in an S3 bucket (moto's server on loopback, started here),
then the same load against one node and against two gunicorn nodes (4 workers in all either
way) with every client's requests alternating between the nodes, as behind a load balancer
without sticky sessions; meanwhile two uploaders push new evidence through the API, alternating
nodes too. Afterwards every uploaded file is downloaded through a node other than the one that
took it and compared by SHA-256 ("lost" counts the ones that are not there or differ), and
`evidence verify` checks the bucket. Goal: zero errors and no lost evidence on both runs.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import itertools
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


def recreate_database(database: str = DATABASE) -> str:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {database}")
    return ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + (
        f"/{database}"
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
    """One signed-in browser: a cookie jar over one keep-alive connection per node; requests
    go to the nodes in turn (a load balancer without sticky sessions)."""

    def __init__(self, port: int | list[int]) -> None:
        self.ports = [port] if isinstance(port, int) else list(port)
        self.conns = [http.client.HTTPConnection("127.0.0.1", p, timeout=60) for p in self.ports]
        self.turn = itertools.cycle(range(len(self.ports)))
        self.used = [False] * len(self.ports)
        self.cookie = ""
        # GETs re-sent once on a fresh connection because the server had closed an idle
        # keep-alive one (gunicorn's keepalive is 5 s; with requests alternating between
        # nodes, a connection can idle that long). Browsers and urllib3 do the same (RFC 9112
        # 9.3.1); it is counted and reported, never hidden.
        self.stale_retries = 0

    def request(
        self, method: str, path: str, body: str | bytes | None = None, **extra: str
    ) -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie, "Accept-Language": "en", **extra}
        if body is not None and "Content-Type" not in headers:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        n = next(self.turn)
        while True:
            try:
                self.conns[n].request(method, path, body=body, headers=headers)
                response = self.conns[n].getresponse()
                break
            except (http.client.HTTPException, OSError) as error:
                self.conns[n].close()
                self.conns[n] = http.client.HTTPConnection("127.0.0.1", self.ports[n], timeout=60)
                stale = isinstance(
                    error, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError
                )
                if not (stale and self.used[n] and method == "GET"):
                    raise
                self.used[n] = False  # the fresh connection gets no second retry
                self.stale_retries += 1
        self.used[n] = True
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


def hammer(
    port: int | list[int], paths: list[str], seconds: float, clients: int, sign_in: bool
) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    retries: list[int] = []
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
            retries.append(client.stale_retries)

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
        "stale_keepalive_retries": sum(retries),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else None,
    }


def gunicorn(env: dict[str, str], port: int, workers: int, instance: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "article8.wsgi:app",
        ],
        env={
            **env,
            "ARTICLE8_BIND": f"127.0.0.1:{port}",
            "ARTICLE8_WORKERS": str(workers),
            "ARTICLE8_INSTANCE_DIR": str(instance),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_healthy(port: int) -> None:
    """Poll /healthz until the node answers 200 (readiness, not a fixed sleep)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the node on port {port} never became healthy")


def mix(port: int | list[int], evidence: list[int]) -> list[str]:
    probe = Client(port)
    probe.sign_in("responsible@example.com", "demo-responsible-2026")
    dashboard = "/dashboard" if probe.request("GET", "/dashboard")[0] == 200 else "/"
    inspection_ids = re.findall(
        rb'href="/inspections/(\d+)"', probe.request("GET", "/inspections/?status=")[1]
    )[:30]
    return (
        [dashboard] * 3
        + ["/inspections/"] * 2
        + [f"/inspections/{int(i)}" for i in inspection_ids[:10]]
        + [f"/evidence/{i}/download" for i in evidence[:10]]
    )


class Uploaders:
    """Threads that upload new evidence through the API while the load runs, nodes in turn."""

    def __init__(self, ports: list[int], token: str, count: int = 2) -> None:
        self.ports, self.token = ports, token
        self.stored: list[tuple[int, str, int]] = []  # evidence id, SHA-256, node index
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.work, args=(n,)) for n in range(count)]

    def work(self, seed: int) -> None:
        for n in itertools.count(seed, len(self.threads)):
            if self.stop.is_set():
                return
            node = n % len(self.ports)
            content = b"%PDF-1.7\n" + os.urandom(64 * 1024)
            boundary = "benchboundary"
            body = (
                (
                    f"--{boundary}\r\nContent-Disposition: form-data; "
                    f'name="controls"\r\n\r\nORG-04\r\n'
                    f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                    f'filename="load-{n}.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
                ).encode()
                + content
                + f"\r\n--{boundary}--\r\n".encode()
            )
            conn = http.client.HTTPConnection("127.0.0.1", self.ports[node], timeout=60)
            try:
                conn.request(
                    "POST",
                    "/api/v1/evidence",
                    body=body,
                    headers={
                        "Authorization": f"Bearer {self.token}",
                        "Content-Type": f"multipart/form-data; boundary={boundary}",
                    },
                )
                response = conn.getresponse()
                answer = response.read()
            except (http.client.HTTPException, OSError) as error:
                with self.lock:
                    self.errors.append(f"upload: {error!r}")
                continue
            finally:
                conn.close()
            with self.lock:
                if response.status == 201:
                    item = json.loads(answer)
                    self.stored.append((item["id"], hashlib.sha256(content).hexdigest(), node))
                else:
                    self.errors.append(f"upload: HTTP {response.status}")

    def __enter__(self) -> Uploaders:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def lost_evidence(ports: list[int], stored: list[tuple[int, str, int]]) -> int:
    """Download each upload through a node that did not take it; count missing or changed."""
    reader = Client(ports)
    reader.sign_in("auditor@example.com", "demo-auditor-pass-2026")
    lost = 0
    for item_id, sha256, node in stored:
        other = Client(ports[(node + 1) % len(ports)])
        other.cookie = reader.cookie
        status, data = other.request("GET", f"/evidence/{item_id}/download")
        if status != 200 or hashlib.sha256(data).hexdigest() != sha256:
            lost += 1
    return lost


def start_s3(work: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    """moto's S3 server on loopback and a bucket with Object Lock; the nodes' S3 settings."""
    import boto3

    aws = {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    log = work / "moto.log"
    with log.open("w") as handle:
        server = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", "0"],
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while not (found := re.search(r"Running on (http://127\.0\.0\.1:\d+)", log.read_text())):
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit("moto_server did not start")
        time.sleep(0.1)
    endpoint = found.group(1)
    client = boto3.session.Session(
        aws_access_key_id=aws["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=aws["AWS_SECRET_ACCESS_KEY"],
        region_name=aws["AWS_DEFAULT_REGION"],
    ).client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket="article8-bench", ObjectLockEnabledForBucket=True)
    return server, {
        **aws,
        "EVIDENCE_STORE": "s3://article8-bench/evidence",
        "S3_ENDPOINT_URL": endpoint,
        "S3_OBJECT_LOCK_DAYS": "1",
    }


def run_nodes(env: dict[str, str], work: Path, evidence: list[int], nodes: int) -> dict:
    """The load against ``nodes`` gunicorn nodes (4 workers in all) with uploads alongside."""
    ports = [free_port() for _ in range(nodes)]
    servers = [
        gunicorn(env, port, max(1, 4 // nodes), work / f"node-{n}") for n, port in enumerate(ports)
    ]
    try:
        for port in ports:
            wait_healthy(port)
        token = cli(
            env, "tokens", "create", "--user", "inspector@example.com", "--name", f"bench {nodes}"
        ).split()[0]
        paths = mix(ports, evidence)
        with Uploaders(ports, token) as uploads:
            result = hammer(ports, paths, SECONDS, CLIENTS, sign_in=True)
        lost = lost_evidence(ports, uploads.stored)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=60)
    verify = subprocess.run(
        [str(BIN / "article8"), "evidence", "verify", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
    )
    return {
        "nodes": nodes,
        "workers_per_node": max(1, 4 // nodes),
        **result,
        "uploads": len(uploads.stored),
        "upload_errors": len(uploads.errors),
        "first_upload_errors": uploads.errors[:5],
        "lost_evidence": lost,
        "verify_ok": verify.returncode == 0,
    }


def main_nodes(nodes: int) -> None:
    url = recreate_database(f"{DATABASE}_nodes")
    with tempfile.TemporaryDirectory() as name:
        work = Path(name)
        moto, s3 = start_s3(work)
        try:
            env = {
                **os.environ,
                **s3,
                "DATABASE_URL": url,
                "ARTICLE8_INSTANCE_DIR": str(work / "instance"),
                "SECRET_KEY": "bench-load",
                "ARTICLE8_ARGON2_TIME_COST": "1",
                "ARTICLE8_ARGON2_MEMORY_KIB": "8192",
                "ARTICLE8_ARGON2_PARALLELISM": "1",
                "ARTICLE8_LOG_LEVEL": "WARNING",
            }
            evidence = prepare(env, work)
            one = run_nodes(env, work, evidence, 1)
            print(json.dumps({"bench": "load-nodes", "store": "s3 (moto on loopback)", **one}))
            many = run_nodes(env, work, evidence, nodes)
            print(json.dumps({"bench": "load-nodes", "store": "s3 (moto on loopback)", **many}))
        finally:
            moto.terminate()
            moto.wait(timeout=30)

    def clean(run: dict) -> bool:
        return (
            run["errors"] == 0
            and run["upload_errors"] == 0
            and run["lost_evidence"] == 0
            and run["verify_ok"]
            and run["requests"] > 0
            and run["uploads"] > 0
        )

    print(
        json.dumps(
            {
                "bench": "load-nodes",
                "clients": CLIENTS,
                "seconds": SECONDS,
                "mix": "dashboard, inspection list and pages, evidence downloads (S3); "
                "two uploaders through the API; requests alternate between the nodes",
                "nodes": nodes,
                "rps": many["rps"],
                "p99_ms": many["p99_ms"],
                "errors": many["errors"] + many["upload_errors"],
                "stale_keepalive_retries": many["stale_keepalive_retries"],
                "uploads": many["uploads"],
                "lost_evidence": many["lost_evidence"],
                "baseline": "the same load and store on one node (4 workers)",
                "baseline_rps": one["rps"],
                "baseline_p99_ms": one["p99_ms"],
                "baseline_errors": one["errors"] + one["upload_errors"],
                "baseline_stale_keepalive_retries": one["stale_keepalive_retries"],
                "baseline_lost_evidence": one["lost_evidence"],
                "ratio": round(many["rps"] / one["rps"], 2) if one["rps"] else None,
                "goal": "zero errors and no lost evidence on one node and on several "
                "(2 cores: no speed-up expected)",
                "met": clean(one) and clean(many),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--nodes",
        type=int,
        default=1,
        help="2 or more: evidence on S3, one node against this many (issue 18)",
    )
    nodes = parser.parse_args().nodes
    if nodes > 1:
        main_nodes(nodes)
        return
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
