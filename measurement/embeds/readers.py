"""Reads for the embeddable charts: what the public report card shows of one measure, nothing more
(approved data in complete periods only; 404 unless the card is published and lists the measure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import Http404

from initiatives.models import Initiative

from ..dashboards import readers
from ..dashboards.readers import MeasureCard
from ..models import AggregateRun, ReportCard
from ..periods import parse_period

LANGUAGES = ("en", "he")
CODE = re.compile(r"[-a-zA-Z0-9_]+")  # a measure's code is a slug


@dataclass
class Embed:
    initiative: Initiative
    card: ReportCard
    measure: MeasureCard
    run: AggregateRun | None  # the active aggregate run

    @property
    def computed_at(self):
        return (self.run.finished_at or self.run.created_at) if self.run else None

    def rows(self) -> list[dict]:
        """The table behind the chart: every period with a value or a target, oldest first."""
        out = []
        for period, (value, target) in self.measure.rows:
            span = parse_period(period)
            out.append(
                {
                    "period": period,
                    "start": span.start if span else None,
                    "end": span.end if span else None,
                    "value": value,
                    "target": target,
                }
            )
        return out


def published_measure(slug: str, code: str) -> Embed:
    """The measure `code` of the initiative `slug` as its public report card shows it, or Http404
    (no such initiative, no published card, or a measure the card does not list)."""
    if not CODE.fullmatch(code):  # no measure has it (and PostgreSQL refuses some characters)
        raise Http404
    initiative = Initiative.objects.filter(slug=slug).first()
    if initiative is None:
        raise Http404
    card = ReportCard.objects.filter(initiative=initiative, published=True).first()
    if card is None or not card.measures.filter(code=code).exists():
        raise Http404
    groups, run = readers.measure_cards(initiative, codes=[code], complete_only=True)
    cards = [c for g in groups for c in g.cards]
    if not cards:
        raise Http404
    return Embed(initiative=initiative, card=card, measure=cards[0], run=run)


def language_of(value: str | None, default: str) -> str | None:
    """The language asked for by `?lang=`: en or he; None for anything else."""
    if value is None or value == "":
        return default
    return value if value in LANGUAGES else None
