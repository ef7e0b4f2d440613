"""The broker down when work is queued after a commit: the request still succeeds (no 500 for data
that is saved), the row says the work is pending, and the beat catch-up tasks queue it once the
broker is back. tests/faults/test_redis_down.py does the same for the aggregates with a real Redis
address where nothing listens; here the broker's refusal is kombu's own error, raised by every
publish, so that each service is checked quickly and in isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.app.task import Task
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from backbone import services as backbone_services
from backbone.choices import RespondentGroup
from backbone.models import ScoreRun
from backbone.tasks import backbone_catch_up_task
from communication import services as communication_services
from communication.choices import PeriodKind, ReportStatus
from communication.models import ProgressReport
from communication.tasks import reports_catch_up_task
from initiatives import services as initiative_services
from initiatives.choices import Role
from initiatives.models import Invitation
from workgroups import services as workgroup_services
from workgroups.choices import MetricsStatus
from workgroups.models import NetworkMetrics
from workgroups.tasks import network_metrics_catch_up_task

from ..backbone.helpers import PERIOD, invite, make_wave, open_wave
from ..communication.test_reports import this_quarter
from ..workgroups.conftest import wg  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


@pytest.fixture
def broker_down(monkeypatch):
    """Every publish fails as kombu fails when Redis does not answer; returns what was attempted."""
    attempted = []

    def refuse(self, args=None, kwargs=None, **options):
        attempted.append(self.name)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refuse)
    return attempted


def _age(queryset, field: str) -> None:
    queryset.update(**{field: timezone.now() - HOUR})


def test_a_score_recompute_is_saved_as_queued_and_caught_up(
    world, broker_down, monkeypatch, eager_tasks, django_capture_on_commit_callbacks
):
    backbone_services.period_ensure(initiative=world.initiative, code=PERIOD)
    with django_capture_on_commit_callbacks(execute=True):
        run = backbone_services.scores_recompute_request(
            initiative=world.initiative, by=world.people["backbone"]
        )
    assert broker_down == ["backbone.tasks.scores_recompute_task"]
    assert ScoreRun.objects.get(pk=run.pk).status == "queued"
    monkeypatch.undo()  # the broker is back
    assert backbone_catch_up_task(older_than_seconds=600) == 0  # too young: its own task may be coming
    _age(ScoreRun.objects.filter(pk=run.pk), "created_at")
    assert backbone_catch_up_task(older_than_seconds=600) == 1
    assert ScoreRun.objects.get(pk=run.pk).status == "done"
    assert backbone_catch_up_task(older_than_seconds=600) == 0  # nothing twice


def test_survey_invitations_wait_unsent_and_go_once_the_broker_is_back(
    world, broker_down, monkeypatch, eager_tasks, django_capture_on_commit_callbacks
):
    wave = make_wave(world, "partner-10")
    invite(world, wave, RespondentGroup.PARTNER, 2, prefix="p")
    with django_capture_on_commit_callbacks(execute=True):
        assert backbone_services.wave_send(wave=wave, by=world.people["backbone"]) == 2
    assert broker_down == ["backbone.tasks.survey_invitations_send_task"]
    assert mail.outbox == [] and wave.respondents.filter(invited_at=None).count() == 2
    monkeypatch.undo()
    _age(type(wave).objects.filter(pk=wave.pk), "opened_at")
    assert backbone_catch_up_task(older_than_seconds=600) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@example.org", "p1@example.org"]
    assert backbone_catch_up_task(older_than_seconds=600) == 0


def test_a_reminder_or_an_invitation_that_cannot_be_queued_is_no_error(
    world, broker_down, django_capture_on_commit_callbacks
):
    wave = make_wave(world, "partner-10")
    invite(world, wave, RespondentGroup.PARTNER, 1, prefix="p")
    open_wave(world, wave)
    with django_capture_on_commit_callbacks(execute=True):
        backbone_services.wave_remind(wave=wave, by=world.people["backbone"])
        invitation, _token = initiative_services.invitation_create(
            initiative=world.initiative,
            by=world.people["backbone"],
            email="newcomer@example.org",
            role=Role.STEERING,
            organization=world.orgs["funder"],
        )
    assert "backbone.tasks.survey_reminders_send_task" in broker_down
    assert "initiatives.tasks.invitation_send_task" in broker_down
    # Nothing marked as done: the reminder can be asked for again, the invitation is still pending.
    assert wave.respondents.get().reminders == 0
    assert Invitation.objects.filter(pk=invitation.pk, accepted_at=None).exists()


def test_a_progress_report_stays_pending_and_is_generated_later(
    world, broker_down, monkeypatch, eager_tasks, django_capture_on_commit_callbacks
):
    year, quarter = this_quarter()
    with django_capture_on_commit_callbacks(execute=True):
        report = communication_services.report_request(
            initiative=world.initiative,
            by=world.people["backbone"],
            period_kind=PeriodKind.QUARTER,
            year=year,
            quarter=quarter,
        )
    assert broker_down == ["communication.tasks.progress_report_generate_task"]
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.PENDING
    monkeypatch.undo()
    assert reports_catch_up_task(older_than_seconds=600) == 0
    _age(ProgressReport.objects.filter(pk=report.pk), "requested_at")
    assert reports_catch_up_task(older_than_seconds=600) == 1
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.READY


def test_network_figures_of_a_wave_closed_while_the_broker_is_down_are_computed_later(
    wg,  # noqa: F811 - the fixture imported above
    broker_down,
    monkeypatch,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        wave = workgroup_services.wave_close(wave=wg.open_wave, by=wg.people["backbone"])
    assert broker_down == ["workgroups.tasks.network_metrics_compute_task"]
    assert NetworkMetrics.objects.get(wave=wave).status == MetricsStatus.PENDING
    monkeypatch.undo()
    _age(NetworkMetrics.objects.filter(wave=wave), "requested_at")
    assert network_metrics_catch_up_task(older_than_seconds=600) == 1
    assert NetworkMetrics.objects.get(wave=wave).status == MetricsStatus.DONE


def test_the_catch_up_tasks_are_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "backbone.tasks.backbone_catch_up_task",
        "communication.tasks.reports_catch_up_task",
        "workgroups.tasks.network_metrics_catch_up_task",
        "measurement.tasks.aggregates_catch_up_task",
    } <= tasks
