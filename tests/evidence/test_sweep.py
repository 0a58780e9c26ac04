"""`evidence verify --sweep` never takes live evidence: uploads in flight, young files, restores."""

from __future__ import annotations

import io
import json
import secrets
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from article8.controls.catalogue.services import sync_catalogue
from article8.core.db import Database, make_engine
from article8.core.models import AuditEvent
from article8.evidence import integrity, services, store_lock
from article8.evidence.blobstore import LocalBlobStore, local_store
from article8.evidence.errors import StoreBusy
from article8.evidence.models import EvidenceItem
from article8.web import create_app
from tests.cli_runner import invoke
from tests.conftest import SYSTEM_ACTOR, settings_for

ROUNDS = 3
# Where each upload of a round stops until the round's sweep has had its chance: in the middle
# of writing its temporary file, or with its blob stored and its row flushed but not committed.
PAUSES = ("writing", "writing", "before_commit", "before_commit", "before_commit")
PATIENCE = 120  # seconds; only a safety net for a hung test, never a measurement


def pdf(marker: str) -> bytes:
    """A small, valid, unique PDF."""
    return b"%PDF-1.7\n% " + marker.encode() + b"\n" + b"0" * 9000 + b"\n%%EOF\n"


class PausingStream(io.BytesIO):
    """An upload's body that stops after its first chunk (the temporary file exists by then)."""

    def __init__(self, content: bytes, pause: Callable[[], None]) -> None:
        super().__init__(content)
        self.pause, self.reads = pause, 0

    def read(self, size: int | None = -1) -> bytes:
        self.reads += 1
        if self.reads == 2:
            self.pause()
        return super().read(min(4096, size) if size and size > 0 else 4096)


@dataclass
class Worker:
    """One thread: an upload or a sweep, and what became of it."""

    name: str
    thread: threading.Thread | None = None
    pid: int | None = None  # the PostgreSQL backend, to see whether it waits for a lock
    paused: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    item_id: int | None = None

    def start(self, target: Callable[[], None]) -> None:
        def run() -> None:
            try:
                target()
            except BaseException as error:  # reported by the test, not lost in the thread
                self.error = error
            finally:
                self.done.set()

        self.thread = threading.Thread(target=run, name=self.name, daemon=True)
        self.thread.start()


class Interleaving:
    """Tells whether every worker has come to rest: finished, paused, or waiting for a lock."""

    def __init__(self, url: str, backend: str) -> None:
        self.backend = backend
        self.monitor: Engine | None = make_engine(url) if backend == "postgresql" else None

    def waiting_for_lock(self, worker: Worker) -> bool:
        if self.monitor is not None:
            if worker.pid is None:
                return False
            with self.monitor.connect() as conn:
                waits = conn.scalar(
                    text("SELECT count(*) FROM pg_locks WHERE pid = :pid AND NOT granted"),
                    {"pid": worker.pid},
                )
            return bool(waits)
        # SQLite: a connection waiting for the database's write lock is inside BEGIN IMMEDIATE,
        # which core.db issues from its "begin" listener.
        frame = sys._current_frames().get(worker.thread.ident) if worker.thread else None
        while frame is not None:
            code = frame.f_code
            if code.co_name == "_on_begin" and code.co_filename.endswith("core/db.py"):
                return True
            frame = frame.f_back
        return False

    def at_rest(self, worker: Worker) -> bool:
        return worker.done.is_set() or worker.paused.is_set() or self.waiting_for_lock(worker)

    def wait_until_at_rest(self, workers: list[Worker]) -> None:
        deadline = time.monotonic() + PATIENCE
        while not all(self.at_rest(w) for w in workers):
            assert time.monotonic() < deadline, self.describe(workers)
            time.sleep(0.005)  # polling for a state, not waiting for time to pass

    def describe(self, workers: list[Worker]) -> str:
        """Where each worker is, for the message of a test that hangs."""
        lines = [
            f"{w.name}: done={w.done.is_set()} paused={w.paused.is_set()} pid={w.pid} "
            f"error={w.error!r}"
            for w in workers
        ]
        if self.monitor is not None:
            with self.monitor.connect() as conn:
                lines += [
                    str(tuple(row))
                    for row in conn.execute(
                        text(
                            "SELECT pid, state, wait_event_type, wait_event, left(query, 80) "
                            "FROM pg_stat_activity WHERE pid = ANY(:pids)"
                        ),
                        {"pids": [w.pid for w in workers if w.pid is not None]},
                    )
                ]
        return "\n".join(lines)

    def close(self) -> None:
        if self.monitor is not None:
            self.monitor.dispose()


def _backend_pid(session, worker: Worker, backend: str) -> None:
    if backend == "postgresql":
        worker.pid = session.scalar(text("SELECT pg_backend_pid()"))


def _upload(url: str, backend: str, store, worker: Worker, content: bytes, pause_at: str, go):
    def pause() -> None:
        worker.paused.set()
        assert go.wait(PATIENCE), "the round never released its uploads"

    database = Database.from_url(url)
    try:
        with database.session() as session:
            _backend_pid(session, worker, backend)
            stream = PausingStream(content, pause) if pause_at == "writing" else io.BytesIO(content)
            data = services.EvidenceInput(
                filename=f"{worker.name}.pdf",
                title=worker.name,
                collected_on=date(2026, 11, 1),
                control_codes=["BP-01"],
            )
            item = services.add_evidence(
                session, store, SYSTEM_ACTOR, stream, data, max_bytes=1 << 20, now=_now()
            )
            if pause_at == "before_commit":
                pause()
            session.commit()
            worker.item_id = item.id
    finally:
        database.bind.dispose()


def _sweep(url: str, backend: str, store, worker: Worker) -> None:
    database = Database.from_url(url)
    try:
        with database.unit_of_work() as session:
            _backend_pid(session, worker, backend)
            # Grace 0 and a clock a day ahead: every file counts as old, so only the lock can
            # keep the sweep off the uploads in flight.
            integrity.sweep_store(
                session, store, grace=timedelta(0), now=_now() + timedelta(days=1)
            )
    finally:
        database.bind.dispose()


def _now() -> datetime:
    return datetime.now(UTC)


def test_sweeps_while_uploads_commit_lose_nothing(
    fresh_database_url, backend, tmp_path, monkeypatch, shipped_catalogue
):
    # A busy test machine may take a while to commit the uploads the sweep waits for; what is
    # tested is that it waits, not how long it would.
    monkeypatch.setattr(store_lock, "SWEEP_WAIT_SECONDS", PATIENCE)
    settings = settings_for(
        fresh_database_url, tmp_path / "instance", ARTICLE8_SWEEP_GRACE_MINUTES="0"
    )
    store = local_store(settings)
    database = Database.from_url(fresh_database_url)
    with database.unit_of_work() as session:
        sync_catalogue(session, shipped_catalogue, SYSTEM_ACTOR, now=_now())
    database.bind.dispose()
    interleaving = Interleaving(fresh_database_url, backend)
    uploads: list[Worker] = []
    true_orphans: list[str] = []
    leftovers: list[str] = []
    go = threading.Event()
    try:
        for round_no in range(ROUNDS):
            # What the sweep is for: a blob whose row never committed, a crashed write's file...
            true_orphans.append(store.put(io.BytesIO(pdf(f"orphan-{round_no}"))).sha256)
            handle, temp = store.new_incoming()
            handle.write(b"%PDF-1.7\n")
            handle.close()
            leftovers.append(temp.name)
            # ...and an unreferenced blob that an upload of this round stores again (dedup).
            reused = pdf(f"reused-{round_no}")
            store.put(io.BytesIO(reused))
            go = threading.Event()
            round_uploads = []
            for n, pause_at in enumerate(PAUSES):
                worker = Worker(f"round{round_no}-upload{n}-{pause_at}")
                content = reused if n == 3 else pdf(f"{worker.name}-{secrets.token_hex(8)}")
                worker.start(
                    lambda w=worker, c=content, p=pause_at, g=go: _upload(
                        fresh_database_url, backend, store, w, c, p, g
                    )
                )
                round_uploads.append(worker)
            interleaving.wait_until_at_rest(round_uploads)
            sweeper = Worker(f"round{round_no}-sweep")
            sweeper.start(lambda s=sweeper: _sweep(fresh_database_url, backend, store, s))
            # The sweep runs now, with uploads between blob and commit: it either finishes
            # (then it must have left them alone) or waits for the store lock.
            interleaving.wait_until_at_rest([sweeper])
            go.set()
            for worker in [*round_uploads, sweeper]:
                assert worker.done.wait(PATIENCE), interleaving.describe([*round_uploads, sweeper])
            uploads += round_uploads
            assert sweeper.error is None, repr(sweeper.error)
    finally:
        go.set()  # a failed round must not leave uploads holding their locks
        interleaving.close()

    assert [(w.name, repr(w.error)) for w in uploads if w.error is not None] == []
    engine = make_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(EvidenceItem.id, EvidenceItem.sha256)).all()
    finally:
        engine.dispose()
    assert sorted(r.id for r in rows) == sorted(w.item_id for w in uploads)
    assert [r for r in rows if not store.exists(r.sha256)] == []
    app = create_app(settings)  # ARTICLE8_SWEEP_GRACE_MINUTES=0
    try:
        swept = invoke(app, "evidence", "verify", "--sweep", "--format", "json")
        result = invoke(app, "evidence", "verify", "--format", "json")
    finally:
        app.extensions["article8.database"].bind.dispose()
    assert swept.exit_code == 0, swept.output
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["missing"] == [] and report["corrupt"] == [] and report["orphans"] == []
    assert report["incomplete"] == [] and report["checked"] == len({r.sha256 for r in rows})
    # The sweeps did sweep: what no row references is in orphans/, the leftovers are gone.
    assert all((store.orphans / sha256).is_file() for sha256 in true_orphans)
    assert not any(store.exists(sha256) for sha256 in true_orphans)
    assert set(leftovers).isdisjoint(store.incomplete())


# --- the grace period and restoring, through the command ---------------------------------


@pytest.fixture
def settings_env(request) -> dict[str, str]:
    return getattr(request, "param", {})


@pytest.fixture
def store(settings) -> LocalBlobStore:
    return local_store(settings)


@pytest.fixture
def upload(session, store, clock, synced_catalogue):

    def add(marker: str) -> EvidenceItem:
        data = services.EvidenceInput(
            filename=f"{marker}.pdf",
            title=marker,
            collected_on=date(2026, 11, 1),
            control_codes=["BP-01"],
        )
        item = services.add_evidence(
            session,
            store,
            SYSTEM_ACTOR,
            io.BytesIO(pdf(marker)),
            data,
            max_bytes=1 << 20,
            now=clock(),
        )
        session.commit()
        return item

    return add


def _modified(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _verify(app, *options: str) -> tuple[int, dict]:
    result = invoke(app, "evidence", "verify", *options, "--format", "json")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize(
    ("settings_env", "grace_minutes"),
    [({}, 60), ({"ARTICLE8_SWEEP_GRACE_MINUTES": "5"}, 5)],
    indirect=["settings_env"],
)
def test_the_sweep_leaves_young_blobs_and_unfinished_uploads_alone(
    app, store, clock, upload, grace_minutes
):
    kept = upload("kept")
    orphan = store.put(io.BytesIO(pdf("never committed"))).sha256
    handle, temp = store.new_incoming()
    handle.write(b"%PDF-1.7\n")  # an upload still being written
    handle.close()
    born = max(_modified(store.path(orphan)), _modified(temp))

    clock.current = born + timedelta(minutes=grace_minutes - 1)
    status, young = _verify(app, "--sweep")
    assert status == 0
    assert (young["moved"], young["discarded"]) == ([], [])
    assert sorted(young["kept_young"]) == sorted([orphan, temp.name])
    assert store.exists(orphan) and temp.exists()

    clock.advance(minutes=2)
    status, old = _verify(app, "--sweep")
    assert status == 0
    assert (old["moved"], old["discarded"], old["kept_young"]) == ([orphan], [temp.name], [])
    assert (store.orphans / orphan).read_bytes() == pdf("never committed")
    assert not store.exists(orphan) and not temp.exists()
    assert store.exists(kept.sha256) and old["orphans"] == [] and old["incomplete"] == []


def test_restore_orphans_moves_back_a_swept_blob_that_evidence_references(
    app, session, store, upload
):
    item = upload("policy")
    store.quarantine(item.sha256)  # what the old sweep did to freshly committed evidence
    status, before = _verify(app)
    assert status == 1 and before["missing"] == [[item.id, item.sha256]]

    status, after = _verify(app, "--restore-orphans")
    assert status == 0, after
    assert after["restored"] == [item.sha256] and after["missing"] == []
    assert store.path(item.sha256).read_bytes() == pdf("policy")
    assert oct(store.path(item.sha256).stat().st_mode & 0o777) == "0o440"
    assert not (store.orphans / item.sha256).exists()
    restored = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "evidence.restore_blob")
    ).all()
    assert [(e.object_type, e.object_id) for e in restored] == [("evidence", str(item.id))]
    assert json.loads(restored[0].details)["sha256"] == item.sha256


def test_a_damaged_orphan_is_not_restored_and_the_command_says_so(app, store, upload):
    item = upload("register")
    store.quarantine(item.sha256)
    copy = store.orphans / item.sha256
    copy.chmod(0o640)
    copy.write_bytes(pdf("something else"))
    result = invoke(app, "evidence", "verify", "--restore-orphans")
    assert result.exit_code == 1
    assert f"article8: orphans/{item.sha256} does not match its hash; not restored" in (
        result.stderr
    )
    assert f"evidence {item.id}: blob {item.sha256} is missing" in result.stderr
    assert copy.read_bytes() == pdf("something else") and not store.exists(item.sha256)


def test_sweep_and_restore_together_is_a_usage_error(app):
    result = invoke(app, "evidence", "verify", "--sweep", "--restore-orphans")
    assert result.exit_code == 2 and "give one of them" in result.stderr


def test_a_sweep_kept_waiting_by_an_upload_gives_up_moving_nothing(
    fresh_database_url, backend, tmp_path, monkeypatch
):
    if backend == "sqlite":
        pytest.skip("on SQLite the wait is the connection's busy timeout (30 s), not ours")
    monkeypatch.setattr(store_lock, "SWEEP_WAIT_SECONDS", 1)
    store = LocalBlobStore(tmp_path / "evidence")
    orphan = store.put(io.BytesIO(pdf("orphan"))).sha256
    uploading, sweeping = (
        Database.from_url(fresh_database_url),
        Database.from_url(fresh_database_url),
    )
    try:
        with uploading.session() as upload, sweeping.session() as sweep:
            store_lock.hold_for_upload(upload)  # an upload between its blob and its commit
            with pytest.raises(StoreBusy) as refused:
                integrity.sweep_store(sweep, store, grace=timedelta(0), now=_now())
            assert str(refused.value) == (
                "Uploads kept the evidence store busy for 1 seconds; nothing was swept. "
                "Try again later."
            )
    finally:
        uploading.bind.dispose()
        sweeping.bind.dispose()
    assert store.exists(orphan)
