"""The responsible person's dashboard (auditors read it too) and the audit workbook download."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from article8.core.calendar import fiscal_year, local_midnight_utc
from article8.core.errors import ValidationError
from article8.core.period_labels import period_label
from article8.privacy.requests import queries as privacy_queries  # issue 16
from article8.reports import posture, workbook
from article8.reports.posture_figures import Ages, Dashboard, HeatCell, HeatRow, MonthTrend
from article8.reports.privacy import privacy_figures  # issue 17
from article8.web import edge, packages
from article8.web.context import actor, db, lang, now, settings, today
from article8.web.dashboard import svg
from article8.web.params import day_arg
from article8.web.permissions import can, requires
from article8.web.templating import label

bp = Blueprint("dashboard", __name__, template_folder="templates")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Lists other areas provide; a figure links to them once they are installed.
ANOMALY_LIST = "anomalies.anomaly_list"
INCIDENT_LIST = "incidents.incident_list"
INCIDENT_PAGE = "incidents.incident_page"
OUTCOME_NAMES = {
    "pass": _l("Passed"),
    "fail": _l("Failed"),
    "missed": _l("Missed"),
    "open": _l("Open"),
    "none": _l("No inspection"),
}


@bp.app_template_global("optional_url")
def optional_url(endpoint: str, **values: Any) -> str | None:
    """The URL of a page of another area, or None while that area is not installed."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.get("/dashboard")
@requires("posture.read")
def dashboard_page() -> ResponseReturnValue:
    """Posture, timeliness, work owed, evidence, access and incidents; ``?as_of=`` a past day."""
    day = today()
    as_of_day = day_arg(request.args, "as_of")
    refused_day = None
    if as_of_day is not None and as_of_day > day:
        # Nothing is known about a day to come: say so, and show today's figures.
        refused_day, as_of_day = as_of_day, None
    if as_of_day == day:
        as_of_day = None  # today: the live figures
    as_of = None
    if as_of_day is not None:
        # The end of that local day: everything recorded during it counts.
        end = local_midnight_utc(as_of_day + timedelta(days=1), settings().timezone)
        as_of = end - timedelta(microseconds=1)
    board = posture.dashboard(db(), today=as_of_day or day, as_of=as_of, settings=settings())
    fy_start = date(fiscal_year(day, settings().fiscal_year_start), settings().fiscal_year_start, 1)
    return render_template(
        "dashboard/page.html",
        board=board,
        links=_links(board),
        trend_chart=_trend_chart(board),
        heat_chart=_heat_chart(board),
        percent=lambda value: "—" if value is None else format_percent(value),
        lang=lang(),
        can_act=can("inspection.review"),
        empty_ages=Ages(),
        as_of_day=as_of_day,
        refused_day=refused_day,
        real_today=day,
        trend_empty=not any(m.passed or m.failed or m.missed or m.open for m in board.trend),
        export_from=fy_start,
        anomaly_list=ANOMALY_LIST,
        incident_page=INCIDENT_PAGE,
        incident_list=INCIDENT_LIST,
        # issue 17: the privacy registers keep no history, so their tiles show only live figures.
        privacy=privacy_figures(db(), day) if as_of_day is None else None,
        # issue 16: the requests and inquiries tile (today's figures; not kept "as of")
        request_figures=None
        if as_of_day is not None
        else privacy_queries.figures(db(), now=now(), tz=settings().timezone),
    )


def _inspections(**values: Any) -> str:
    return url_for(
        "inspections.inspection_list",
        **{k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()},
    )


def _links(board: Dashboard) -> dict[str, Any]:
    """The list behind each figure (today's lists: they have no "as of")."""
    day = board.today
    posture_status = {
        "passed": "approved",
        "failed": "approved",
        "overdue": "overdue",
        "missed": "missed",
        "in_review": "submitted",
        "not_due": "pending",
    }
    categories = {
        p.category: {
            state: _inspections(status=status, category=p.category)
            for state, status in posture_status.items()
        }
        | {"controls": url_for("catalogue.control_list", category=p.category, active="yes")}
        for p in board.categories
    }
    overall = {state: _inspections(status=status) for state, status in posture_status.items()}
    overall["controls"] = url_for("catalogue.control_list", active="yes")
    return {
        "categories": categories,
        "overall": overall,
        "overdue": _inspections(status="overdue"),
        "overdue_d0_7": _inspections(
            status="overdue", due_from=day - timedelta(days=7), due_to=day - timedelta(days=1)
        ),
        "overdue_d8_30": _inspections(
            status="overdue", due_from=day - timedelta(days=30), due_to=day - timedelta(days=8)
        ),
        "overdue_over_30": _inspections(status="overdue", due_to=day - timedelta(days=31)),
        "upcoming": _inspections(status="pending", due_from=day, due_to=board.upcoming_until),
        "on_time": _inspections(due_from=board.on_time.start, due_to=board.on_time.end),
        "findings": url_for("findings.finding_list"),
        "findings_by_severity": {
            s: url_for("findings.finding_list", severity=s) for s in ("high", "medium", "low")
        },
        "actions": url_for("findings.finding_list"),
        "expiring": url_for("evidence.evidence_list", freshness="expiring"),
        "expired": url_for("evidence.evidence_list", freshness="expired"),
        "anomalies": optional_url(ANOMALY_LIST, status="new"),
        "anomalies_by_rule": {
            rule: optional_url(ANOMALY_LIST, status="new", rule=rule) for rule in board.anomalies
        },
        "incidents": optional_url(INCIDENT_LIST),
        "review": url_for("inspections.review_queue"),
    }


def _trend_chart(board: Dashboard) -> svg.Chart:
    statuses = {"pass": "approved", "fail": "approved", "missed": "missed", "open": ""}

    def href(month: MonthTrend, outcome: str) -> str:
        return _inspections(status=statuses[outcome], due_from=month.start, due_to=month.end)

    return svg.trend_chart(
        board.trend,
        title=_("Inspections due per month"),
        description=_(
            "Stacked bars: inspections due in each of the last 12 months, by outcome "
            "(passed, failed, missed, still open)."
        ),
        names={k: str(v) for k, v in OUTCOME_NAMES.items()},
        month_label=lambda m: f"{m.start:%y-%m}",
        href=href,
    )


def _heat_chart(board: Dashboard) -> svg.Chart:
    language = lang()

    def cell_title(row: HeatRow, cell: HeatCell) -> str:
        parts = [row.code, row.title(language), f"{cell.month:%Y-%m}"]
        if cell.status and cell.period_start and cell.period_end:
            name = period_label(cell.period_start, cell.period_end, _, settings().fiscal_year_start)
            parts.append(f"{name}: {label(cell.status, 'inspection')}")
        parts.append(str(OUTCOME_NAMES[cell.state]))
        return " · ".join(parts)

    def href(cell: HeatCell) -> str | None:
        if cell.inspection_id is None:
            return None
        return url_for("inspections.inspection_page", inspection_id=cell.inspection_id)

    months = board.heat_map[0].cells if board.heat_map else ()
    return svg.heat_map(
        board.heat_map,
        months,
        title=_("Controls by month"),
        description=_(
            "Heat map: one row per active control, one column per month; each cell shows the "
            "outcome of the inspection covering that month."
        ),
        names={k: str(v) for k, v in OUTCOME_NAMES.items()},
        month_label=lambda cell: f"{cell.month:%m}",
        cell_title=cell_title,
        href=href,
    )


@bp.get("/exports/workbook")
@requires("posture.read")
def workbook_export() -> ResponseReturnValue:
    """Generate the audit workbook for a period and send it; its SHA-256 goes to the audit trail."""
    day = today()
    start, end = day_arg(request.args, "from"), day_arg(request.args, "to")
    fy = settings().fiscal_year_start
    start = start or date(fiscal_year(day, fy), fy, 1)
    end = end or day
    language = request.args.get("lang") or lang()
    if end < start or language not in ("ja", "en"):
        flash(_("Choose a period whose end is not before its start, and a language."), "danger")
        return redirect(url_for("dashboard.dashboard_page"))
    directory = Path(tempfile.mkdtemp(prefix="article8-workbook-"))
    try:
        out = directory / f"article8-workbook-{start.isoformat()}-{end.isoformat()}.xlsx"
        workbook.write_workbook(
            db(),
            out,
            settings=settings(),
            period=workbook.Period(start, end),
            lang=language,
            actor=actor(),
            now=now(),
        )
        # The SHA-256 is committed to the audit trail (by the edge, though this is a GET) before
        # the first byte leaves.
        edge.keep_changes()
        handle = out.open("rb")
    finally:
        # The open handle keeps the bytes readable; nothing stays behind on disk.
        shutil.rmtree(directory, ignore_errors=True)
    response = send_file(
        handle, mimetype=XLSX, as_attachment=True, download_name=out.name, conditional=False
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# issue 14: the audit package, beside the workbook
@bp.get("/exports/package")
@requires("posture.read")
def package_export() -> ResponseReturnValue:
    """Generate the audit package (ZIP) for a period and send it; its SHA-256 is recorded."""
    try:
        period, language = packages.package_request(request.args, lang())
    except ValidationError:
        flash(_("Choose a period whose end is not before its start, and a language."), "danger")
        return redirect(url_for("dashboard.dashboard_page"))
    return packages.send_package(period, language, actor())
