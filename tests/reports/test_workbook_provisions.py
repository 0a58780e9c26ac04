"""The workbook's provisions-and-receipts and policy-versions sheets, read back (issue 17)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from article8.privacy.policies import services as policies
from article8.privacy.provisions import services as provisions
from tests.conftest import START, SYSTEM_ACTOR
from tests.privacy.test_policies import V2024
from tests.privacy.test_provisions import CONSENT, RECEIPT
from tests.reports.test_workbook import export, sheets


def test_the_provision_and_policy_sheets_read_back(session, settings, tmp_path):
    def record(data, today):
        return provisions.record_provision(session, SYSTEM_ACTOR, data, now=START, today=today)

    inside = record(CONSENT, date(2026, 11, 2))  # provided 2026-11-02, in the period
    record(RECEIPT, date(2026, 11, 10))
    bulk = record(
        replace(
            CONSENT,
            record_form="bulk",
            party_name="継続提供先",
            provided_on=date(2025, 4, 1),
            last_provided_on=date(2026, 5, 1),
        ),
        date(2025, 4, 1),
    )
    record(replace(CONSENT, provided_on=date(2025, 1, 10)), date(2025, 1, 10))  # before it
    record(
        provisions.ProvisionInput(
            direction="provision",
            basis="entrustment",
            party_name="委託先",
            provided_on=date(2026, 6, 1),
        ),
        date(2026, 6, 1),
    )
    policies.register_version(session, SYSTEM_ACTOR, V2024, evidence_id=None, now=START)
    session.flush()

    out, report = export(session, settings, tmp_path)
    data = sheets(out)
    rows = data["Provisions and receipts"][1:]
    assert report.rows["Provisions and receipts"] == 4
    by_party = {row[4]: row for row in rows}
    assert set(by_party) == {"株式会社サンプル物流", "名簿販売株式会社", "継続提供先", "委託先"}
    assert by_party["株式会社サンプル物流"][6] == "Consent of the individual"
    assert by_party["株式会社サンプル物流"][13] == date(2029, 11, 2)
    assert by_party["継続提供先"][3] == date(2026, 5, 1)
    assert by_party["継続提供先"][13] == date(2029, 5, 1)
    assert by_party["委託先"][7] == "No" and by_party["委託先"][13] in ("", None)
    versions = data["Policy versions"]
    assert len(versions) == 2 and versions[1][0] == "2024-04"
    assert versions[1][7].splitlines() == [
        "Safety control measures: human",
        "Safety control measures: understanding the external environment",
    ]
    assert versions[1][8] == policies.text_sha256(V2024.text)
    assert inside.id and bulk.id


def test_the_japanese_edition_names_the_sheets_and_bases_in_japanese(session, settings, tmp_path):
    """Needs the Japanese catalogue (the lead merges the po fragments of issue 17)."""
    provisions.record_provision(session, SYSTEM_ACTOR, CONSENT, now=START, today=date(2026, 11, 2))
    session.flush()
    out, _ = export(session, settings, tmp_path, lang="ja")
    data = sheets(out)
    assert "ポリシー改定履歴" in data
    assert data["第三者提供・受領記録"][1][6] == "本人の同意"
