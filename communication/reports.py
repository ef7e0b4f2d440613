"""Periodic Progress Reports: what goes into one, assembled once and frozen.

A report is a list of sections. Each section is assembled from the data of the moment it is
generated, rendered to HTML with its template, and stored with both its data (JSON) and its HTML:
later changes to the data or to the templates do not alter a generated report.

Other components add sections the same way they add milestone evidence: an AppConfig may offer

    def progress_report_sections(self, initiative, *, start, end, previous) -> list[ReportSection]

where `previous` is the snapshot (a dict) of the initiative's latest published report before this
period, or None, so that a section can show the change since then (shared measures, working
groups, the backbone scorecard). Sections are ordered by `order`; this app uses 10–50.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from initiatives.choices import Area, MilestoneStatus, Phase
from initiatives.models import Initiative
from initiatives.people import display_name

from .choices import AttendanceStatus, PeriodKind, PostKind
from .rendering import plain_text


@dataclass
class ReportSection:
    key: str
    title: str
    data: dict
    template: str
    order: int = 100
    extra: dict = field(default_factory=dict)


def period_bounds(kind: str, year: int, quarter: int = 0) -> tuple[date, date]:
    if kind == PeriodKind.YEAR:
        return date(year, 1, 1), date(year, 12, 31)
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return date(year, first_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def _day(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "DATE_FORMAT")


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    """The period as aware datetimes: from the start of `start` to the end of `end`."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, datetime.min.time(), tzinfo=tz),
        datetime.combine(end, datetime.max.time(), tzinfo=tz),
    )


def _name(user) -> str:
    return display_name(user) if user else ""


# --- This app's sections --------------------------------------------------------------------------


def lifecycle_section(initiative: Initiative, start: date, end: date) -> ReportSection:
    low, high = _window(start, end)
    area_order = {area.value: i for i, area in enumerate(Area)}
    milestones = sorted(initiative.milestones.all(), key=lambda m: (m.phase, area_order.get(m.area, 99)))
    reached = [
        m
        for m in milestones
        if m.status == MilestoneStatus.DONE and m.updated_at and low <= m.updated_at <= high
    ]
    transitions = initiative.phase_transitions.filter(at__range=(low, high)).order_by("at")
    data = {
        "phase": initiative.phase,
        "phase_label": str(Phase(initiative.phase).label),
        "done": sum(1 for m in milestones if m.status == MilestoneStatus.DONE),
        "total": len(milestones),
        "phases": [
            {
                "phase": phase.value,
                "label": str(phase.label),
                "current": phase.value == initiative.phase,
                "milestones": [
                    {
                        "area": m.get_area_display(),
                        "title": str(m.title),
                        "status": m.status,
                        "status_label": m.get_status_display(),
                        "evidence": m.evidence,
                    }
                    for m in milestones
                    if m.phase == phase.value
                ],
            }
            for phase in Phase
        ],
        "reached": [{"title": str(m.title), "phase": m.phase, "when": _day(m.updated_at)} for m in reached],
        "transitions": [
            {
                "from": str(Phase(t.from_phase).label),
                "to": str(Phase(t.to_phase).label),
                "when": _day(t.at),
                "reason": t.reason,
            }
            for t in transitions
        ],
    }
    return ReportSection(
        "lifecycle", _("Lifecycle phase and milestones"), data, "communication/report/lifecycle.html", 10
    )


def agenda_section(initiative: Initiative, start: date, end: date) -> ReportSection:
    from agenda import selectors as agenda_selectors
    from agenda import services as agenda_services

    version = agenda_selectors.latest_with_parts(initiative)
    data: dict = {"version": None}
    if version is not None:
        adoption = agenda_services.adoption_state(version)
        data = {
            "version": {
                "label": version.label,
                "kind": version.get_kind_display(),
                "published": _day(version.published_at),
                "adopted": _day(version.adopted_at),
                "goal": version.goal,
                "strategies": [s.title for s in version.strategy_items.all()],
            },
            "adoption": {k: adoption[k] for k in ("steering_total", "endorsed", "declined", "needed", "met")},
            "endorsements": [
                {
                    "name": _name(e.user),
                    "organization": e.organization.name,
                    "decision": e.decision,
                    "decision_label": e.get_decision_display(),
                    "comment": e.comment,
                    "when": _day(e.updated_at),
                }
                for e in version.endorsements.all()
            ],
        }
    return ReportSection("agenda", _("Common agenda"), data, "communication/report/agenda.html", 20)


def meetings_section(initiative: Initiative, start: date, end: date) -> ReportSection:
    low, high = _window(start, end)
    meetings = (
        initiative.meetings.filter(starts_at__range=(low, high))
        .annotate(
            invited=Count("attendances", distinct=True),
            attended=Count(
                "attendances", filter=Q(attendances__status=AttendanceStatus.ATTENDED), distinct=True
            ),
            organizations=Count(
                "attendances__organization",
                filter=Q(attendances__status=AttendanceStatus.ATTENDED),
                distinct=True,
            ),
            decision_count=Count("decisions", distinct=True),
        )
        .order_by("starts_at")
    )
    rows: list[dict] = [
        {
            "when": _day(m.starts_at),
            "title": m.title,
            "body": m.body_label,
            "invited": m.invited,
            "attended": m.attended,
            "organizations": m.organizations,
            "decisions": m.decision_count,
        }
        for m in meetings
    ]
    actions = initiative.action_items.aggregate(
        done=Count("pk", filter=Q(completed_at__range=(low, high))),
        due=Count("pk", filter=Q(due_on__range=(start, end))),
    )
    data = {
        "meetings": rows,
        "count": len(rows),
        "attended": sum(r["attended"] for r in rows),
        "invited": sum(r["invited"] for r in rows),
        "actions_done": actions["done"],
        "actions_due": actions["due"],
    }
    return ReportSection("meetings", _("Meetings"), data, "communication/report/meetings.html", 30)


def decisions_section(initiative: Initiative, start: date, end: date) -> ReportSection:
    decisions = (
        initiative.decisions.filter(decided_on__range=(start, end))
        .prefetch_related("measures", "documents")
        .order_by("decided_on", "id")
    )
    rows = []
    for d in decisions:
        measures = [f"{m.code} — {m.name}" for m in d.measures.all()]
        documents = [doc.title for doc in d.documents.all()]
        rows.append(
            {
                "when": _day(d.decided_on),
                "title": d.title,
                "body": d.body_label,
                "measures": measures,
                "documents": documents,
                "links": list(d.links),
                "based_on_data": bool(measures or documents or d.links),
            }
        )
    data = {
        "decisions": rows,
        "count": len(rows),
        "based_on_data": sum(1 for r in rows if r["based_on_data"]),
        "based_on_measures": sum(1 for r in rows if r["measures"]),
    }
    return ReportSection("decisions", _("Decisions"), data, "communication/report/decisions.html", 40)


def updates_section(initiative: Initiative, start: date, end: date) -> ReportSection:
    low, high = _window(start, end)
    posts = initiative.posts.filter(created_at__range=(low, high))
    highlights = posts.filter(Q(kind=PostKind.SUCCESS) | Q(shared_externally=True)).order_by("created_at")
    data = {
        "count": posts.count(),
        "external": posts.filter(shared_externally=True).count(),
        "highlights": [
            {
                "when": _day(p.created_at),
                "title": p.title,
                "kind": p.kind,
                "kind_label": p.get_kind_display(),
                "external": p.shared_externally,
                "excerpt": plain_text(p.body, 280),
            }
            for p in highlights
        ],
    }
    return ReportSection("updates", _("Successes and updates"), data, "communication/report/updates.html", 50)


def measures_section(initiative: Initiative, start: date, end: date) -> ReportSection | None:
    """The curves of the shared measures up to the end of the period: approved, complete periods
    only (as the public report card), drawn as static SVG charts (communication.charts) so that
    the frozen report and its PDF carry them. None when no measure has a figure yet."""
    from ci_platform.i18n_format import period_label
    from measurement.dashboards import readers
    from measurement.periods import parse_period

    groups, _run = readers.measure_cards(initiative, complete_only=True, last=end)
    seen, rows = set(), []
    for card in (c for g in groups for c in g.cards):
        if card.measure.pk in seen:
            continue
        seen.add(card.measure.pk)
        points = [
            {"period": code, "label": period_label(code), "value": value, "target": target}
            for code, (value, target) in card.rows
            if (span := parse_period(code)) is None or span.end <= end
        ]
        if not any(p["value"] is not None for p in points):
            continue
        latest = next((p for p in reversed(points) if p["value"] is not None), None)
        rows.append(
            {
                "code": card.measure.code,
                "name": card.measure.name,
                "level": card.level,
                "points": points,
                "latest": latest["value"] if latest else None,
                "latest_label": latest["label"] if latest else "",
            }
        )
    if not rows:
        return None
    return ReportSection(
        "measures", _("Shared measures"), {"measures": rows}, "communication/report/measures.html", 25
    )


def own_sections(
    initiative: Initiative, *, start: date, end: date, previous: dict | None
) -> list[ReportSection]:
    sections = [
        lifecycle_section(initiative, start, end),
        agenda_section(initiative, start, end),
        measures_section(initiative, start, end),
        meetings_section(initiative, start, end),
        decisions_section(initiative, start, end),
        updates_section(initiative, start, end),
    ]
    return [s for s in sections if s is not None]


# --- Assembling -------------------------------------------------------------------------------------


def collect_sections(
    initiative: Initiative, *, start: date, end: date, previous: dict | None
) -> list[ReportSection]:
    sections: list[ReportSection] = []
    for config in apps.get_app_configs():
        offer = getattr(config, "progress_report_sections", None)
        if offer is not None:
            sections.extend(offer(initiative, start=start, end=end, previous=previous))
    return sorted(sections, key=lambda s: (s.order, s.key))


def _jsonable(data):
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def same_figures(figures, words):
    """`words`' text over `figures`' structure and numbers: the second language's sections take
    their labels (phase names, dates, a measure's name) from their own pass, and every number,
    flag and row from the first one, so that both versions of a report show the same figures
    even if data changed between the two passes. Where the two passes differ in shape (a row
    added in between), the first pass's part is kept as it is."""
    if isinstance(figures, dict) and isinstance(words, dict) and figures.keys() == words.keys():
        return {key: same_figures(figures[key], words[key]) for key in figures}
    if isinstance(figures, list) and isinstance(words, list) and len(figures) == len(words):
        return [same_figures(f, w) for f, w in zip(figures, words, strict=True)]
    if isinstance(figures, str) and isinstance(words, str):
        return words
    return figures


def _meta(initiative: Initiative, *, kind: str, year: int, quarter: int, generated_at: datetime) -> dict:
    start, end = period_bounds(kind, year, quarter)
    return {
        "initiative": {"name": initiative.name, "place": initiative.place, "issue": initiative.issue},
        "period": {
            "kind": kind,
            "year": year,
            "quarter": quarter,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "start_label": _day(start),
            "end_label": _day(end),
        },
        "generated_at": generated_at.isoformat(),
    }


def _render(section: ReportSection, data: dict, meta: dict) -> dict:
    html = render_to_string(section.template, {"data": data, "meta": meta, **section.extra})
    return {"key": section.key, "title": str(section.title), "html": html}


def build(
    initiative: Initiative, *, kind: str, year: int, quarter: int, previous: dict | None
) -> tuple[dict, list]:
    """The snapshot (data) and the rendered sections of a report, as of now, in the active language."""
    start, end = period_bounds(kind, year, quarter)
    meta = _meta(initiative, kind=kind, year=year, quarter=quarter, generated_at=timezone.now())
    snapshot = {"meta": meta, "sections": {}}
    rendered = []
    for section in collect_sections(initiative, start=start, end=end, previous=previous):
        data = _jsonable(section.data)
        snapshot["sections"][section.key] = data
        rendered.append(_render(section, data, meta))
    return _jsonable(snapshot), rendered


def build_versions(
    initiative: Initiative, *, kind: str, year: int, quarter: int, previous: dict | None, language: str
) -> tuple[dict, dict[str, list]]:
    """The snapshot, in `language` (the requester's), and the sections rendered in every language
    of the platform from the same figures (see same_figures): {"en": [...], "he": [...]}.

    Each language's labels are the components' own (each section is collected once per language,
    since its data holds translated labels), its numbers those of the first pass."""
    start, end = period_bounds(kind, year, quarter)
    now = timezone.now()
    with translation.override(language):
        meta = _meta(initiative, kind=kind, year=year, quarter=quarter, generated_at=now)
        first = [
            (section, _jsonable(section.data))
            for section in collect_sections(initiative, start=start, end=end, previous=previous)
        ]
        snapshot = _jsonable({"meta": meta, "sections": {s.key: data for s, data in first}})
        versions = {language: [_render(s, data, meta) for s, data in first]}
    figures = {s.key: data for s, data in first}
    for code, _name in settings.LANGUAGES:
        if code == language:
            continue
        with translation.override(code):
            other_meta = same_figures(
                meta, _meta(initiative, kind=kind, year=year, quarter=quarter, generated_at=now)
            )
            other = {s.key: s for s in collect_sections(initiative, start=start, end=end, previous=previous)}
            rendered = []
            for section, _data in first:
                # A section the second pass did not offer is rendered with the first pass's parts.
                words = other.get(section.key, section)
                data = same_figures(figures[section.key], _jsonable(words.data))
                rendered.append(_render(words, data, other_meta))
            versions[code] = rendered
    return snapshot, versions
