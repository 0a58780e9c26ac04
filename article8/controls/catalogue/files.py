"""Reading and validating catalogue files: the shipped YAML, exported YAML, and rows from XLSX."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from article8.controls.catalogue.errors import CatalogueError
from article8.controls.catalogue.models import (
    ARTICLE8_CLAUSES,
    CATEGORIES,
    FREQUENCIES,
    PPC_HEADINGS,
)
from article8.core.guarded import control_character

SHIPPED_DIR = Path(__file__).resolve().parent / "data"
CODE_PATTERN = re.compile(r"^[A-Z]{2,5}-\d{2,3}\Z")
ISO_PATTERN = re.compile(r"^A\.[5-8]\.\d{1,2}$")
REQUIRED = (
    "code",
    "category",
    "title",
    "description",
    "article8_clauses",
    "article8_explicit",
    "ppc_ref",
    "ppc_headings",
    "iso27001",
    "frequency",
    "checklist",
    "evidence_expected",
)
# Keys an exported catalogue adds: the organisation's own choices for each control.
LOCAL = ("owner", "active", "source")
# Keys the shipped catalogue may add: background kept apart from what the control asks for.
OPTIONAL = ("reference",)


@dataclass(frozen=True)
class Bilingual:
    """A text in English and Japanese."""

    en: str
    ja: str


@dataclass(frozen=True)
class LocalChoices:
    """What an exported catalogue carries beyond the shipped one: owner, active, source."""

    owner: str | None
    active: bool
    source: str


@dataclass(frozen=True)
class ControlSpec:
    """One validated control as a catalogue file describes it."""

    code: str
    category: str
    title: Bilingual
    description: Bilingual
    article8_clauses: tuple[str, ...]
    article8_explicit: bool
    ppc_ref: str
    ppc_headings: tuple[str, ...]
    iso27001: tuple[str, ...]
    frequency: str
    checklist: tuple[Bilingual, ...]
    evidence_expected: tuple[Bilingual, ...]
    local: LocalChoices | None = None
    # A case or source that shows why the control matters (e.g. an enforcement case), shown
    # apart from the description; only the shipped catalogue carries one.
    reference: Bilingual | None = None

    def mappings(self) -> list[tuple[str, str]]:
        """(scheme, ref) pairs in a stable order."""
        pairs = [("article8", c) for c in self.article8_clauses if c != "guideline"]
        pairs += [("ppc", h) for h in self.ppc_headings]
        pairs += [("iso27001", i) for i in self.iso27001]
        return pairs


def load_catalogue(path: Path | None = None) -> list[ControlSpec]:
    """Every control in ``path`` (a YAML file or a folder of them; the shipped one by default)."""
    path = path or SHIPPED_DIR
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise CatalogueError(str(path), "no catalogue files (*.yaml) found")
    specs: list[ControlSpec] = []
    seen: dict[str, str] = {}
    for file in files:
        for spec in parse_document(_read_yaml(file), file.name):
            if spec.code in seen:
                raise CatalogueError(
                    file.name,
                    f"duplicate code (also in {seen[spec.code]})",
                    code=spec.code,
                    field="code",
                )
            seen[spec.code] = file.name
            specs.append(spec)
    return specs


@lru_cache(maxsize=1)
def shipped_references() -> dict[str, Bilingual]:
    """The reference (an enforcement case, a source) of each shipped control that has one."""
    return {spec.code: spec.reference for spec in load_catalogue() if spec.reference}


def _read_yaml(file: Path) -> Any:
    try:
        with file.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise CatalogueError(file.name, f"not valid YAML: {where}{error.problem}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise CatalogueError(file.name, f"not valid YAML: {error}") from None
    except OSError as error:
        raise CatalogueError(str(file), f"cannot be read: {error.strerror}") from None


def parse_document(document: Any, file: str) -> list[ControlSpec]:
    """Validate a parsed catalogue document (a mapping with a ``controls`` list)."""
    if not isinstance(document, Mapping) or not isinstance(document.get("controls"), list):
        raise CatalogueError(file, "expected a mapping with a 'controls' list")
    return [parse_control(raw, file, index) for index, raw in enumerate(document["controls"], 1)]


def parse_control(raw: Any, file: str, index: int = 0) -> ControlSpec:
    """Validate one control; the error names the file, the control's code and the field."""
    if not isinstance(raw, Mapping):
        raise CatalogueError(file, f"entry {index} is not a mapping")
    code = raw.get("code")
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        raise CatalogueError(
            file, f"entry {index}: expected a code like ORG-01, got {code!r}", field="code"
        )

    def fail(field: str, problem: str) -> CatalogueError:
        return CatalogueError(file, problem, code=code, field=field)

    missing = [key for key in REQUIRED if key not in raw]
    if missing:
        raise fail(missing[0], "is missing")
    unknown = sorted(set(raw) - set(REQUIRED) - set(LOCAL) - set(OPTIONAL))
    if unknown:
        raise fail(unknown[0], "is not a known field")
    category = _choice(raw, "category", CATEGORIES, fail)
    frequency = _choice(raw, "frequency", FREQUENCIES, fail)
    clauses = _strings(raw, "article8_clauses", fail)
    if not clauses or not (clauses == ["guideline"] or set(clauses) <= set(ARTICLE8_CLAUSES)):
        raise fail("article8_clauses", 'expected "1"–"4", or ["guideline"]')
    headings = _strings(raw, "ppc_headings", fail)
    if not set(headings) <= set(PPC_HEADINGS):
        raise fail("ppc_headings", f"expected headings among {', '.join(PPC_HEADINGS)}")
    iso = _strings(raw, "iso27001", fail)
    bad_iso = [ref for ref in iso if not ISO_PATTERN.match(ref)]
    if bad_iso:
        raise fail("iso27001", f"{bad_iso[0]!r} is not an ISO/IEC 27001:2022 Annex A id (A.5.1)")
    if not isinstance(raw["article8_explicit"], bool):
        raise fail("article8_explicit", "expected true or false")
    if not isinstance(raw["ppc_ref"], str):
        raise fail("ppc_ref", "expected text")
    _plain(raw["ppc_ref"], "ppc_ref", fail)
    checklist = _bilingual_list(raw, "checklist", fail)
    if not 1 <= len(checklist) <= 20:
        raise fail("checklist", "expected between 1 and 20 questions")
    return ControlSpec(
        code=code,
        category=category,
        title=_bilingual(raw["title"], "title", fail, limit=300),
        description=_bilingual(raw["description"], "description", fail),
        article8_clauses=tuple(clauses),
        article8_explicit=raw["article8_explicit"],
        ppc_ref=raw["ppc_ref"].strip(),
        ppc_headings=tuple(headings),
        iso27001=tuple(iso),
        frequency=frequency,
        checklist=tuple(checklist),
        evidence_expected=tuple(_bilingual_list(raw, "evidence_expected", fail)),
        local=_local(raw, fail),
        reference=_bilingual(raw["reference"], "reference", fail) if "reference" in raw else None,
    )


def _plain(value: str, field: str, fail: Any) -> None:
    """Refuse a control character in a one-line text (prose may hold TAB and line breaks)."""
    problem = control_character(value)
    if problem is not None:
        raise fail(field, problem)


def _choice(raw: Mapping[str, Any], field: str, allowed: Iterable[str], fail: Any) -> str:
    value = raw[field]
    if value not in allowed:
        raise fail(field, f"expected one of {', '.join(allowed)}, got {value!r}")
    return str(value)


def _strings(raw: Mapping[str, Any], field: str, fail: Any) -> list[str]:
    value = raw[field]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(field, "expected a list of text values")
    if len(set(value)) != len(value):
        raise fail(field, "lists a value twice")
    return [v.strip() for v in value]


def _bilingual(value: Any, field: str, fail: Any, limit: int = 20000) -> Bilingual:
    if not isinstance(value, Mapping) or set(value) != {"en", "ja"}:
        raise fail(field, "expected both 'en' and 'ja' texts")
    texts = {}
    for lang in ("en", "ja"):
        text = value[lang]
        if isinstance(text, str):
            text = text.replace("\r\n", "\n").replace("\r", "\n")  # one line-ending everywhere
        if not isinstance(text, str) or not text.strip():
            raise fail(f"{field}.{lang}", "is empty")
        problem = control_character(text, free_text=True)
        if problem is not None:
            raise fail(f"{field}.{lang}", problem)
        if len(text) > limit:
            raise fail(f"{field}.{lang}", f"is longer than {limit} characters")
        texts[lang] = " ".join(text.split()) if limit <= 300 else text.strip()
    return Bilingual(**texts)


def _bilingual_list(raw: Mapping[str, Any], field: str, fail: Any) -> list[Bilingual]:
    value = raw[field]
    if not isinstance(value, list):
        raise fail(field, "expected a list of {en, ja} items")
    return [_bilingual(item, f"{field}[{i}]", fail) for i, item in enumerate(value, 1)]


def _local(raw: Mapping[str, Any], fail: Any) -> LocalChoices | None:
    if not any(key in raw for key in LOCAL):
        return None
    owner = raw.get("owner")
    if owner is not None and (not isinstance(owner, str) or "@" not in owner):
        raise fail("owner", "expected an email address or nothing")
    if owner is not None:
        _plain(owner, "owner", fail)
    active = raw.get("active", True)
    if not isinstance(active, bool):
        raise fail("active", "expected true or false")
    source = raw.get("source", "catalogue")
    if source not in ("catalogue", "custom"):
        raise fail("source", "expected catalogue or custom")
    return LocalChoices(owner=owner or None, active=active, source=source)
