"""Real scheduler processes: one leader at a time, takeover when it dies, kill -9 mid-tick."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading

from sqlalchemy import func, select

from article8.controls.inspections.models import Inspection
from article8.core.db import make_engine
from tests.cli_runner import article8
from tests.conftest import TEST_ARGON2


def _env(url, tmp_path, **extra):
    return {
        **os.environ,
        **TEST_ARGON2,
        "DATABASE_URL": url,
        "ARTICLE8_INSTANCE_DIR": str(tmp_path / "instance"),
        **extra,
    }


class Process:
    """A scheduler process whose log lines are read as they come."""

    def __init__(self, env):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "article8.cli", "scheduler", "run"],
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        """Block until a log line containing ``text`` arrives (an event, not a timing check)."""
        while True:
            line = self.lines.get(timeout=timeout)
            self.seen.append(line)
            if text in line:
                return line

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self.reader.join(timeout=30)
        self.proc.stderr.close()


def test_one_leader_at_a_time_and_a_standby_takes_over(fresh_database_url, tmp_path):
    env = _env(fresh_database_url, tmp_path, ARTICLE8_SCHEDULER_LEASE_SECONDS="3")
    first = Process(env)
    second = None
    try:
        first.wait_for("is the leader")
        first.wait_for("tick:")  # the leader runs the job
        second = Process(env)
        second.wait_for("standing by")
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=30)
        second.wait_for("is the leader")  # within a lease (3 s here, 45 s by default)
        second.wait_for("tick:")
        assert not any("is the leader" in line for line in second.seen[:1])
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_killing_a_tick_midway_leaves_no_duplicates_and_a_clean_trail(fresh_database_url, tmp_path):
    assert article8(fresh_database_url, tmp_path, "catalogue", "sync").returncode == 0
    env = _env(fresh_database_url, tmp_path)
    # Ten years of catch-up: a tick long enough to be killed in the middle.
    tick = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "article8.cli",
            "scheduler",
            "tick",
            "--at",
            "2036-11-24T10:00:00+09:00",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Kill it once it has started writing: the first audit event of the catch-up is committed
    # by nothing (one transaction), so wait for the process to be busy, then kill.
    try:
        tick.wait(timeout=1.5)
    except subprocess.TimeoutExpired:
        tick.send_signal(signal.SIGKILL)
    tick.communicate(timeout=30)
    assert tick.returncode == -signal.SIGKILL, "the tick finished before it could be killed"
    again = article8(
        fresh_database_url, tmp_path, "scheduler", "tick", "--at", "2036-11-24T10:00:00+09:00"
    )
    assert again.returncode == 0, again.stderr
    engine = make_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            duplicates = conn.execute(
                select(Inspection.control_id, Inspection.period_start)
                .group_by(Inspection.control_id, Inspection.period_start)
                .having(func.count() > 1)
            ).all()
            total = conn.scalar(select(func.count()).select_from(Inspection))
    finally:
        engine.dispose()
    assert duplicates == [] and total > 39 * 10
    assert article8(fresh_database_url, tmp_path, "audit", "verify").returncode == 0
