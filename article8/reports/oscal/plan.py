"""The inspection schedule as an OSCAL assessment plan, the plan the results import.

The plan reviews every active control of the catalog. Its tasks are the schedule: one task for
the reporting period, and within it one task per frequency (monthly, quarterly, …) that performs
that frequency's inspection activity on the organisation's controls. The subject assessed is the
organisation, the party named in the metadata.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.controls.catalogue.files import Bilingual
from article8.controls.catalogue.models import Control
from article8.core.calendar import FREQUENCY_MONTHS
from article8.core.i18n import translator
from article8.core.vocabulary import FREQUENCIES, Translate
from article8.reports.oscal.document import (
    CATALOG_FILE,
    CATALOG_TITLE,
    DEFAULT_ORGANISATION,
    PLAN_TITLE,
    RMF_NS,
    alternate,
    catalog_link,
    check_language,
    control_id,
    document_resource,
    instant,
    metadata,
    organisation_uuid,
    pick,
    prop,
    props,
    sealed,
    stable_uuid,
)
from article8.reports.period import Period
from article8.reports.queries import catalogue_version

# The roles of the people who carry out an inspection; the results name the parties in them.
ROLES = ("assessor", "approver")
NO_SSP = Bilingual(
    "article8 keeps no OSCAL system security plan. What is assessed is the organisation's "
    "handling of personal data under Article 8 of its privacy policy: its controls are in the "
    "catalog ({catalog}), and the organisation is the party named in this plan's metadata. "
    "import-ssp points at this resource, which says so, rather than at a file that does not "
    "exist or at the catalog, which is no system security plan.",
    "article8 は OSCAL のシステムセキュリティ計画を作成しない。評価するのはプライバシーポリシー"
    "第8条に基づく組織の個人データの取扱いであり、その管理策はカタログ（{catalog}）に、評価対象の"
    "組織は本計画のメタデータに記載している。import-ssp は、存在しないファイルや、システム"
    "セキュリティ計画ではないカタログを指す代わりに、この説明を収めた本リソースを参照する。",
)
NO_SSP_TITLE = Bilingual("No system security plan", "システムセキュリティ計画なし")
SUBJECT = Bilingual(
    "The organisation's safety control measures for personal data (Article 8 of its privacy "
    "policy).",
    "組織の個人データの安全管理措置（プライバシーポリシー第8条）。",
)
PERIOD_TASK = Bilingual("Inspections in the period {period}", "対象期間 {period} の点検")
PERIOD_TASK_NOTE = Bilingual(
    "Every active control is inspected once per period of its frequency; the inspection is due "
    "in the period when its due date falls in it.",
    "有効な管理策は、その頻度の期間ごとに1回点検する。期限が対象期間内にある点検が対象となる。",
)
FREQUENCY_TASK = Bilingual("{frequency}: inspections", "{frequency}の点検")
ACTIVITY = Bilingual("Periodic inspection ({frequency})", "定期点検（{frequency}）")
ACTIVITY_NOTE = Bilingual(
    "An inspector answers each checklist item of the control (pass, fail or not applicable, "
    "with a comment), attaches evidence and submits; a responsible person who did not perform "
    "the inspection approves it or returns it. A failed item opens a finding.",
    "点検担当者が管理策のチェックリストの各項目に回答し（適合・不適合・該当なし、コメント付き）、"
    "証跡を添付して提出する。点検を実施していない個人情報保護管理者が承認または差戻しを行う。"
    "不適合の項目は指摘事項となる。",
)
STEPS = (
    (
        "assessor",
        Bilingual("Answer the checklist", "チェックリストへの回答"),
        Bilingual(
            "The inspector answers each checklist item, attaches the evidence examined and "
            "submits the inspection before its due date.",
            "点検担当者がチェックリストの各項目に回答し、確認した証跡を添付して期限までに提出する。",
        ),
    ),
    (
        "approver",
        Bilingual("Review", "承認"),
        Bilingual(
            "A responsible person who did not perform the inspection approves it or returns it "
            "with a comment.",
            "点検を実施していない個人情報保護管理者が承認する、またはコメントを付けて差し戻す。",
        ),
    ),
)


def assessment_plan(
    session: Session,
    period: Period,
    *,
    tz: ZoneInfo,
    lang: str = "en",
    now: datetime,
    organisation: str = DEFAULT_ORGANISATION,
) -> dict[str, Any]:
    """An OSCAL assessment plan: the active controls, inspected at their frequencies in
    ``period`` (local dates in ``tz``) by the organisation's inspectors and approvers."""
    check_language(lang)
    _ = translator(lang)
    controls = session.scalars(
        select(Control).where(Control.active.is_(True)).order_by(Control.code)
    ).all()
    subjects = [
        {
            "type": "party",
            "description": pick(SUBJECT, lang),
            "include-subjects": [{"subject-uuid": organisation_uuid(), "type": "party"}],
        }
    ]
    activities, tasks = [], []
    for frequency in FREQUENCIES.codes:
        codes = [c.code for c in controls if c.frequency == frequency]
        if not codes:
            continue
        label = FREQUENCIES.translated(frequency, _)
        activity = _activity(frequency, label, codes, lang)
        activities.append(activity)
        tasks.append(_frequency_task(frequency, label, activity["uuid"], subjects, lang))

    about = metadata(
        PLAN_TITLE,
        lang,
        catalogue_version(session),
        now,
        organisation=organisation,
        links=[catalog_link(lang)],
    )
    about["props"] += props(("period-start", period.start), ("period-end", period.end))
    about["roles"] += inspection_roles(_)
    ssp = stable_uuid("resource", "system-security-plan")
    no_ssp = pick(NO_SSP, lang).format(catalog=CATALOG_FILE)
    period_task: dict[str, Any] = {
        "uuid": stable_uuid("task", "period", period.start, period.end),
        "type": "action",
        "title": pick(PERIOD_TASK, lang).format(period=period.label),
        "description": pick(PERIOD_TASK_NOTE, lang),
        "props": props(("period-start", period.start), ("period-end", period.end)),
        "timing": {
            "within-date-range": {
                "start": instant(period.starts_at(tz)),
                "end": instant(period.ends_at(tz)),
            }
        },
        "tasks": tasks,
    }
    body: dict[str, Any] = {
        "metadata": about,
        "import-ssp": {"href": f"#{ssp}", "remarks": no_ssp},
        "local-definitions": {"activities": activities},
        "reviewed-controls": {
            "links": [catalog_link(lang)],
            "control-selections": [
                {"include-controls": [{"control-id": control_id(c.code)} for c in controls]}
            ],
        },
        "assessment-subjects": subjects,
        "tasks": [period_task],
        "back-matter": {
            "resources": [
                document_resource(CATALOG_FILE, CATALOG_TITLE, lang),
                {
                    "uuid": ssp,
                    "title": pick(NO_SSP_TITLE, lang),
                    "description": no_ssp,
                    "props": [alternate("title", NO_SSP_TITLE, lang)],
                },
            ]
        },
    }
    # Empty arrays are invalid OSCAL: a catalogue with no active control plans nothing.
    if not controls:
        body["reviewed-controls"]["control-selections"] = [{"description": "-"}]
    if not activities:
        del body["local-definitions"], period_task["tasks"]
    return sealed("assessment-plan", f"{lang}:{period.start}:{period.end}", body)


def inspection_roles(_: Translate) -> list[dict[str, str]]:
    """The roles of an inspection's performer and approver, titled in the document's language."""
    return [
        {"id": "assessor", "title": _("Performed by")},
        {"id": "approver", "title": _("Approved by")},
    ]


def activity_uuid(frequency: str) -> str:
    """The UUID of the inspection activity of ``frequency`` (the results refer to it)."""
    return stable_uuid("activity", "inspection", frequency)


def _activity(frequency: str, label: str, codes: list[str], lang: str) -> dict[str, Any]:
    title = pick(ACTIVITY, lang).format(frequency=label)
    return {
        "uuid": activity_uuid(frequency),
        "title": title,
        "description": pick(ACTIVITY_NOTE, lang),
        "props": [prop("method", "EXAMINE", ns=RMF_NS), prop("frequency", frequency)],
        "steps": [
            {
                "uuid": stable_uuid("step", "inspection", frequency, role),
                "title": pick(step, lang),
                "description": pick(text, lang),
                "responsible-roles": [{"role-id": role}],
            }
            for role, step, text in STEPS
        ],
        "related-controls": {
            "control-selections": [
                {"include-controls": [{"control-id": control_id(code)} for code in codes]}
            ]
        },
        "responsible-roles": [{"role-id": role} for role in ROLES],
    }


def _frequency_task(
    frequency: str, label: str, activity: str, subjects: list[dict[str, Any]], lang: str
) -> dict[str, Any]:
    months = FREQUENCY_MONTHS[frequency]
    every = {"period": months // 12, "unit": "years"} if months % 12 == 0 else {}
    return {
        "uuid": stable_uuid("task", "frequency", frequency),
        "type": "action",
        "title": pick(FREQUENCY_TASK, lang).format(frequency=label),
        "props": [prop("frequency", frequency)],
        "timing": {"at-frequency": every or {"period": months, "unit": "months"}},
        "associated-activities": [{"activity-uuid": activity, "subjects": subjects}],
        "responsible-roles": [{"role-id": role} for role in ROLES],
    }
