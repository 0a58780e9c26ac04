"""What every OSCAL document of article8 shares: identifiers, props, metadata and the file.

Identifiers are reproducible: control ids are the lower-cased codes, and every UUID is a uuid5 of
a fixed namespace and a stable key. A document's own UUID is derived from its content, so it
changes exactly when the content does; only ``last-modified`` differs between two exports of the
same data.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from article8.controls.catalogue.files import Bilingual
from article8.core.audit import canonical_json
from article8.core.files import atomic_output, sha256_of
from article8.core.settings import Settings

# The OSCAL release whose schemas the test suite validates against (tests/reports/oscal_schema).
OSCAL_VERSION = "1.1.3"
NS = "https://article8.example/ns/oscal"
RMF_NS = "http://csrc.nist.gov/ns/rmf"
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, NS)
LANGUAGES = ("en", "ja")

LANGUAGE_NOTE = Bilingual(
    "Titles and prose are in English; each also carries its Japanese text in a prop named "
    "title-ja or prose-ja (namespace {ns}).",
    "タイトルおよび本文は日本語。英語の文は名前空間 {ns} の title-en または prose-en に収める。",
)
# The documents of one export sit side by side (``oscal/`` in the audit package, the directory
# of ``article8 export oscal``), so they refer to each other by file name.
CATALOG_FILE = "catalog.json"
PLAN_FILE = "assessment-plan.json"
RESULTS_FILE = "assessment-results.json"
MEDIA_TYPES = {
    CATALOG_FILE: "application/oscal.catalog+json",
    PLAN_FILE: "application/oscal.ap+json",
    RESULTS_FILE: "application/oscal.ar+json",
}
CATALOG_TITLE = Bilingual(
    "APPI Article 8 safety control measures (article8)",
    "プライバシーポリシー第8条の安全管理措置 (article8)",
)
PLAN_TITLE = Bilingual(
    "Assessment plan: the article8 inspection schedule",
    "評価計画：article8 の点検スケジュール",
)
# The organisation whose measures are inspected: its party UUID does not follow its name, so a
# renamed company stays the same party.
ORGANISATION = "organisation"
DEFAULT_ORGANISATION = Settings.organisation  # the default of ARTICLE8_ORGANISATION
PREPARED_BY = Bilingual("Prepared by", "作成者")


def stable_uuid(*key: object) -> str:
    """A UUID that is the same for the same key in every export."""
    return str(uuid.uuid5(UUID_NAMESPACE, ":".join(str(part) for part in key)))


def control_id(code: str) -> str:
    """The OSCAL id of the control with ``code`` (e.g. ``org-02``)."""
    return code.lower()


def pick(text: Bilingual, lang: str) -> str:
    """``text`` in ``lang``."""
    return text.ja if lang == "ja" else text.en


def other_language(lang: str) -> str:
    """The language that rides along in props."""
    return "en" if lang == "ja" else "ja"


def one_line(value: object) -> str:
    """``value`` as text with its whitespace folded (OSCAL tokens and props are one line)."""
    return " ".join(str(value).split())


def prop(name: str, value: object, *, ns: str | None = NS) -> dict[str, str]:
    """One OSCAL prop, in article8's namespace unless ``ns`` says otherwise."""
    found = {"name": name, "value": one_line(value)}
    return found | {"ns": ns} if ns else found


def props(*pairs: tuple[str, object]) -> list[dict[str, str]]:
    """Props of the pairs that have a value (OSCAL prop values must not be empty)."""
    return [prop(name, value) for name, value in pairs if one_line(value)]


def alternate(kind: str, text: Bilingual, lang: str) -> dict[str, str]:
    """The prop (``title-ja``, ``prose-en``, …) carrying ``text`` in the other language."""
    other = other_language(lang)
    return prop(f"{kind}-{other}", pick(text, other))


def instant(value: datetime) -> str:
    """An OSCAL date-time: UTC, to the second, with a ``Z``."""
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def check_language(lang: str) -> None:
    """Refuse a language the exports are not written in."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")


def sealed(root: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
    """``{root: {"uuid": …, **body}}`` with a UUID derived from the content, not the time."""
    dated = {k: v for k, v in body["metadata"].items() if k != "last-modified"}
    digest = hashlib.sha256(canonical_json({**body, "metadata": dated}).encode()).hexdigest()
    return {root: {"uuid": stable_uuid(root, key, digest), **body}}


def metadata(
    title: Bilingual,
    lang: str,
    version: str,
    now: datetime,
    *,
    organisation: str,
    links: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A document's metadata: its title in both languages, its version and OSCAL's, the
    organisation as the party that prepared it, and ``links`` (to the other documents)."""
    found: dict[str, Any] = {
        "title": pick(title, lang),
        "last-modified": instant(now),
        "version": version,
        "oscal-version": OSCAL_VERSION,
        "props": [prop("language", lang), alternate("title", title, lang)],
        "links": links or [],
        "roles": [{"id": "prepared-by", "title": pick(PREPARED_BY, lang)}],
        "parties": [
            {
                "uuid": organisation_uuid(),
                "type": "organization",
                "name": one_line(organisation) or "-",
            }
        ],
        "responsible-parties": [{"role-id": "prepared-by", "party-uuids": [organisation_uuid()]}],
        "remarks": pick(LANGUAGE_NOTE, lang).format(ns=NS),
    }
    if not found["links"]:
        del found["links"]  # empty arrays are invalid OSCAL
    return found


def organisation_uuid() -> str:
    """The party UUID of the organisation whose measures are inspected."""
    return stable_uuid("party", ORGANISATION)


def document_resource(
    name: str, title: Bilingual, lang: str, description: str = ""
) -> dict[str, Any]:
    """A back-matter resource pointing at another document of the same export, by file name."""
    found = {
        "uuid": stable_uuid("resource", name),
        "title": pick(title, lang),
        "description": description,
        "props": [alternate("title", title, lang)],
        "rlinks": [{"href": name, "media-type": MEDIA_TYPES[name]}],
    }
    if not description:
        del found["description"]
    return found


def catalog_link(lang: str) -> dict[str, str]:
    """A link (rel ``reference``) to the catalog the control ids come from."""
    return {
        "href": f"#{stable_uuid('resource', CATALOG_FILE)}",
        "rel": "reference",
        "text": pick(CATALOG_TITLE, lang),
    }


def write_json(document: dict[str, Any], out: Path) -> str:
    """Write ``document`` to ``out`` atomically as UTF-8 JSON; return the file's SHA-256."""
    with atomic_output(out) as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="\n")
        json.dump(document, text, ensure_ascii=False, indent=2)
        text.write("\n")
        text.flush()
        text.detach()  # atomic_output still owns (and fsyncs) the binary handle
    return sha256_of(out)
