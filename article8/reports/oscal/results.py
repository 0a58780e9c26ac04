"""A period's inspections as OSCAL assessment results.

One observation per submitted or approved inspection; one finding per inspection with a verdict;
each failed checklist item's finding a risk with its corrective actions. Texts are in the chosen
language, and every label is the vocabulary's.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from article8.controls.catalogue.files import Bilingual
from article8.controls.catalogue.models import ChecklistItem
from article8.controls.findings.models import Finding
from article8.controls.findings.titles import compose_title
from article8.controls.inspections.models import ChecklistAnswer, Inspection, timeliness
from article8.core.calendar import local_date
from article8.core.i18n import translator
from article8.core.models import User
from article8.core.period_labels import period_label
from article8.core.vocabulary import (
    ANSWERS,
    INSPECTION_RESULTS,
    INSPECTION_STATES,
    TIMELINESS,
    Translate,
)
from article8.reports.oscal.document import (
    CATALOG_FILE,
    CATALOG_TITLE,
    DEFAULT_ORGANISATION,
    PLAN_FILE,
    PLAN_TITLE,
    catalog_link,
    check_language,
    control_id,
    document_resource,
    instant,
    metadata,
    one_line,
    organisation_uuid,
    pick,
    prop,
    props,
    sealed,
    stable_uuid,
)
from article8.reports.oscal.evidence import Evidence, period_evidence
from article8.reports.oscal.plan import inspection_roles
from article8.reports.period import Period
from article8.reports.queries import TIMELINESS_CODES, catalogue_version, due_in, inspections_due

RESULTS_TITLE = Bilingual(
    "Inspections of the Article 8 safety control measures (article8)",
    "プライバシーポリシー第8条の安全管理措置の点検結果 (article8)",
)
PLAN_NOTE = Bilingual(
    "The assessment plan these results follow: {file}, exported with them. Each active control "
    "is inspected once per period of its frequency against its checklist, and a responsible "
    "person approves each inspection.",
    "この結果が従う評価計画：同時に出力される {file}。有効な管理策はその頻度の期間ごとに"
    "チェックリストで点検し、個人情報保護管理者が各点検を承認する。",
)
NO_INSPECTIONS = Bilingual(
    "No inspection was due in the period.", "対象期間に期限の到来した点検はない。"
)
# How an article8 finding's status reads as an OSCAL risk status.
RISK_STATUS = {
    "open": "open",
    "in_progress": "remediating",
    "resolved": "remediating",
    "verified": "closed",
}


def _period(inspection: Inspection, _: Translate, fy_start_month: int) -> str:
    """The inspection's period named in the document's language (「2025年度 第1四半期」)."""
    return period_label(inspection.period_start, inspection.period_end, _, fy_start_month)


def _outcome(code: str, _: Translate) -> str:
    """The label of a result (pass, fail) or, for none yet or missed, of the state."""
    vocabulary = INSPECTION_RESULTS if code in INSPECTION_RESULTS else INSPECTION_STATES
    return vocabulary.translated(code, _)


def assessment_results(
    session: Session,
    period: Period,
    *,
    tz: ZoneInfo,
    lang: str = "en",
    now: datetime,
    fy_start_month: int = 4,
    organisation: str = DEFAULT_ORGANISATION,
    base_url: str = "",
) -> dict[str, Any]:
    """OSCAL assessment results for the inspections due in ``period`` (local dates in ``tz``).

    One observation per submitted or approved inspection; one finding per inspection with a
    verdict: approved and passed is satisfied, approved and failed or missed is not satisfied.
    Inspections still under way have no verdict yet and are listed in the result's remarks.
    Each failed checklist item's finding becomes a risk with its corrective actions.

    Each evidence file an observation examined is a back-matter resource whose rlink carries
    the file's SHA-256 and points at its download page under ``base_url`` (the setting
    ARTICLE8_BASE_URL; without it, a path relative to the installation's address).
    """
    check_language(lang)
    _ = translator(lang)
    inspections = inspections_due(session, period)
    counts = _answer_counts(session, period)
    evidence = period_evidence(session, period, base_url)
    risks_by_inspection = _risks(session, period, lang, fy_start_month)

    observations, findings, pending, parties = [], [], [], {}
    for inspection in inspections:
        observation = None
        if inspection.status in ("submitted", "approved"):
            observation = _observation(inspection, counts, evidence, tz, lang, now, fy_start_month)
            observations.append(observation)
            # Name only the people an observation refers to (a returning reviewer is not one).
            for user in _actors(inspection):
                parties[user.id] = user.display_name
        finding = _finding(inspection, observation, risks_by_inspection, lang, fy_start_month)
        if finding is None:
            pending.append(
                f"- {inspection.control.code} {_period(inspection, _, fy_start_month)}: "
                f"{INSPECTION_STATES.translated(inspection.status, _)} "
                f"({_('Due')} {inspection.due_on})"
            )
        else:
            findings.append(finding)

    codes = sorted({i.control.code for i in inspections})
    satisfied = sum(1 for f in findings if f["target"]["status"]["state"] == "satisfied")
    result: dict[str, Any] = {
        "uuid": stable_uuid("result", period.start, period.end),
        "title": f"{_('Period')}: {period.label}",
        "description": f"{pick(RESULTS_TITLE, lang)}: {period.label}",
        "start": instant(period.starts_at(tz)),
        "end": instant(period.ends_at(tz)),
        "props": props(
            ("period-start", period.start),
            ("period-end", period.end),
            ("inspections", len(inspections)),
            ("satisfied", satisfied),
            ("not-satisfied", len(findings) - satisfied),
            ("without-verdict", len(pending)),
        ),
        "reviewed-controls": {
            "links": [catalog_link(lang)],
            "control-selections": [
                {"include-controls": [{"control-id": control_id(c)} for c in codes]}
                if codes
                else {"description": pick(NO_INSPECTIONS, lang)}
            ],
        },
        "observations": observations,
        "risks": [risk for i in inspections for risk in risks_by_inspection.get(i.id, [])],
        "findings": findings,
    }
    if pending:
        result["remarks"] = "\n".join(pending)
    for key in ("observations", "risks", "findings"):
        if not result[key]:
            del result[key]

    about = metadata(
        RESULTS_TITLE,
        lang,
        catalogue_version(session),
        now,
        organisation=organisation,
        links=[catalog_link(lang)],
    )
    about["roles"] += inspection_roles(_)
    # The people are staff of the organisation whose measures they inspect.
    about["parties"] += [
        {
            "uuid": _party(user_id),
            "type": "person",
            "name": one_line(name) or "-",
            "member-of-organizations": [organisation_uuid()],
        }
        for user_id, name in sorted(parties.items())
    ]
    plan = document_resource(
        PLAN_FILE, PLAN_TITLE, lang, pick(PLAN_NOTE, lang).format(file=PLAN_FILE)
    )
    examined = [r for o in observations for r in o.get("relevant-evidence", [])]
    body = {
        "metadata": about,
        # The plan travels beside the results: the href resolves through this resource's rlink.
        "import-ap": {"href": f"#{plan['uuid']}"},
        "results": [result],
        "back-matter": {
            "resources": [
                plan,
                document_resource(CATALOG_FILE, CATALOG_TITLE, lang),
                *(evidence.resources[r["href"]] for r in examined),
            ]
        },
    }
    return sealed("assessment-results", f"{lang}:{period.start}:{period.end}", body)


def _party(user_id: int) -> str:
    return stable_uuid("party", user_id)


def _inspection_key(inspection: Inspection) -> tuple[str, str]:
    # Control code and period start identify an inspection in any copy of the database.
    return inspection.control.code, inspection.period_start.isoformat()


def _answer_counts(session: Session, period: Period) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = {}
    for inspection_id, answer, n in session.execute(
        select(ChecklistAnswer.inspection_id, ChecklistAnswer.answer, func.count())
        .join(Inspection, Inspection.id == ChecklistAnswer.inspection_id)
        .where(due_in(period))
        .group_by(ChecklistAnswer.inspection_id, ChecklistAnswer.answer)
    ):
        counts.setdefault(inspection_id, Counter())[answer] = n
    return counts


def _observation(
    inspection: Inspection,
    counts: dict[int, Counter[str]],
    evidence: Evidence,
    tz: ZoneInfo,
    lang: str,
    now: datetime,
    fy_start_month: int,
) -> dict[str, Any]:
    _ = translator(lang)
    control = inspection.control
    name = _period(inspection, _, fy_start_month)
    answers = counts.get(inspection.id, Counter())
    tally = ", ".join(f"{ANSWERS.translated(a, _)} {answers[a]}" for a in ANSWERS.codes)
    assert inspection.submitted_at is not None
    lines = [
        f"{_('Control')}: {control.code} {control.title(lang)}",
        f"{_('Period')}: {name} ({inspection.period_start} – {inspection.period_end})",
        f"{_('Due')}: {inspection.due_on}",
        f"{_('Performed by')}: {_name(inspection.performed_by)}",
        f"{_('Submitted')}: {_local(inspection.submitted_at, tz)}",
    ]
    if inspection.status == "approved" and inspection.reviewed_at is not None:
        reviewer = _name(inspection.reviewed_by)
        lines.append(f"{_('Approved by')}: {reviewer} ({_local(inspection.reviewed_at, tz)})")
    lines.append(f"{_('Result')}: {_outcome(inspection.result or 'open', _)} ({tally})")
    timely = timeliness(inspection, today=local_date(now, tz), tz=tz)
    lines.append(
        f"{_('Timeliness')}: {TIMELINESS.translated(TIMELINESS_CODES.get(timely, timely), _)}"
    )
    actors = [
        {"type": "party", "actor-uuid": _party(user.id), "role-id": role}
        for user, role in _actors(inspection).items()
    ]
    observation: dict[str, Any] = {
        "uuid": stable_uuid("observation", *_inspection_key(inspection)),
        "title": f"{control.code} {name}",
        "description": "\n".join(f"- {line}" for line in lines),
        "props": props(
            ("inspection-id", inspection.id),
            ("control", control.code),
            ("period", inspection.period_label),
            ("inspection-status", inspection.status),
            ("result", inspection.result or ""),
            ("timeliness", timely),
        ),
        "methods": ["EXAMINE"],
        "types": ["control-objective"],
        "origins": [{"actors": actors}] if actors else [],
        "relevant-evidence": evidence.examined.get(inspection.id, []),
        "collected": instant(inspection.submitted_at),
    }
    for key in ("origins", "relevant-evidence"):
        if not observation[key]:
            del observation[key]
    return observation


def _finding(
    inspection: Inspection,
    observation: dict[str, Any] | None,
    risks: dict[int, list[dict[str, Any]]],
    lang: str,
    fy_start_month: int,
) -> dict[str, Any] | None:
    """The verdict on one inspection; None while it has none (not yet approved, not missed)."""
    _ = translator(lang)
    if inspection.status == "approved" and inspection.result == "pass":
        state, reason, verdict = "satisfied", "pass", "pass"
    elif inspection.status == "approved":
        state, reason, verdict = "not-satisfied", "fail", "fail"
    elif inspection.status == "missed":
        # Nothing was examined: not satisfied, for a reason other than a failed check.
        state, reason, verdict = "not-satisfied", "other", "missed"
    else:
        return None
    control = inspection.control
    cid = control_id(control.code)
    finding: dict[str, Any] = {
        "uuid": stable_uuid("finding", *_inspection_key(inspection)),
        "title": f"{control.code} {_period(inspection, _, fy_start_month)}: {_outcome(verdict, _)}",
        "description": (
            f"{_('Control')}: {control.code} {control.title(lang)}; "
            f"{_('Status')}: {INSPECTION_STATES.translated(inspection.status, _)}; "
            f"{_('Result')}: {_outcome(verdict, _)}"
        ),
        "props": props(("inspection-id", inspection.id), ("inspection-status", inspection.status)),
        "target": {
            "type": "objective-id",
            "target-id": f"{cid}_obj",
            "title": control.title(lang),
            "props": [prop("control-id", cid)],
            "status": {"state": state, "reason": reason},
        },
    }
    if observation is not None:
        finding["related-observations"] = [{"observation-uuid": observation["uuid"]}]
    if risks.get(inspection.id):
        finding["related-risks"] = [{"risk-uuid": r["uuid"]} for r in risks[inspection.id]]
    return finding


def _risks(
    session: Session, period: Period, lang: str, fy_start_month: int
) -> dict[int, list[dict[str, Any]]]:
    """Findings of the period's inspections (failed checklist items) as OSCAL risks."""
    _ = translator(lang)
    by_inspection: dict[int, list[dict[str, Any]]] = {}
    rows = session.execute(
        select(Finding, ChecklistItem)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .outerjoin(ChecklistItem, ChecklistItem.id == Finding.item_id)
        .options(selectinload(Finding.actions), selectinload(Finding.inspection))
        .where(due_in(period))
        .order_by(Finding.id)
    )
    for finding, question in rows:
        inspection = finding.inspection
        assert inspection is not None
        title = compose_title(
            source=finding.source,
            stored=finding.title,
            code=inspection.control.code,
            period=(inspection.period_start, inspection.period_end),
            position=question.position if question else None,
            translate=_,
            fy_start_month=fy_start_month,
        )
        risk: dict[str, Any] = {
            "uuid": stable_uuid("risk", "finding", finding.id),
            "title": title,
            "description": finding.description or title,
            "statement": question.text(lang) if question else title,
            "props": props(
                ("finding-id", finding.id),
                ("severity", finding.severity),
                ("finding-status", finding.status),
            ),
            "status": RISK_STATUS[finding.status],
            "remediations": [
                {
                    "uuid": stable_uuid("response", "action", action.id),
                    "lifecycle": "completed"
                    if action.status in ("resolved", "verified")
                    else "planned",
                    "title": f"{_('Corrective action')} {action.id}",
                    "description": action.description or "-",
                    "props": props(("action-status", action.status), ("due-on", action.due_on)),
                }
                for action in finding.actions
                if action.status != "cancelled"  # never done, and not to be
            ],
        }
        if inspection.status in ("submitted", "approved"):
            observation = stable_uuid("observation", *_inspection_key(inspection))
            risk["related-observations"] = [{"observation-uuid": observation}]
        if not risk["remediations"]:
            del risk["remediations"]
        by_inspection.setdefault(inspection.id, []).append(risk)
    return by_inspection


def _actors(inspection: Inspection) -> dict[User, str]:
    """Who performed the inspection and, once approved, who approved it, with their roles."""
    actors = {}
    if inspection.performed_by is not None:
        actors[inspection.performed_by] = "assessor"
    if inspection.status == "approved" and inspection.reviewed_by is not None:
        actors.setdefault(inspection.reviewed_by, "approver")
    return actors


def _name(user: User | None) -> str:
    return user.display_name if user is not None else "-"


def _local(when: datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
