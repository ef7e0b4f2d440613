"""The network figures task: thin (a wave id in, the service does the work), its failures
recorded on the status row, and a real worker computing them through Redis."""

import pytest

from workgroups import network, services
from workgroups.choices import MetricsStatus
from workgroups.models import NetworkMetrics
from workgroups.tasks import network_metrics_compute_task

from ..conftest import wait_for
from .conftest import answer


@pytest.mark.django_db
def test_closing_a_wave_computes_its_figures_in_process(wg, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        wave = services.wave_close(wave=wg.open_wave, by=wg.people["backbone"])
    metrics = NetworkMetrics.objects.get(wave=wave)
    assert (metrics.status, metrics.ties, metrics.respondents) == (MetricsStatus.DONE, 1, 1)
    assert metrics.previous_wave == wg.closed_wave
    assert metrics.graph["edges"] == [
        {
            "source": min(wg.orgs["partner"].pk, wg.orgs["funder"].pk),
            "target": max(wg.orgs["partner"].pk, wg.orgs["funder"].pk),
            "frequency": 2,
            "kinds": ["joint_planning"],
            "mutual": False,
        }
    ]


@pytest.mark.django_db
def test_a_failure_is_recorded_on_the_status_row(wg, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("graph library exploded")

    monkeypatch.setattr(network, "figures", broken)
    with pytest.raises(RuntimeError):
        network_metrics_compute_task.apply(args=[wg.closed_wave.pk], throw=True)
    metrics = NetworkMetrics.objects.get(wave=wg.closed_wave)
    assert (metrics.status, metrics.error) == (MetricsStatus.FAILED, "graph library exploded")
    # The figures stored before are kept, not half overwritten.
    assert metrics.ties == 1


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_the_figures_of_a_closed_wave(wg, celery_worker):
    _mail_dir, worker_log = celery_worker
    answer(
        wg.open_wave,
        wg.people["backbone"],
        wg.community,
        [(wg.orgs["partner"], 4, ["joint_programmes"], 5, 5)],
    )
    # wave_close commits on its own (no test transaction here); on commit the task goes to Redis.
    wave = services.wave_close(wave=wg.open_wave, by=wg.people["backbone"])

    def done():
        metrics = NetworkMetrics.objects.filter(wave=wave, status=MetricsStatus.DONE).first()
        return metrics

    metrics = wait_for(done)
    assert metrics is not None, "the worker did not compute the figures:\n" + worker_log.read_text()[-3000:]
    assert (metrics.organizations, metrics.ties, metrics.respondents) == (4, 2, 2)
    assert metrics.density == pytest.approx(2 / 6)
    assert metrics.change["new_ties"] == 2 and metrics.change["lost_ties"] == 1
    assert "network_metrics_compute_task" in worker_log.read_text()
