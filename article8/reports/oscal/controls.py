"""The control catalogue as an OSCAL catalog: one group per category, one control per code.

Part ids follow the NIST pattern (``org-02_smt``, ``org-02_obj.1``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from article8.controls.catalogue.files import Bilingual
from article8.controls.catalogue.models import ChecklistRevision, Control
from article8.controls.catalogue.services import evidence_expected
from article8.core.i18n import translator
from article8.core.vocabulary import CATEGORIES
from article8.reports.oscal.document import (
    CATALOG_TITLE,
    DEFAULT_ORGANISATION,
    RMF_NS,
    alternate,
    check_language,
    control_id,
    metadata,
    pick,
    prop,
    props,
    sealed,
    stable_uuid,
)
from article8.reports.queries import catalogue_version

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


def catalog(
    session: Session,
    *,
    lang: str = "en",
    now: datetime,
    organisation: str = DEFAULT_ORGANISATION,
) -> dict[str, Any]:
    """An OSCAL catalog of the active controls, one group per category, texts in ``lang``;
    ``organisation`` (the setting ARTICLE8_ORGANISATION) is the party that prepared it."""
    check_language(lang)
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
    for category in CATEGORIES.codes:
        members = [c for c in controls if c.category == category]
        if members:
            groups.append(_group(category, members, lang))
    body: dict[str, Any] = {
        "metadata": metadata(
            CATALOG_TITLE, lang, catalogue_version(session), now, organisation=organisation
        ),
        "groups": groups,
        "back-matter": {
            "resources": [
                {
                    "uuid": stable_uuid("resource", scheme),
                    "title": pick(title, lang),
                    "props": [alternate("title", title, lang)],
                    "citation": {"text": pick(title, lang)},
                }
                for scheme, title in REFERENCES.items()
            ]
        },
    }
    return sealed("catalog", lang, body)


def _group(category: str, controls: list[Control], lang: str) -> dict[str, Any]:
    label = CATEGORIES.label(category)
    title = Bilingual(translator("en")(label), translator("ja")(label))
    return {
        "id": category,
        "class": "category",
        "title": pick(title, lang),
        "props": [alternate("title", title, lang)],
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
            prop("label", control.code, ns=None),
            prop("sort-id", cid, ns=None),
            alternate("title", Bilingual(control.title_en, control.title_ja), lang),
            *props(*(("article8-clause", c) for c in clauses)),
            prop("article8-explicit", str(control.article8_explicit).lower()),
            *props(("ppc-ref", control.ppc_ref)),
            *props(*(("ppc-heading", h) for h in ppc)),
            *props(*(("iso27001", ref) for ref in iso)),
            prop("frequency", control.frequency),
            prop("source", control.source),
        ],
        "links": links,
        "parts": [
            {
                "id": f"{cid}_smt",
                "name": "statement",
                "props": [
                    alternate(
                        "prose", Bilingual(control.description_en, control.description_ja), lang
                    )
                ],
                "prose": control.description(lang),
            },
            {
                "id": f"{cid}_obj",
                "name": "assessment-objective",
                "props": props(("checklist-revision", revision.number if revision else "")),
                "parts": [
                    {
                        "id": f"{cid}_obj.{item.position}",
                        "name": "assessment-objective",
                        "props": [
                            prop("label", str(item.position), ns=None),
                            alternate("prose", Bilingual(item.text_en, item.text_ja), lang),
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
        "props": [prop("method", "EXAMINE", ns=RMF_NS)],
        "parts": [
            {
                "id": f"{cid}_asm-examine.{n}",
                "name": "assessment-objects",
                "props": [alternate("prose", item, lang)],
                "prose": pick(item, lang),
            }
            for n, item in enumerate(evidence_expected(control), 1)
        ],
    }
    return part
