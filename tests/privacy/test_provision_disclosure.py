"""The provision-record disclosure's object-level rules, in the service (Actor), not the page."""

from __future__ import annotations

import pytest

from article8.core.audit import Actor
from article8.core.errors import PermissionDenied, ValidationError

# A request refers to the vault's and the inquiries' tables: load their models as the app does.
from article8.evidence import models as _evidence_models  # noqa: F401
from article8.privacy.inquiries import models as _inquiry_models  # noqa: F401
from article8.privacy.requests import provision_records
from article8.privacy.requests import services as requests
from article8.privacy.requests.errors import TransitionRefused
from tests.conftest import SYSTEM_ACTOR


def _confirmed(session, clock, file_request, kind="provision_record_disclosure"):
    found = file_request(kind, requester_name="山田 太郎")
    requests.record_verification(
        session, SYSTEM_ACTOR, found, method="マイナンバーカード", result="confirmed", now=clock()
    )
    return found


def test_only_managers_and_the_assignee_may_attach_an_extract(
    session, clock, file_request, make_user
):
    found = _confirmed(session, clock, file_request)
    assignee, other = make_user("inspector"), make_user("inspector")
    requests.assign(session, SYSTEM_ACTOR, found, assignee, now=clock())
    auditor = Actor.for_user(make_user("auditor"))
    for refused in (auditor, Actor.for_user(other)):
        with pytest.raises(PermissionDenied):
            provision_records.check_extract(refused, found)
    assert provision_records.check_extract(Actor.for_user(assignee), found) == "山田 太郎"
    # The assignee may not search the register under another name; the manager may.
    with pytest.raises(PermissionDenied):
        provision_records.check_extract(Actor.for_user(assignee), found, "佐藤花子")
    assert (
        provision_records.check_extract(Actor.for_user(assignee), found, "山田太郎") == "山田太郎"
    )
    assert provision_records.check_extract(SYSTEM_ACTOR, found, "ヤマダ タロウ") == "ヤマダ タロウ"
    # Auditors see the records concerning the requester, as the request page shows them.
    assert provision_records.records_concerning(session, auditor, found) == []


def test_no_extract_before_identity_is_confirmed_nor_for_other_kinds(session, clock, file_request):
    unconfirmed = file_request("provision_record_disclosure")
    with pytest.raises(TransitionRefused):
        provision_records.check_extract(SYSTEM_ACTOR, unconfirmed)
    other = _confirmed(session, clock, file_request, kind="disclosure")
    with pytest.raises(ValidationError):
        provision_records.check_extract(SYSTEM_ACTOR, other)
