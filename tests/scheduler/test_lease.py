"""The leader lease: one scheduler at a time; a standby takes over when the leader goes quiet."""

from __future__ import annotations

from datetime import timedelta

from article8.core import lease
from tests.conftest import START


def test_only_one_holder_at_a_time_and_takeover_after_expiry(database):
    assert lease.try_acquire(database, "a", now=START)
    assert not lease.try_acquire(database, "b", now=START + timedelta(seconds=10))
    assert lease.try_acquire(database, "a", now=START + timedelta(seconds=30))  # renewal
    # "a" dies: its lease (renewed at +30 s) lapses at +75 s, well within a minute.
    assert not lease.try_acquire(database, "b", now=START + timedelta(seconds=74))
    assert lease.try_acquire(database, "b", now=START + timedelta(seconds=76))
    assert not lease.try_acquire(database, "a", now=START + timedelta(seconds=77))


def test_a_released_lease_is_taken_at_once(database):
    assert lease.try_acquire(database, "a", now=START)
    lease.release(database, "a", now=START + timedelta(seconds=1))
    assert lease.try_acquire(database, "b", now=START + timedelta(seconds=2))
    assert lease.heartbeat_age(database, now=START + timedelta(seconds=12)) == 10
