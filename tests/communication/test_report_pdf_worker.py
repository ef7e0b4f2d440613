"""A progress report generated and printed to PDF by a real Celery worker through Redis, against the
test database: the worker renders both languages and stores both PDFs where the site reads them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db.models import Q
from django.utils import translation

from communication import services
from communication.choices import PeriodKind
from communication.models import ProgressReport

from ..conftest import wait_for
from .helpers import measured
from .test_report_pdf import _fonts, _pdf_text

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dash_world(world):
    return measured(world)  # a measure with approved figures (2024, 2025: 70) on the published report card


def test_a_real_worker_generates_the_report_and_prints_it_in_both_languages(dash_world, celery_worker):
    _mail_dir, worker_log = celery_worker
    with translation.override("he"):
        report = services.report_request(
            initiative=dash_world.initiative,
            by=dash_world.people["backbone"],
            period_kind=PeriodKind.YEAR,
            year=2025,
        )
    printed = ProgressReport.objects.filter(pk=report.pk).exclude(Q(pdf_en="") | Q(pdf_he=""))
    assert wait_for(printed.exists, timeout=180), Path(worker_log).read_text()[-3000:]
    report.refresh_from_db()
    assert report.languages == ["en", "he"] and report.language == "he"
    reader, text = _pdf_text(report.pdf_he.open("rb").read())
    assert "דוח התקדמות" in text and "70" in text
    assert any("Nachlieli-CLM" in name for name in _fonts(reader))
    _reader, english = _pdf_text(report.pdf_en.open("rb").read())
    assert "Progress report" in english and "Shared measures" in english
    log = Path(worker_log).read_text()
    assert "progress_report_generate_task" in log and log.count("progress_report_pdf_task") >= 2
