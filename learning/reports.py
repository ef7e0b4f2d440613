"""The turn-the-curve conversation in the periodic progress reports (communication.reports): the
worksheets of the reporting periods that end within the report's period, and the stories told in
it. Frozen with the report, as every section is."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from communication.reports import ReportSection
from initiatives.models import Initiative

from .models import CurveStory, CurveWorksheet


def curve_section(initiative: Initiative, start: date, end: date) -> ReportSection:
    worksheets = (
        CurveWorksheet.objects.filter(initiative=initiative, period__end__range=(start, end))
        .select_related("measure", "period")
        .order_by("measure__code", "period__start")
    )
    stories = (
        CurveStory.objects.filter(initiative=initiative, period__end__range=(start, end))
        .select_related("measure", "period", "organization")
        .order_by("measure__code", "period__start", "id")
    )
    data = {
        "worksheets": [
            {
                "measure": w.measure.code,
                "measure_name": w.measure.name,
                "period": w.period.code,
                "story": w.story,
                "what_works": w.what_works,
            }
            for w in worksheets
        ],
        "stories": [
            {
                "measure": s.measure.code,
                "period": s.period.code,
                "title": s.title,
                "text": s.text,
                "organization": s.organization.name if s.organization else "",
            }
            for s in stories
        ],
    }
    return ReportSection("turn_the_curve", _("Turn the curve"), data, "learning/report_curve.html", 60)
