"""Uploaded workbooks are examined with no database lock held, and refused in the user's language.

On SQLite the request's first statement takes the write lock (BEGIN IMMEDIATE). A bomb examined
while the request holds it blocks every other request: the health check waited out its busy
timeout and answered 503. The test stops the upload's thread at the moment the workbook is
opened (a trace function on ``zipfile.ZipFile.__init__``, waiting for an event) and asks for
``/healthz`` from another thread then.
"""

from __future__ import annotations

import html
import sys
import threading
import zipfile
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import func, select

from article8.access.models import Handler
from article8.core.db import Database
from article8.core.models import AuditEvent
from article8.core.users import PasswordPolicy, create_user
from article8.web import create_app
from tests import bombs
from tests.conftest import SYSTEM_ACTOR, TEST_PASSWORD, EnglishClient, csrf_token, sign_in
from tests.conftest import settings_for as make_settings
from tests.support.evidence import multipart

WAIT = 120  # seconds an event may take before the test gives up (never reached when it works)


def _app(url: str, tmp_path: Path, clock: Any) -> tuple[Any, Database]:
    settings = make_settings(url, tmp_path / "instance")
    database = Database.from_url(url)
    with database.unit_of_work() as session:
        create_user(
            session,
            SYSTEM_ACTOR,
            email="responsible@example.com",
            display_name="Responsible",
            role="responsible",
            password=TEST_PASSWORD,
            policy=PasswordPolicy.from_settings(settings),
            now=clock(),
            locale="en",
        )
    app = create_app(settings, database=database, clock=clock)
    app.config["TESTING"] = True
    app.test_client_class = EnglishClient
    return app, database


def test_healthz_answers_while_an_uploaded_workbook_bomb_is_examined(
    fresh_database_url, tmp_path, clock
):
    app, database = _app(fresh_database_url, tmp_path, clock)
    uploader = app.test_client()
    assert sign_in(uploader, "responsible@example.com").status_code == 302
    bomb = bombs.empty_rows_bomb(tmp_path / "register.xlsx").read_bytes()
    body = multipart(
        {"csrf_token": csrf_token(uploader, "/register/import")},
        [(bomb, "register.xlsx")],
        name="file",
    )
    examining, release = threading.Event(), threading.Event()
    opening = zipfile.ZipFile.__init__.__code__
    result: dict[str, Any] = {}

    def hold_at_the_workbook(frame: FrameType, event: str, _arg: Any) -> None:
        if event == "call" and frame.f_code is opening and not examining.is_set():
            examining.set()
            release.wait(WAIT)

    def upload() -> None:
        sys.settrace(hold_at_the_workbook)  # this thread only
        try:
            result["response"] = uploader.post("/register/import", **body)
        finally:
            sys.settrace(None)

    thread = threading.Thread(target=upload)
    thread.start()
    try:
        assert examining.wait(WAIT), "the upload never reached the workbook"
        health = app.test_client().get("/healthz")
    finally:
        release.set()
        thread.join(WAIT)
    try:
        assert (health.status_code, health.get_json()["database"]) == (200, "ok")
        response = result["response"]
        page = html.unescape(response.get_data(as_text=True))
        assert response.status_code == 400
        assert "register.xlsx: part xl/worksheets/sheet1.xml unpacks" in page
        assert "more than the limit of 100 (a compression bomb)" in page
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(Handler)) == 0
            imports = select(func.count()).where(AuditEvent.action == "register.import")
            assert session.scalar(imports) == 0
    finally:
        database.bind.dispose()  # type: ignore[union-attr]


def test_a_refused_workbook_is_explained_in_japanese(signed_in, tmp_path):
    client, _user = signed_in("responsible", locale="ja")
    bomb = bombs.declared_rows_bomb(tmp_path / "名簿.xlsx", rows=2_000_000).read_bytes()
    body = multipart(
        {"csrf_token": csrf_token(client, "/register/import")}, [(bomb, "名簿.xlsx")], name="file"
    )
    response = client.post("/register/import", **body)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert (
        "名簿.xlsx: シート people が宣言する行数 2000000 行は上限の 1048576 行を超えています"
        in page
    )
