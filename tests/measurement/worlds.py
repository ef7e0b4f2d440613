"""One small measured world shared by the dashboard, embed and report tests: `children`, broken
down by area, approved for 2024 and 2025 by two organisations (a total of 70 each year), computed,
on the published report card."""

from __future__ import annotations

from datetime import date

from measurement import services
from measurement.aggregation import runs
from measurement.choices import Aggregation, Direction, Frequency, Level, Unit, ValueType
from measurement.models import ReportCard


def measure(w, code, **extra):
    fields = {
        "name_en": code,
        "definition": "d",
        "level": Level.POPULATION,
        "unit": Unit.COUNT,
        "value_type": ValueType.INTEGER,
        "direction": Direction.HIGHER_IS_BETTER,
        "frequency": Frequency.YEARLY,
        "aggregation": Aggregation.SUM,
    }
    fields.update(extra)
    return services.measure_save(initiative=w.initiative, by=w.people["backbone"], code=code, **fields)


def published_card_world(world):
    w, by = world, world.people["backbone"]
    area = services.dimension_create(
        initiative=w.initiative,
        by=by,
        code="area",
        name_en="Area",
        name_he="",
        members=[("north", "North", ""), ("south", "South", "")],
    )
    children = measure(w, "children", dimensions=[area])
    services.periods_ensure(
        initiative=w.initiative,
        by=by,
        frequency=Frequency.YEARLY,
        first=date(2024, 1, 1),
        last=date(2025, 12, 31),
    )
    services.assignments_set(
        initiative=w.initiative,
        by=by,
        pairs={(w.orgs["partner"].pk, children.pk), (w.orgs["funder"].pk, children.pk)},
    )
    north, south = area.members.order_by("order")
    for org, (n, s) in (("partner", ("40", "3")), ("funder", ("25", "2"))):
        for period in w.initiative.periods.all():
            submission = services.submission_for(
                initiative=w.initiative, organization=w.orgs[org], period=period, by=by
            )
            services.values_save(
                submission=submission,
                by=by,
                raw={(children.pk, north.pk, None): n, (children.pk, south.pk, None): s},
                submit=True,
            )
            services.submission_approve(submission=submission, by=by)
    run = runs.rebuild_start(w.initiative)
    runs.rebuild_measure(run.pk, children.pk)
    card = ReportCard.objects.create(
        initiative=w.initiative, published=True, title="Our report card", suppression_threshold=10
    )
    card.measures.set([children])
    w.children = children
    return w


def submitted(world):
    """A partner's submitted value in the world's initiative: (submission, backbone person)."""
    w, by = world, world.people["backbone"]
    hours = measure(w, "hours", name_en="Hours", level=Level.PROCESS)
    services.periods_ensure(
        initiative=w.initiative,
        by=by,
        frequency=Frequency.YEARLY,
        first=date(2025, 1, 1),
        last=date(2025, 12, 31),
    )
    services.assignments_set(initiative=w.initiative, by=by, pairs={(w.orgs["partner"].pk, hours.pk)})
    period = w.initiative.periods.get()
    submission = services.submission_for(
        initiative=w.initiative, organization=w.orgs["partner"], period=period, by=by
    )
    services.values_save(submission=submission, by=by, raw={(hours.pk, None, None): "17"}, submit=True)
    return submission, by
