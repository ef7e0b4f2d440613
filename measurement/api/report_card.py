"""The public report card as data: exactly what the public page shows (measurement.dashboards.readers),
in the request's language. Totals over approved data in complete periods only (a provisional
period is not published); breakdowns with small numbers suppressed; the turn-the-curve story and what works where the backbone
chose to publish them (learning's worksheets, as the page shows them: never partners' roles or the plan)."""

from __future__ import annotations

from ..dashboards import readers


def _points(periods, values) -> list[dict]:
    return [{"period": p, "value": v} for p, v in zip(periods, values, strict=True)]


def as_dict(state: readers.PublicReportCard) -> dict:
    initiative, card, run = state.initiative, state.card, state.run
    breakdowns = {b.measure.pk: b for b in state.breakdowns}
    cards, worksheets = state.cards, state.worksheets
    measures = []
    for c in cards:
        curve, breakdown = c.curve, breakdowns.get(c.measure.pk)
        worksheet = worksheets.get(c.measure.pk)
        measures.append(
            {
                "code": c.measure.code,
                "name": c.measure.name,
                "unit": c.measure.unit,
                "direction": c.measure.direction,
                "baseline": curve.baseline,
                "baseline_period": curve.baseline_period,
                "latest_period": c.latest_period,
                "latest": c.latest,
                "change_previous": c.change_previous,
                "change_baseline": c.change_baseline,
                "on_track": c.on_track,
                "history": _points(curve.history.periods, curve.history.values),
                "targets": [{"period": p, "value": v} for p, v in sorted(curve.targets.items())],
                "forecast": _points(curve.forecast.periods, curve.forecast.values) if curve.forecast else [],
                "breakdown": None
                if breakdown is None
                else {
                    "period": breakdown.period,
                    "dimensions": breakdown.dimensions,
                    "cells": [
                        {"label": label, "value": value, "suppressed": suppressed}
                        for label, value, suppressed in breakdown.cells
                    ],
                },
                "worksheet": None
                if worksheet is None
                else {
                    "period": worksheet.period.code,
                    "story": worksheet.story,
                    "what_works": worksheet.what_works,
                    "updated_at": worksheet.updated_at,
                },
            }
        )
    return {
        "initiative": initiative.slug,
        "name": initiative.name,
        "place": initiative.place,
        "title": card.title or initiative.name,
        "introduction": card.introduction,
        "suppression_threshold": card.suppression_threshold,
        "computed_at": (run.finished_at or run.created_at) if run else None,
        "measures": measures,
    }
