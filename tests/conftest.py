"""Fixtures: every database test runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from article8.controls.catalogue.files import ControlSpec, load_catalogue
from article8.controls.catalogue.services import sync_catalogue
from article8.core.audit import Actor
from article8.core.db import Database, make_engine
from article8.core.models import User
from article8.core.settings import Settings
from article8.core.users import PasswordPolicy, create_user
from article8.web import create_app
from tests.databases import BACKENDS, postgres_base_url, provisioned

# Cheap but real Argon2id for tests: the algorithm is the same, only the cost is lower.
TEST_ARGON2 = {
    "ARTICLE8_ARGON2_TIME_COST": "1",
    "ARTICLE8_ARGON2_MEMORY_KIB": "8192",
    "ARTICLE8_ARGON2_PARALLELISM": "1",
}
TEST_PASSWORD = "correct horse battery"
START = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo, a Tuesday


class FakeClock:
    """An injected clock: tests move time instead of sleeping."""

    def __init__(self, start: datetime = START) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.current += timedelta(**delta)


# --- databases -----------------------------------------------------------------------------


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test."""
    if request.param == "postgresql" and not postgres_base_url():
        if os.environ.get("ARTICLE8_REQUIRE_POSTGRES"):
            pytest.fail("ARTICLE8_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
        pytest.skip("PostgreSQL: TEST_DATABASE_URL is not set")
    return str(request.param)


@pytest.fixture(scope="session")
def plain_database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database shared by the session; tests roll back what they do in it."""
    with provisioned(backend, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def fresh_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database of the test's own, for tests that must really commit."""
    with provisioned(backend, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def shipped_catalogue() -> tuple[ControlSpec, ...]:
    """The shipped catalogue, read and validated once per session (it never changes in a run)."""
    return tuple(load_catalogue())


@pytest.fixture(scope="session")
def catalogued_database_url(
    backend: str, tmp_path_factory: pytest.TempPathFactory, shipped_catalogue
) -> Iterator[str]:
    """A second shared database, holding the shipped catalogue as synced at START, committed."""
    with provisioned(backend, tmp_path_factory.mktemp("catalogued")) as url:
        database = Database.from_url(url)
        with database.unit_of_work() as session:
            sync_catalogue(session, shipped_catalogue, SYSTEM_ACTOR, now=START)
        database.bind.dispose()
        yield url


@pytest.fixture
def synced_catalogue(shipped_catalogue) -> tuple[ControlSpec, ...]:
    """The shipped catalogue, synced by an administrator at START before anything else happened.

    Asking for it gives the test the session's catalogued database (see ``database_url``), where
    the product's own sync already ran once: the same rows and audit events as syncing first
    thing in the test, without paying for it in every test.
    """
    return shipped_catalogue


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str) -> str:
    """The shared database this test works in (on ``backend``): with the catalogue if it asks."""
    if "synced_catalogue" in request.fixturenames:
        return str(request.getfixturevalue("catalogued_database_url"))
    return str(request.getfixturevalue("plain_database_url"))


@pytest.fixture(scope="session")
def engines() -> Iterator[dict[str, Engine]]:
    """One engine per shared database, for the whole session."""
    made: dict[str, Engine] = {}
    yield made
    for engine in made.values():
        engine.dispose()


@pytest.fixture
def engine(database_url: str, engines: dict[str, Engine]) -> Engine:
    """The engine of the test's shared database."""
    if database_url not in engines:
        engines[database_url] = make_engine(database_url)
    return engines[database_url]


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        if outer.is_active:
            outer.rollback()


@pytest.fixture
def database(connection: Connection) -> Database:
    """A database handle whose sessions work in savepoints of the test's transaction."""
    database = Database(connection)
    database.bind_to(connection)
    return database


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session for arranging and asserting."""
    with database.session() as session:
        yield session


# --- time, settings, app -------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    """The injected clock, starting at :data:`START`."""
    return FakeClock()


def settings_for(database_url: str, instance_dir: Path, **extra: str) -> Settings:
    """Settings as the tests use them (cheap Argon2, a fixed secret)."""
    env = {
        "DATABASE_URL": database_url,
        "ARTICLE8_INSTANCE_DIR": str(instance_dir),
        "SECRET_KEY": "test-secret-key",
        **TEST_ARGON2,
        **extra,
    }
    return Settings.from_env(env)


@pytest.fixture
def settings_env() -> dict[str, str]:
    """Extra environment for the app's settings; tests override entries."""
    return {}


@pytest.fixture
def settings(database_url: str, tmp_path: Path, settings_env: dict[str, str]) -> Settings:
    """The app's settings."""
    return settings_for(database_url, tmp_path / "instance", **settings_env)


@pytest.fixture
def policy(settings: Settings) -> PasswordPolicy:
    """The password hashing policy in force."""
    return PasswordPolicy.from_settings(settings)


class EnglishClient(FlaskClient):
    """A test client whose browser asks for English (anonymous pages default to Japanese)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def app(settings: Settings, database: Database, clock: FakeClock) -> Flask:
    """The application, bound to the test's transaction and clock."""
    app = create_app(settings, database=database, clock=clock)
    app.config["TESTING"] = True
    app.test_client_class = EnglishClient
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client."""
    return app.test_client()


# --- factories and helpers -----------------------------------------------------------------

# Arranging data as an administrator would (the services check object-level permissions).
SYSTEM_ACTOR = Actor(None, "test", role="admin")
_counter = {"n": 0}


@pytest.fixture
def make_user(session: Session, policy: PasswordPolicy, clock: FakeClock) -> Callable[..., User]:
    """Create (and commit) a user; only the fields a test cares about need naming."""

    def make(role: str = "inspector", **fields: Any) -> User:
        _counter["n"] += 1
        n = _counter["n"]
        user = create_user(
            session,
            SYSTEM_ACTOR,
            email=fields.pop("email", f"{role}{n}@example.com"),
            display_name=fields.pop("display_name", f"{role.title()} {n}"),
            role=role,
            password=fields.pop("password", TEST_PASSWORD),
            policy=policy,
            now=clock(),
            locale=fields.pop("locale", "en"),
        )
        session.commit()
        return user

    return make


_TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'type="hidden" name="csrf_token" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token from a form on ``path``."""
    page = client.get(path).get_data(as_text=True)
    match = _TOKEN.search(page)
    assert match, f"no CSRF token on {path}"
    return next(group for group in match.groups() if group)


def sign_in(client: FlaskClient, email: str, password: str = TEST_PASSWORD, **kw: Any) -> Any:
    """Post the sign-in form with a valid CSRF token."""
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, **kw
    )


@pytest.fixture
def login_as(client: FlaskClient, make_user: Callable[..., User]) -> Callable[..., User]:
    """Create a user of ``role`` and sign the client in as them."""

    def login(role: str, **fields: Any) -> User:
        user = make_user(role, **fields)
        response = sign_in(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say which database back ends the run exercised, so a skipped one cannot hide."""
    counts: dict[str, dict[str, int]] = {
        b: {"passed": 0, "skipped": 0, "failed": 0} for b in BACKENDS
    }
    for outcome in ("passed", "skipped", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") not in ("call", "setup"):
                continue
            if outcome == "passed" and report.when != "call":
                continue
            for backend in BACKENDS:
                if f"[{backend}" in report.nodeid or f"-{backend}]" in report.nodeid:
                    counts[backend][outcome] += 1
    parts = [
        f"{b}: {c['passed']} passed, {c['skipped']} skipped, {c['failed']} failed"
        for b, c in counts.items()
    ]
    terminalreporter.write_line("database back ends exercised — " + "; ".join(parts))


# --- issue 18 S3: a real S3 API server (moto's, as a subprocess) and a bucket per test ------
from tests.support.s3 import s3_bucket, s3_server, serial_s3_server  # noqa: E402, F401
