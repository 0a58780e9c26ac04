"""The audit package on the web: the dashboard's button and GET /api/v1/exports/package."""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile

import pytest
from sqlalchemy import select

from article8.core import tokens
from article8.core.models import AuditEvent
from article8.evidence.blobstore import LocalBlobStore
from tests.conftest import SYSTEM_ACTOR
from tests.support.package import build_vault, run_verify, unzip

NOVEMBER = "from=2026-11-01&to=2026-11-30"


@pytest.fixture
def vault(session, settings, clock):
    """The hand-built vault, in the evidence store the app serves from."""
    return build_vault(session, LocalBlobStore(settings.evidence_dir), clock)


@pytest.fixture
def scratch(monkeypatch, tmp_path):
    """The folder where the package is made before it is sent (it must be empty after)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def bearer(session, clock, user) -> dict[str, str]:
    _, raw = tokens.create_token(session, SYSTEM_ACTOR, user, "package", now=clock())
    session.commit()
    return {"Authorization": f"Bearer {raw}"}


def recorded(session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "export.package")))


def check_package(body: bytes, tmp_path, name: str) -> None:
    package = tmp_path / f"{name}.zip"
    package.write_bytes(body)
    result = run_verify(unzip(package, tmp_path / name))
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("role", ["auditor", "responsible", "admin"])
def test_readers_get_the_package_over_the_api_and_its_hash_is_recorded(
    app, session, clock, make_user, vault, scratch, tmp_path, role
):
    user = make_user(role)
    response = app.test_client().get(
        f"/api/v1/exports/package?{NOVEMBER}&lang=en", headers=bearer(session, clock, user)
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert (
        "attachment" in disposition and "article8-package-2026-11-01-2026-11-30.zip" in disposition
    )
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data()
    response.close()
    (event,) = recorded(session)
    details = json.loads(event.details)
    assert event.actor_id == user.id
    assert details["sha256"] == hashlib.sha256(body).hexdigest()
    assert sorted(details["evidence"]) == sorted(vault.carried.values())
    check_package(body, tmp_path, role)
    assert list(scratch.iterdir()) == []  # nothing stays behind on the server's disk


def test_inspectors_and_strangers_are_refused_by_the_api(app, session, clock, make_user, vault):
    client = app.test_client()
    inspector = bearer(session, clock, make_user("inspector"))
    assert client.get(f"/api/v1/exports/package?{NOVEMBER}", headers=inspector).status_code == 403
    assert client.get(f"/api/v1/exports/package?{NOVEMBER}").status_code == 401
    assert recorded(session) == []


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("from=2026-11-30&to=2026-11-01", "to"),
        ("from=2026-13-01", "from"),
        ("lang=fr", "lang"),
    ],
)
def test_a_bad_period_or_language_is_a_400_naming_it(app, session, clock, make_user, query, named):
    headers = bearer(session, clock, make_user("auditor"))
    response = app.test_client().get(f"/api/v1/exports/package?{query}", headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"].startswith(f"{named}:")
    assert recorded(session) == []


def test_the_dashboard_offers_the_package_beside_the_workbook(signed_in):
    client, _ = signed_in("auditor")
    page = client.get("/dashboard").get_data(as_text=True)
    form = page[page.index('data-testid="workbook-form"') :]
    form = form[: form.index("</form>")]
    assert 'formaction="/exports/package"' in form and 'data-testid="package-button"' in form
    assert "Download the audit package (ZIP)" in form


@pytest.mark.parametrize("role", ["responsible", "auditor"])
def test_the_dashboard_button_sends_the_package_for_the_chosen_period(
    signed_in, session, vault, scratch, tmp_path, role
):
    client, user = signed_in(role)
    response = client.get(f"/exports/package?{NOVEMBER}&lang=en")
    assert response.status_code == 200
    body = response.get_data()
    response.close()
    (event,) = recorded(session)
    assert event.actor_id == user.id
    assert json.loads(event.details)["sha256"] == hashlib.sha256(body).hexdigest()
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert "workbook.xlsx" in archive.namelist()
    check_package(body, tmp_path, role)
    assert list(scratch.iterdir()) == []


def test_inspectors_get_neither_the_button_nor_the_package(signed_in, session):
    client, _ = signed_in("inspector")
    assert client.get("/dashboard").status_code == 403
    assert client.get(f"/exports/package?{NOVEMBER}").status_code == 403
    assert recorded(session) == []


def test_a_backwards_period_on_the_dashboard_changes_nothing_and_says_why(signed_in, session):
    client, _ = signed_in("responsible")
    response = client.get("/exports/package?from=2026-11-30&to=2026-11-01", follow_redirects=True)
    assert "Choose a period whose end is not before its start" in response.get_data(as_text=True)
    assert recorded(session) == []
