"""The workbook's requests and inquiries sheets (issue 16), read back with python-calamine: the
dates, decision, fee, days taken and whether the target was met; names of requesters left out."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from article8.evidence.blobstore import LocalBlobStore
from article8.evidence.services import EvidenceInput, add_evidence
from article8.privacy.inquiries import services as inquiries
from article8.privacy.requests import services as requests
from article8.privacy.requests.services import Deadlines, RequestInput
from article8.reports.period import Period
from article8.reports.workbook import write_workbook
from tests.conftest import SYSTEM_ACTOR
from tests.reports.test_workbook import sheets
from tests.support.evidence import PDF

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def export(session, settings, tmp_path, lang):
    out = tmp_path / f"workbook-{lang}.xlsx"
    write_workbook(
        session,
        out,
        settings=settings,
        lang=lang,
        actor=SYSTEM_ACTOR,
        period=Period(date(2026, 4, 1), date(2027, 3, 31)),
        now=NOW,
    )
    return sheets(out)  # each table from its header row, under the title block


def test_requests_and_inquiries_read_back(session, settings, synced_catalogue, tmp_path):
    rules = Deadlines(tz=settings.timezone)
    received = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # Friday 18:30 in Tokyo
    found = requests.receive(
        session,
        SYSTEM_ACTOR,
        RequestInput(
            kind="disclosure",
            channel="letter",
            received_at=received,
            requester_name="山田 花子",
            fee_yen=1000,
            fee_state="charged",
        ),
        now=NOW,
        deadlines=rules,
    )
    requests.record_verification(
        session, SYSTEM_ACTOR, found, method="本人確認書類", result="confirmed", now=NOW
    )
    requests.decide(
        session,
        SYSTEM_ACTOR,
        found,
        decision="partial",
        refusal_ground=None,
        reasons="一部は第三者の権利利益を害するおそれ",
        now=NOW,
    )
    item = add_evidence(
        session,
        LocalBlobStore(tmp_path / "evidence"),
        SYSTEM_ACTOR,
        io.BytesIO(PDF),
        EvidenceInput(
            filename="reply.pdf",
            title="reply",
            collected_on=date(2026, 11, 30),
            control_codes=(requests.REQUESTS_CONTROL,),
        ),
        max_bytes=1 << 20,
        now=NOW,
    )
    requests.record_response(
        session,
        SYSTEM_ACTOR,
        found,
        evidence_id=item.id,
        sha256=item.sha256,
        responded_on=date(2026, 11, 30),
        method="paper",
        now=NOW,
        tz=settings.timezone,
    )
    complaint = inquiries.receive(
        session,
        SYSTEM_ACTOR,
        kind="complaint",
        channel="phone",
        received_at=received,
        subject="窓口の対応が遅い",
        now=NOW,
        deadlines=rules,
    )
    inquiries.record_first_reply(
        session, SYSTEM_ACTOR, complaint, replied_at=datetime(2026, 11, 24, 1, tzinfo=UTC), now=NOW
    )
    session.flush()

    data = export(session, settings, tmp_path, "en")
    head, row = data["Requests from individuals"][0], data["Requests from individuals"][1]
    assert head[:4] == ["Request", "Kind of request", "Channel", "Received at (Asia/Tokyo)"]
    assert row[1] == "Disclosure (Art. 33(1))" and row[2] == "Letter"
    assert row[6] == date(2026, 12, 4) and row[7] == date(2026, 12, 4)
    assert row[8] == "Responded" and row[9] == 1000 and row[11] == "Granted in part"
    assert row[13] == date(2026, 11, 30) and row[14] == 10 and row[15] == "Yes"
    assert row[16] == item.sha256
    assert not any("山田" in str(cell) for r in data["Requests from individuals"] for cell in r)
    inquiry = data["Inquiries and complaints"][1]
    assert inquiry[1] == "Complaint" and inquiry[5] == date(2026, 11, 30) and inquiry[7] == "Yes"
    index = {r[0]: r for r in data["Index"][1:]}
    assert "days taken" in index["Requests from individuals"][1]

    japanese = export(session, settings, tmp_path, "ja")
    # The sheet titles follow the catalogue the lead merges; the sheets are there either way.
    assert len(japanese) == len(data)
