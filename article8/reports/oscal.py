"""OSCAL 1.1 exports: the control catalogue as a catalog, a period's inspections as results.

Language: titles and prose are in the chosen language (``en`` or ``ja``); the other language
rides along in namespaced props (``title-ja``, ``prose-ja`` or ``…-en``), so one file carries
both without inventing parts that OSCAL tools would render as content.

Identifiers are reproducible: control ids are the lower-cased codes, part ids follow the NIST
pattern (``org-02_smt``, ``org-02_obj.1``), and every UUID is a uuid5 of a fixed namespace and a
stable key. A document's own UUID is derived from its content, so it changes exactly when the
content does; only ``last-modified`` differs between two exports of the same data.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from article8.controls.catalogue.files import Bilingual
from article8.controls.catalogue.models import ChecklistItem, ChecklistRevision, Control
from article8.controls.catalogue.services import evidence_expected
from article8.controls.findings.models import Finding
from article8.controls.inspections.models import ChecklistAnswer, Inspection, timeliness
from article8.core.audit import canonical_json
from article8.core.calendar import local_date, local_midnight_utc
from article8.core.files import sha256_of
from article8.core.i18n import translator
from article8.core.models import User
from article8.core.xlsx import atomic_output
from article8.evidence.models import EvidenceItem
from article8.reports.workbook import (
    CATEGORY_LABELS,
    CATEGORY_ORDER,
    STATUS_LABELS,
    Period,
    catalogue_version,
)

OSCAL_VERSION = "1.1.2"
NS = "https://article8.example/ns/oscal"
RMF_NS = "http://csrc.nist.gov/ns/rmf"
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, NS)
LANGUAGES = ("en", "ja")

# Fixed document names, kept bilingual like the catalogue's own texts.
CATALOG_TITLE = Bilingual(
    "APPI Article 8 safety control measures (article8)",
    "プライバシーポリシー第8条の安全管理措置 (article8)",
)
RESULTS_TITLE = Bilingual(
    "Inspections of the Article 8 safety control measures (article8)",
    "プライバシーポリシー第8条の安全管理措置の点検結果 (article8)",
)
LANGUAGE_NOTE = Bilingual(
    "Titles and prose are in English; each also carries its Japanese text in a prop named "
    "title-ja or prose-ja (namespace {ns}).",
    "タイトル及び本文は日本語。英語の文は名前空間 {ns} の title-en 又は prose-en に収める。",
)
PLAN = Bilingual(
    "Assessment plan: the article8 inspection schedule",
    "評価計画：article8 の点検スケジュール",
)
PLAN_NOTE = Bilingual(
    "No separate OSCAL assessment plan is published. Each active control is inspected once per "
    "period of its frequency against its checklist, and the responsible person approves each "
    "inspection.",
    "OSCAL の評価計画は別に公開しない。有効な管理策はその頻度の期間ごとにチェックリストで点検し、"
    "責任者が各点検を承認する。",
)
REFERENCES = {
    "ppc": Bilingual(
        "PPC Guidelines for the Act on the Protection of Personal Information (General Rules), "
        "Annex 10: safety control measures",
        "個人情報の保護に関する法律についてのガイドライン（通則編）10（別添）講ずべき安全管理措置の内容",
    ),
    "iso27001": Bilingual(
        "ISO/IEC 27001:2022 Information security management systems, Annex A",
        "ISO/IEC 27001:2022 情報セキュリティマネジメントシステム 附属書A",
    ),
}
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


def stable_uuid(*key: object) -> str:
    """A UUID that is the same for the same key in every export."""
    return str(uuid.uuid5(UUID_NAMESPACE, ":".join(str(part) for part in key)))


def control_id(code: str) -> str:
    """The OSCAL id of the control with ``code`` (e.g. ``org-02``)."""
    return code.lower()


def _pick(text: Bilingual, lang: str) -> str:
    return text.ja if lang == "ja" else text.en


def _other(lang: str) -> str:
    return "en" if lang == "ja" else "ja"


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


def _prop(name: str, value: object, *, ns: str | None = NS) -> dict[str, str]:
    prop = {"name": name, "value": _one_line(value)}
    return prop | {"ns": ns} if ns else prop


def _props(*pairs: tuple[str, object]) -> list[dict[str, str]]:
    # OSCAL prop values must not be empty: leave out what has no value.
    return [_prop(name, value) for name, value in pairs if _one_line(value)]


def _alt(kind: str, text: Bilingual, lang: str) -> dict[str, str]:
    other = _other(lang)
    return _prop(f"{kind}-{other}", _pick(text, other))


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")


def _sealed(root: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
    """``{root: {"uuid": …, **body}}`` with a UUID derived from the content, not the time."""
    metadata = {k: v for k, v in body["metadata"].items() if k != "last-modified"}
    digest = hashlib.sha256(canonical_json({**body, "metadata": metadata}).encode()).hexdigest()
    return {root: {"uuid": stable_uuid(root, key, digest), **body}}


def _metadata(title: Bilingual, lang: str, version: str, now: datetime) -> dict[str, Any]:
    return {
        "title": _pick(title, lang),
        "last-modified": _instant(now),
        "version": version,
        "oscal-version": OSCAL_VERSION,
        "props": [_prop("language", lang), _alt("title", title, lang)],
        "remarks": _pick(LANGUAGE_NOTE, lang).format(ns=NS),
    }


# --- catalog -------------------------------------------------------------------------------


def catalog(session: Session, *, lang: str = "en", now: datetime) -> dict[str, Any]:
    """An OSCAL catalog of the active controls, one group per category, texts in ``lang``."""
    _check_lang(lang)
    controls = session.scalars(
        select(Control)
        .where(Control.active.is_(True))
        .options(
            selectinload(Control.mappings),
            selectinload(Control.revisions).selectinload(ChecklistRevision.items),
        )
        .order_by(Control.code)
    ).all()
    # The database's check constraint keeps every control in one of these categories.
    groups = []
    for category in CATEGORY_ORDER:
        members = [c for c in controls if c.category == category]
        if members:
            groups.append(_group(category, members, lang))
    body: dict[str, Any] = {
        "metadata": _metadata(CATALOG_TITLE, lang, catalogue_version(session), now),
        "groups": groups,
        "back-matter": {
            "resources": [
                {
                    "uuid": stable_uuid("resource", scheme),
                    "title": _pick(title, lang),
                    "props": [_alt("title", title, lang)],
                    "citation": {"text": _pick(title, lang)},
                }
                for scheme, title in REFERENCES.items()
            ]
        },
    }
    return _sealed("catalog", lang, body)


def _group(category: str, controls: list[Control], lang: str) -> dict[str, Any]:
    label = CATEGORY_LABELS.get(category, category)
    title = Bilingual(translator("en")(label), translator("ja")(label))
    return {
        "id": category,
        "class": "category",
        "title": _pick(title, lang),
        "props": [_alt("title", title, lang)],
        "controls": [_control(control, lang) for control in controls],
    }


def _control(control: Control, lang: str) -> dict[str, Any]:
    cid = control_id(control.code)
    clauses = control.refs("article8") or ["guideline"]
    iso = control.refs("iso27001")
    ppc = control.refs("ppc")
    links = [
        {"href": f"#{stable_uuid('resource', 'iso27001')}", "rel": "reference", "text": ref}
        for ref in iso
    ]
    if control.ppc_ref:
        ppc_link = {"href": f"#{stable_uuid('resource', 'ppc')}", "rel": "reference"}
        links.insert(0, ppc_link | {"text": control.ppc_ref})
    revision = control.current_revision
    questions = revision.items if revision else []
    entry: dict[str, Any] = {
        "id": cid,
        "title": control.title(lang),
        "props": [
            _prop("label", control.code, ns=None),
            _prop("sort-id", cid, ns=None),
            _alt("title", Bilingual(control.title_en, control.title_ja), lang),
            *_props(*(("article8-clause", c) for c in clauses)),
            _prop("article8-explicit", str(control.article8_explicit).lower()),
            *_props(("ppc-ref", control.ppc_ref)),
            *_props(*(("ppc-heading", h) for h in ppc)),
            *_props(*(("iso27001", ref) for ref in iso)),
            _prop("frequency", control.frequency),
            _prop("source", control.source),
        ],
        "links": links,
        "parts": [
            {
                "id": f"{cid}_smt",
                "name": "statement",
                "props": [
                    _alt("prose", Bilingual(control.description_en, control.description_ja), lang)
                ],
                "prose": control.description(lang),
            },
            {
                "id": f"{cid}_obj",
                "name": "assessment-objective",
                "props": _props(("checklist-revision", revision.number if revision else "")),
                "parts": [
                    {
                        "id": f"{cid}_obj.{item.position}",
                        "name": "assessment-objective",
                        "props": [
                            _prop("label", str(item.position), ns=None),
                            _alt("prose", Bilingual(item.text_en, item.text_ja), lang),
                        ],
                        "prose": item.text(lang),
                    }
                    for item in questions
                ],
            },
            _evidence_part(control, cid, lang),
        ],
    }
    if not entry["links"]:
        del entry["links"]
    # Empty arrays are invalid OSCAL: a control without a checklist has no objective items.
    for part in entry["parts"]:
        for key in ("parts", "props"):
            if key in part and not part[key]:
                del part[key]
    return entry


def _evidence_part(control: Control, cid: str, lang: str) -> dict[str, Any]:
    """What an inspector examines, as the NIST assessment-method/assessment-objects parts."""
    part: dict[str, Any] = {
        "id": f"{cid}_asm-examine",
        "name": "assessment-method",
        "class": "evidence-expected",
        "props": [_prop("method", "EXAMINE", ns=RMF_NS)],
        "parts": [
            {
                "id": f"{cid}_asm-examine.{n}",
                "name": "assessment-objects",
                "props": [_alt("prose", item, lang)],
                "prose": _pick(item, lang),
            }
            for n, item in enumerate(evidence_expected(control), 1)
        ],
    }
    return part


# --- assessment results --------------------------------------------------------------------


def assessment_results(
    session: Session, period: Period, *, tz: ZoneInfo, lang: str = "en", now: datetime
) -> dict[str, Any]:
    """OSCAL assessment results for the inspections due in ``period`` (local dates in ``tz``).

    One observation per submitted or approved inspection; one finding per inspection with a
    verdict: approved and passed is satisfied, approved and failed or missed is not satisfied.
    Inspections still under way have no verdict yet and are listed in the result's remarks.
    Each failed checklist item's finding becomes a risk with its corrective actions.
    """
    _check_lang(lang)
    _ = translator(lang)
    inspections = list(_inspections(session, period))
    counts = _answer_counts(session, period)
    evidence = _evidence(session, period)
    risks_by_inspection = _risks(session, period, lang)

    observations, findings, pending, parties = [], [], [], {}
    for inspection in inspections:
        observation = None
        if inspection.status in ("submitted", "approved"):
            observation = _observation(inspection, counts, evidence, tz, lang, now)
            observations.append(observation)
            # Name only the people an observation refers to (a returning reviewer is not one).
            for user in _actors(inspection):
                parties[user.id] = user.display_name
        finding = _finding(inspection, observation, risks_by_inspection, lang)
        if finding is None:
            pending.append(
                f"- {inspection.control.code} {inspection.period_label}: "
                f"{_(STATUS_LABELS[inspection.status])} ({_('Due')} {inspection.due_on})"
            )
        else:
            findings.append(finding)

    codes = sorted({i.control.code for i in inspections})
    satisfied = sum(1 for f in findings if f["target"]["status"]["state"] == "satisfied")
    result: dict[str, Any] = {
        "uuid": stable_uuid("result", period.start, period.end),
        "title": f"{_('Period')}: {period.start} – {period.end}",
        "description": f"{_pick(RESULTS_TITLE, lang)}: {period.start} – {period.end}",
        "start": _instant(local_midnight_utc(period.start, tz)),
        "end": _instant(local_midnight_utc(period.end + timedelta(days=1), tz)),
        "props": _props(
            ("period-start", period.start),
            ("period-end", period.end),
            ("inspections", len(inspections)),
            ("satisfied", satisfied),
            ("not-satisfied", len(findings) - satisfied),
            ("without-verdict", len(pending)),
        ),
        "reviewed-controls": {
            "control-selections": [
                {"include-controls": [{"control-id": control_id(c)} for c in codes]}
                if codes
                else {"description": _pick(NO_INSPECTIONS, lang)}
            ]
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

    plan = stable_uuid("resource", "assessment-plan")
    metadata = _metadata(RESULTS_TITLE, lang, catalogue_version(session), now)
    metadata["roles"] = [
        {"id": "assessor", "title": _("Performed by")},
        {"id": "approver", "title": _("Approved by")},
    ]
    if parties:
        metadata["parties"] = [
            {"uuid": _party(user_id), "type": "person", "name": _one_line(name) or "-"}
            for user_id, name in sorted(parties.items())
        ]
    body = {
        "metadata": metadata,
        "import-ap": {"href": f"#{plan}"},
        "results": [result],
        "back-matter": {
            "resources": [
                {
                    "uuid": plan,
                    "title": _pick(PLAN, lang),
                    "description": _pick(PLAN_NOTE, lang),
                    "props": [_alt("title", PLAN, lang)],
                }
            ]
        },
    }
    return _sealed("assessment-results", f"{lang}:{period.start}:{period.end}", body)


def _party(user_id: int) -> str:
    return stable_uuid("party", user_id)


def _inspection_key(inspection: Inspection) -> tuple[str, str]:
    # Control code and period start identify an inspection in any copy of the database.
    return inspection.control.code, inspection.period_start.isoformat()


def _in_period(period: Period) -> Any:
    return Inspection.due_on.between(period.start, period.end)


def _inspections(session: Session, period: Period) -> Iterable[Inspection]:
    return session.scalars(
        select(Inspection)
        .join(Control, Control.id == Inspection.control_id)
        .options(
            selectinload(Inspection.control),
            selectinload(Inspection.performed_by),
            selectinload(Inspection.reviewed_by),
        )
        .where(_in_period(period))
        .order_by(Inspection.due_on, Control.code)
    )


def _answer_counts(session: Session, period: Period) -> dict[int, Counter[str]]:
    counts: dict[int, Counter[str]] = {}
    for inspection_id, answer, n in session.execute(
        select(ChecklistAnswer.inspection_id, ChecklistAnswer.answer, func.count())
        .join(Inspection, Inspection.id == ChecklistAnswer.inspection_id)
        .where(_in_period(period))
        .group_by(ChecklistAnswer.inspection_id, ChecklistAnswer.answer)
    ):
        counts.setdefault(inspection_id, Counter())[answer] = n
    return counts


def _evidence(session: Session, period: Period) -> dict[int, list[dict[str, Any]]]:
    by_inspection: dict[int, list[dict[str, Any]]] = {}
    for item in session.scalars(
        select(EvidenceItem)
        .join(Inspection, Inspection.id == EvidenceItem.inspection_id)
        .where(_in_period(period), EvidenceItem.status != "withdrawn")
        .order_by(EvidenceItem.id)
    ):
        assert item.inspection_id is not None
        by_inspection.setdefault(item.inspection_id, []).append(
            {
                "description": _one_line(item.title) or item.original_name,
                "props": _props(
                    ("evidence-id", item.id),
                    ("file", item.original_name),
                    ("sha256", item.sha256),
                    ("collected-on", item.collected_on),
                    ("evidence-status", item.status),
                ),
            }
        )
    return by_inspection


def _observation(
    inspection: Inspection,
    counts: dict[int, Counter[str]],
    evidence: dict[int, list[dict[str, Any]]],
    tz: ZoneInfo,
    lang: str,
    now: datetime,
) -> dict[str, Any]:
    _ = translator(lang)
    control = inspection.control
    answers = counts.get(inspection.id, Counter())
    tally = ", ".join(f"{_(STATUS_LABELS[a])} {answers[a]}" for a in ("pass", "fail", "na"))
    assert inspection.submitted_at is not None
    lines = [
        f"{_('Control')}: {control.code} {control.title(lang)}",
        f"{_('Period')}: {inspection.period_label} "
        f"({inspection.period_start} – {inspection.period_end})",
        f"{_('Due')}: {inspection.due_on}",
        f"{_('Performed by')}: {_name(inspection.performed_by)}",
        f"{_('Submitted')}: {_local(inspection.submitted_at, tz)}",
    ]
    if inspection.status == "approved" and inspection.reviewed_at is not None:
        reviewer = _name(inspection.reviewed_by)
        lines.append(f"{_('Approved by')}: {reviewer} ({_local(inspection.reviewed_at, tz)})")
    lines.append(f"{_('Result')}: {_(STATUS_LABELS[inspection.result or 'open'])} ({tally})")
    timely = timeliness(inspection, today=local_date(now, tz), tz=tz)
    lines.append(f"{_('Timeliness')}: {_(STATUS_LABELS[timely])}")
    actors = [
        {"type": "party", "actor-uuid": _party(user.id), "role-id": role}
        for user, role in _actors(inspection).items()
    ]
    observation: dict[str, Any] = {
        "uuid": stable_uuid("observation", *_inspection_key(inspection)),
        "title": f"{control.code} {inspection.period_label}",
        "description": "\n".join(f"- {line}" for line in lines),
        "props": _props(
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
        "relevant-evidence": evidence.get(inspection.id, []),
        "collected": _instant(inspection.submitted_at),
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
        "title": f"{control.code} {inspection.period_label}: {_(STATUS_LABELS[verdict])}",
        "description": (
            f"{_('Control')}: {control.code} {control.title(lang)}; "
            f"{_('Status')}: {_(STATUS_LABELS[inspection.status])}; "
            f"{_('Result')}: {_(STATUS_LABELS[verdict])}"
        ),
        "props": _props(("inspection-id", inspection.id), ("inspection-status", inspection.status)),
        "target": {
            "type": "objective-id",
            "target-id": f"{cid}_obj",
            "title": control.title(lang),
            "props": [_prop("control-id", cid)],
            "status": {"state": state, "reason": reason},
        },
    }
    if observation is not None:
        finding["related-observations"] = [{"observation-uuid": observation["uuid"]}]
    if risks.get(inspection.id):
        finding["related-risks"] = [{"risk-uuid": r["uuid"]} for r in risks[inspection.id]]
    return finding


def _risks(session: Session, period: Period, lang: str) -> dict[int, list[dict[str, Any]]]:
    """Findings of the period's inspections (failed checklist items) as OSCAL risks."""
    _ = translator(lang)
    by_inspection: dict[int, list[dict[str, Any]]] = {}
    rows = session.execute(
        select(Finding, ChecklistItem)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .outerjoin(ChecklistItem, ChecklistItem.id == Finding.item_id)
        .options(selectinload(Finding.actions), selectinload(Finding.inspection))
        .where(_in_period(period))
        .order_by(Finding.id)
    )
    for finding, question in rows:
        inspection = finding.inspection
        assert inspection is not None
        risk: dict[str, Any] = {
            "uuid": stable_uuid("risk", "finding", finding.id),
            "title": finding.title,
            "description": finding.description or finding.title,
            "statement": question.text(lang) if question else finding.title,
            "props": _props(
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
                    "props": _props(("action-status", action.status), ("due-on", action.due_on)),
                }
                for action in finding.actions
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


def _local(instant: datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


# --- writing -------------------------------------------------------------------------------


def write_json(document: dict[str, Any], out: Path) -> str:
    """Write ``document`` to ``out`` atomically as UTF-8 JSON; return the file's SHA-256."""
    with atomic_output(out) as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="\n")
        json.dump(document, text, ensure_ascii=False, indent=2)
        text.write("\n")
        text.flush()
        text.detach()  # atomic_output still owns (and fsyncs) the binary handle
    return sha256_of(out)
