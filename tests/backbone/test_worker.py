"""A real Celery worker process computes the scores and sends the invitations, through Redis,
against the test database (PostgreSQL)."""

from pathlib import Path

import pytest

from backbone import services
from backbone.choices import RespondentGroup
from backbone.models import IndicatorScore, ScoreRun

from ..conftest import sent_emails, wait_for
from .helpers import answer, invite, make_wave, open_wave

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("catalogue"),
]


def test_closing_a_wave_has_a_real_worker_compute_the_scores(world, celery_worker):
    _mail_dir, worker_log = celery_worker
    wave = make_wave(world, "partner-10")
    people = invite(world, wave, RespondentGroup.PARTNER, 5)
    open_wave(world, wave)
    for person, rating in zip(people, (5, 4, 4, 3, 2), strict=True):
        answer(person, rating)
    services.wave_close(wave=wave, by=world.people["backbone"])  # its own transaction: on commit -> Redis
    run = wait_for(lambda: ScoreRun.objects.filter(initiative=world.initiative, status="done").first())
    assert run is not None, "no recompute finished:\n" + Path(worker_log).read_text()[-3000:]
    assert run.trigger == "wave_closed"
    score = IndicatorScore.objects.get(
        period__code="2025-H1", indicator__number=10, indicator__initiative=None
    )
    assert float(score.score) == 65.0 and score.responses == 5
    assert "backbone.tasks.scores_recompute_task" in Path(worker_log).read_text()


def test_invitations_are_emailed_by_a_real_worker(world, celery_worker):
    mail_dir, worker_log = celery_worker
    wave = make_wave(world, "community-18")
    invite(world, wave, RespondentGroup.COMMUNITY, 2, prefix="resident")
    services.wave_send(wave=wave, by=world.people["backbone"])
    mails = wait_for(lambda: sent_emails(Path(mail_dir)))
    assert mails, "no email was written by the worker:\n" + Path(worker_log).read_text()[-3000:]
    wait_for(lambda: not wave.respondents.filter(invited_at=None).exists())
    text = "".join(sent_emails(Path(mail_dir)))
    assert "resident0@example.org" in text and "resident1@example.org" in text
    assert f"/initiatives/{world.initiative.slug}/backbone/respond/" in text
