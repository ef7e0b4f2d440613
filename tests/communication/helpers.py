"""Building communication data for the tests through the services, as the pages do."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from communication import services
from communication.choices import Body, Visibility
from communication.demo import tiny_pdf
from measurement.choices import Aggregation, Direction, Frequency, Level, Unit, ValueType
from measurement.models import SharedMeasure


def measure(initiative, code: str = "readiness", name: str = "Children ready for school") -> SharedMeasure:
    return SharedMeasure.objects.create(
        initiative=initiative,
        code=code,
        name_en=name,
        definition="Share of five-year-olds assessed ready for school.",
        unit=Unit.PERCENT,
        value_type=ValueType.PERCENT,
        direction=Direction.HIGHER_IS_BETTER,
        level=Level.POPULATION,
        aggregation=Aggregation.MEAN,
        frequency=Frequency.YEARLY,
    )


def meeting(
    world, *, days: int = -7, invitees=None, body: str = Body.STEERING, title: str = "Steering committee"
):
    people = world.people
    return services.meeting_create(
        initiative=world.initiative,
        by=people["backbone"],
        title=title,
        body=body,
        starts_at=timezone.now() + timedelta(days=days),
        location="City hall",
        agenda_items=["Welcome", "Data review"],
        invitees=invitees if invitees is not None else [people["steering"], people["partner"]],
    )


def decision(world, *, measures=(), meeting_obj=None, title: str = "Focus on ages 3 to 6", **extra):
    return services.decision_record(
        initiative=world.initiative,
        by=world.people["backbone"],
        title=title,
        decided_on=timezone.localdate(),
        meeting=meeting_obj,
        measures=measures,
        **extra,
    )


def pdf_upload(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf("Test", ["A line"]), content_type="application/pdf")


def docx_upload(name: str = "notes.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def private_document(world, *, members=None):
    """A working group's private document: the partner is in the group, the others are not."""
    return services.document_add(
        initiative=world.initiative,
        by=world.people["backbone"],
        title="Early literacy: private work plan",
        upload=pdf_upload("plan.pdf"),
        visibility=Visibility.GROUP,
        group_name="Early literacy working group",
        group_members=members if members is not None else [world.people["partner"]],
    )


def measured(world):
    """A shared measure `children`, broken down by area, approved for 2024 and 2025 by two
    organisations (a total of 70 each year), computed, on the published report card: what a
    report's curve and the report card's PDF are drawn from."""
    from datetime import date

    from measurement import services as measurement
    from measurement.aggregation import runs as aggregates
    from measurement.models import ReportCard

    w, by = world, world.people["backbone"]
    area = measurement.dimension_create(
        initiative=w.initiative,
        by=by,
        code="area",
        name_en="Area",
        name_he="",
        members=[("north", "North", ""), ("south", "South", "")],
    )
    children = measurement.measure_save(
        initiative=w.initiative,
        by=by,
        code="children",
        name_en="children",
        definition="d",
        level=Level.POPULATION,
        unit=Unit.COUNT,
        value_type=ValueType.INTEGER,
        direction=Direction.HIGHER_IS_BETTER,
        frequency=Frequency.YEARLY,
        aggregation=Aggregation.SUM,
        dimensions=[area],
    )
    measurement.periods_ensure(
        initiative=w.initiative,
        by=by,
        frequency=Frequency.YEARLY,
        first=date(2024, 1, 1),
        last=date(2025, 12, 31),
    )
    measurement.assignments_set(
        initiative=w.initiative,
        by=by,
        pairs={(w.orgs["partner"].pk, children.pk), (w.orgs["funder"].pk, children.pk)},
    )
    north, south = area.members.order_by("order")
    for org, (n, s) in (("partner", ("40", "3")), ("funder", ("25", "2"))):
        for period in w.initiative.periods.all():
            submission = measurement.submission_for(
                initiative=w.initiative, organization=w.orgs[org], period=period, by=by
            )
            measurement.values_save(
                submission=submission,
                by=by,
                raw={(children.pk, north.pk, None): n, (children.pk, south.pk, None): s},
                submit=True,
            )
            measurement.submission_approve(submission=submission, by=by)
    run = aggregates.rebuild_start(w.initiative)
    aggregates.rebuild_measure(run.pk, children.pk)
    card = ReportCard.objects.create(
        initiative=w.initiative, published=True, title="Our report card", suppression_threshold=10
    )
    card.measures.set([children])
    w.children = children
    return w
