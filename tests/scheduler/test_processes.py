"""Real scheduler processes: one leader at a time, takeover when it dies, kill -9 mid-tick."""

from __future__ import annotations

import signal

from sqlalchemy import func, select

from article8.controls.inspections.models import Inspection
from article8.core.db import make_engine
from tests.cli_runner import article8
from tests.support.processes import Lines, process_env, start, start_logging_statements


class Scheduler:
    """A `scheduler run` process whose log lines are read as they come."""

    def __init__(self, env):
        self.proc = start(["scheduler", "run"], env)
        self.log = Lines(self.proc.stderr)

    def wait_for(self, text: str) -> str:
        return self.log.wait_for(text)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self.log.thread.join(timeout=30)
        self.proc.stderr.close()


def test_one_leader_at_a_time_and_a_standby_takes_over(fresh_database_url, tmp_path):
    env = process_env(fresh_database_url, tmp_path, ARTICLE8_SCHEDULER_LEASE_SECONDS="3")
    first = Scheduler(env)
    second = None
    try:
        first.wait_for("is the leader")
        first.wait_for("tick:")  # the leader runs the job
        second = Scheduler(env)
        second.wait_for("standing by")
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=30)
        second.wait_for("is the leader")  # within a lease (3 s here, 45 s by default)
        second.wait_for("tick:")
        assert not any("is the leader" in line for line in second.log.seen[:1])
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_killing_a_tick_midway_leaves_no_duplicates_and_a_clean_trail(fresh_database_url, tmp_path):
    assert article8(fresh_database_url, tmp_path, "catalogue", "sync").returncode == 0
    # Ten years of catch-up in one transaction: kill the tick once it has sent its first
    # INSERT of an inspection (its statement log says so), before it can commit.
    tick = start_logging_statements(
        ["scheduler", "tick", "--at", "2036-11-24T10:00:00+09:00"],
        process_env(fresh_database_url, tmp_path),
    )
    log = Lines(tick.stderr)
    try:
        log.wait_for("INSERT INTO inspection")
    finally:
        tick.send_signal(signal.SIGKILL)
        tick.wait(timeout=30)
        log.thread.join(timeout=30)
        tick.stderr.close()
    assert tick.returncode == -signal.SIGKILL
    engine = make_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Inspection)) == 0
    finally:
        engine.dispose()
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
    assert duplicates == [] and total > 40 * 10
    assert article8(fresh_database_url, tmp_path, "audit", "verify").returncode == 0
