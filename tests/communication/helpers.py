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
    """A measure with approved figures (2024, 2025: 70) on the published report card."""
    from tests.measurement.worlds import published_card_world

    return published_card_world(world)
