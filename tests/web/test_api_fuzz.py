"""Generated requests against the OpenAPI document, with a token of each role: no 500, and
every answer is what the document says (status, content type, body schema)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from article8.controls.catalogue import load_catalogue
from article8.controls.services import sync_catalogue
from article8.core.settings import ROLES
from article8.evidence import tokens
from tests.conftest import SYSTEM_ACTOR

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
OPERATIONS = [
    ("GET", "/evidence"),
    ("POST", "/evidence"),
    ("GET", "/evidence/{item_id}"),
    ("GET", "/evidence/{item_id}/content"),
    ("POST", "/access-logs"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_answers_as_documented(app, session, clock, make_user, role, method, path, mode):
    sync_catalogue(session, load_catalogue(), SYSTEM_ACTOR, now=clock())
    _, raw = tokens.create_token(session, SYSTEM_ACTOR, make_user(role), "fuzz", now=clock())
    session.commit()
    bearer = {"Authorization": f"Bearer {raw}"}
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]

    @seed(20261124)
    @settings(
        max_examples=20, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy(mode))
    def call(case):
        case.call_and_validate(headers=bearer, checks=CHECKS)

    call()
