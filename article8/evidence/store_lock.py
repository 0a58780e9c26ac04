"""The lock that keeps the sweep away from uploads: a blob and the row naming it appear together.

An upload stores its blob first and commits its row later; until the commit, the blob looks
unreferenced to everyone else. So an upload holds this lock *shared* from before it stores the
blob until its transaction ends, and the sweep holds it *exclusively* while it decides what is
unreferenced and moves it. The sweep therefore sees every blob either with its committed row or
not yet stored (and no temporary file of an upload in flight).

Lock order: a transaction takes this lock before it appends to the audit trail (whose own lock
it then waits for), never after; see :func:`hold_for_upload`.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from article8.core.errors import N_
from article8.evidence.errors import StoreBusy

# pg_advisory_*lock keys: this lock's class ("a8st"; the audit chain uses "art8") and, as the
# second key, the schema's hash, so that instances in different schemas of one database (and
# parallel test runs) do not wait for each other.
STORE_LOCK_KEY = 0x61387374
_KEYS = "CAST(:key AS integer), hashtext(current_schema())"
# How long the sweep waits for uploads in flight before it gives up (it is retried by cron);
# while it waits, new uploads queue behind it, so the wait is bounded.
SWEEP_WAIT_SECONDS = 30


def hold_for_upload(session: Session) -> None:
    """Hold the store lock shared until the transaction ends; call before storing a blob.

    Take it before anything in the transaction appends to the audit trail: waiting here (behind
    a sweep) while holding the chain's lock would deadlock with an upload that holds this lock
    and waits for the chain's.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Transaction-scoped: released by the commit (or rollback) that makes the row visible.
        session.execute(
            text(f"SELECT pg_advisory_xact_lock_shared({_KEYS})"), {"key": STORE_LOCK_KEY}
        )
    else:
        _sqlite_write_lock(session)


def hold_exclusively(session: Session) -> None:
    """Hold the store lock alone until the transaction ends (the sweep); raise StoreBusy."""
    if session.get_bind().dialect.name == "postgresql":
        # Bounded: uploads queue behind a waiting exclusive request. READ COMMITTED (the
        # default) gives every later statement a snapshot taken after the lock was granted,
        # so the sweep sees the rows of every upload that held the lock before it.
        session.execute(
            text("SELECT set_config('lock_timeout', :wait, true)"),
            {"wait": f"{SWEEP_WAIT_SECONDS}s"},
        )
        try:
            session.execute(text(f"SELECT pg_advisory_xact_lock({_KEYS})"), {"key": STORE_LOCK_KEY})
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != "55P03":  # lock_not_available
                raise
            raise _busy() from None
    else:
        try:
            _sqlite_write_lock(session)
        except OperationalError as error:
            if "locked" not in str(error.orig):
                raise
            raise _busy() from None


def _busy() -> StoreBusy:
    return StoreBusy(
        N_(
            "Uploads kept the evidence store busy for %(seconds)d seconds; nothing was swept. "
            "Try again later."
        ),
        seconds=SWEEP_WAIT_SECONDS,
    )


def _sqlite_write_lock(session: Session) -> None:
    # SQLite has one write lock for the whole database, held from the first write of a
    # transaction to its end. Our engine begins every transaction IMMEDIATE (core.db), which
    # takes it at once; this no-op write takes it explicitly, whatever the BEGIN mode, so that
    # uploads and the sweep exclude each other by this call and not by accident.
    session.execute(text("UPDATE evidence_item SET id = id WHERE 1 = 0"))
