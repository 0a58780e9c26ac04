"""Jinja filters and globals: local times, vocabulary labels and tones, role names, period names and
finding titles in the user's language, links to an object's history, and the capability check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from flask import Flask, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from article8.controls.findings.models import Finding
from article8.controls.findings.titles import finding_title as _finding_title
from article8.core import vocabulary
from article8.core.period_labels import period_label
from article8.core.vocabulary import Vocabulary
from article8.web.context import settings
from article8.web.forms import LanguageForm
from article8.web.permissions import can

# The vocabularies pages name in ``value|label("inspection")`` and ``value|tone("inspection")``:
# every label and tone comes from core.vocabulary, the one place codes are named.
VOCABULARIES: dict[str, tuple[Vocabulary, ...]] = {
    "inspection": (vocabulary.INSPECTION_STATES, vocabulary.INSPECTION_FILTERS),
    "answer": (vocabulary.ANSWERS,),
    "severity": (vocabulary.SEVERITIES,),
    "work": (vocabulary.ACTION_STATES,),
    "anomaly": (vocabulary.ANOMALY_STATES,),
    "incident": (vocabulary.INCIDENT_STATES,),
    "deadline": (vocabulary.DEADLINE_STATES,),
    "log_kind": (vocabulary.LOG_KINDS,),
    "authorisation_kind": (vocabulary.AUTHORISATION_KINDS,),
    "role": (vocabulary.ROLES,),
    # issue 17
    "provision_direction": (vocabulary.PROVISION_DIRECTIONS,),
    "provision_basis": (vocabulary.PROVISION_BASES,),
    "record_form": (vocabulary.RECORD_FORMS,),
    "publication_matter": (vocabulary.PUBLICATION_MATTERS,),
    # issue 15: the leak-report record
    "leak_kind": (vocabulary.LEAK_KINDS,),
    "leak_certainty": (vocabulary.LEAK_CERTAINTY,),
    "leak_media": (vocabulary.LEAK_MEDIA,),
    "yes_no_unknown": (vocabulary.YES_NO_UNKNOWN,),
    "entrustment": (vocabulary.ENTRUSTMENTS,),
    "filing_kind": (vocabulary.FILING_KINDS,),
    "filing_destination": (vocabulary.FILING_DESTINATIONS,),
    "report_item": (vocabulary.REPORT_ITEMS,),
    "closing_blocker": (vocabulary.CLOSING_BLOCKERS,),
    "report_kind": (vocabulary.REPORT_KINDS,),
    # issue 16: requests from individuals and inquiries
    "request_state": (vocabulary.REQUEST_STATES,),
    "request_kind": (vocabulary.REQUEST_KINDS,),
    "channel": (vocabulary.CHANNELS,),
    "agent_kind": (vocabulary.AGENT_KINDS,),
    "verification": (vocabulary.VERIFICATION_RESULTS,),
    "disclosure_method": (vocabulary.DISCLOSURE_METHODS,),
    "fee_state": (vocabulary.FEE_STATES,),
    "decision": (vocabulary.DECISIONS,),
    "refusal_ground": (vocabulary.REFUSAL_GROUNDS,),
    "inquiry_state": (vocabulary.INQUIRY_STATES,),
    "inquiry_kind": (vocabulary.INQUIRY_KINDS,),
    "privacy_clock": (vocabulary.PRIVACY_CLOCK,),
}


def _term(value: str, name: str) -> Vocabulary | None:
    return next((v for v in VOCABULARIES[name] if value in v), None)


def label(value: str | None, name: str) -> str:
    """A code (a state, an answer, a severity, a role) in the user's language."""
    found = _term(value or "", name)
    return _(found.label(value or "")) if found is not None else value or ""


def tone(value: str | None, name: str) -> str:
    """How a code looks on a badge (``secondary`` when neutral or unknown)."""
    found = _term(value or "", name)
    return (found.tone(value or "") if found is not None else "") or "secondary"


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC instant shown in the configured time zone."""
    if value is None:
        return ""
    return value.astimezone(settings().timezone).strftime(fmt)


class HasPeriod(Protocol):
    """Anything that covers a period: an inspection, a row of one."""

    @property
    def period_start(self) -> date: ...

    @property
    def period_end(self) -> date: ...


def period(value: HasPeriod) -> str:
    """The period an inspection covers, named in the user's language (「2025年度 第1四半期」)."""
    return period_label(value.period_start, value.period_end, _, settings().fiscal_year_start)


def finding_title(finding: Finding) -> str:
    """A finding's title in the user's language, rebuilt from its fields (not the stored text)."""
    return _finding_title(finding, _, settings().fiscal_year_start)


def role_name(role: str) -> str:
    """The role's name in the user's language."""
    return label(role, "role")


def history_url(object_type: str, object_id: object) -> str:
    """The audit trail filtered to one object: its history."""
    return url_for("audit.event_list", object_type=object_type, object_id=str(object_id))


def register(app: Flask) -> None:
    """Install the filters and globals."""
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["role_name"] = role_name
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["tone"] = tone
    app.jinja_env.filters["period"] = period
    app.jinja_env.filters["finding_title"] = finding_title
    app.jinja_env.globals["history_url"] = history_url
    app.jinja_env.globals["get_locale"] = get_locale
    # Pages ask the capability table, never compare role names: {% if can("finding.manage") %}.
    app.jinja_env.globals["can"] = can

    @app.context_processor
    def _globals() -> dict[str, object]:
        return {
            # formdata=None: never parse the request here (an over-long POST must still render
            # its 413 page).
            "nav_language_form": LanguageForm(formdata=None),
            "timezone_name": settings().timezone.key,
            "app_title": _("article8"),
        }
