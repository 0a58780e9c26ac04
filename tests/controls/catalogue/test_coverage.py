"""Coverage: every Article 8 clause and PPC heading is covered; the JSON has the agreed shape."""

from __future__ import annotations

import json

from article8.controls.catalogue import queries
from article8.controls.catalogue.iso27001 import ANNEX_A
from article8.controls.catalogue.services import get_control, update_settings
from article8.core.db import make_engine
from tests.cli_runner import article8
from tests.conftest import SYSTEM_ACTOR


def test_every_clause_and_heading_has_an_active_control(session, synced_catalogue):
    result = queries.coverage(session)
    assert set(result) == {"article8", "ppc", "iso27001", "controls"}
    assert list(result["article8"]) == ["1", "2", "3", "4"]
    assert all(result["article8"].values())
    assert list(result["ppc"]) == [f"10-{n}" for n in range(1, 8)]
    assert all(result["ppc"].values())
    assert result["controls"] == 41
    assert list(result["iso27001"])[:3] == ["A.5.1", "A.5.2", "A.5.3"]
    assert set(result["iso27001"]) == set(ANNEX_A)
    assert "ORG-02" in result["iso27001"]["A.5.15"]


def test_inactive_controls_leave_a_gap(session, clock, synced_catalogue):
    for code in queries.coverage(session)["ppc"]["10-4"]:
        update_settings(
            session,
            SYSTEM_ACTOR,
            get_control(session, code),
            owner_id=None,
            frequency="annual",
            active=False,
            now=clock(),
        )
    result = queries.coverage(session)
    assert result["ppc"]["10-4"] == []
    assert result["controls"] == 41 - 3


def test_coverage_json_from_the_command_line(fresh_database_url, tmp_path):
    assert article8(fresh_database_url, tmp_path, "demo").returncode == 0
    result = article8(fresh_database_url, tmp_path, "catalogue", "coverage", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    engine = make_engine(fresh_database_url)
    try:
        from sqlalchemy.orm import Session

        with Session(engine) as session:
            assert data == queries.coverage(session)
    finally:
        engine.dispose()
    assert data["article8"]["2"][:2] == ["BP-03", "ORG-01"]
    assert all(isinstance(code, str) for codes in data["ppc"].values() for code in codes)
