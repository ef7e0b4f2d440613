"""Reads that tolerate lag go to a PostgreSQL read replica; writes and everything else to the
primary (ci_platform/replica.py).

The decisions are checked one by one, then the whole path against a real streaming replica of this
machine's PostgreSQL (pg_basebackup, hot standby on its own port): with the replica's replay
paused, a change made on the primary is absent from the pages and API reads the replica serves and
present on the pages that must read the primary, a write still works, and once replay resumes the
replica's pages catch up.
"""

from __future__ import annotations

import socket
import tempfile
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from ci_platform import replica
from ci_platform.replica import ReplicaRouter, may_read_from_replica
from initiatives.models import Invitation
from loadtest import standby
from measurement import services as measurement_services
from measurement.choices import Aggregation, Direction, Frequency, Level, Unit, ValueType
from measurement.dashboards.views import DashboardView, MeasureDashboardView, PublicReportCardView
from measurement.models import SharedMeasure
from measurement.views import EntryView, MeasureFormView

from .conftest import IN_CI

PG_BIN = Path("/usr/lib/postgresql")


def _view(cls):
    return cls.as_view()


class TestWhichRequestsMayUseTheReplica:
    @pytest.mark.parametrize("cls", [DashboardView, MeasureDashboardView, PublicReportCardView])
    def test_dashboards_and_the_report_card_may(self, cls):
        assert may_read_from_replica(_view(cls), "GET")
        assert may_read_from_replica(_view(cls), "HEAD")

    @pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
    def test_never_a_write(self, method):
        assert not may_read_from_replica(_view(DashboardView), method)

    @pytest.mark.parametrize("cls", [EntryView, MeasureFormView])
    def test_not_the_pages_that_show_what_their_reader_saved(self, cls):
        assert not may_read_from_replica(_view(cls), "GET")

    def test_api_reads_may_and_an_api_view_can_say_no(self):
        from rest_framework.views import APIView

        class Reads(APIView):
            pass

        class MustBeFresh(APIView):
            replica_reads = False

        assert may_read_from_replica(Reads.as_view(), "GET")
        assert not may_read_from_replica(Reads.as_view(), "POST")
        assert not may_read_from_replica(MustBeFresh.as_view(), "GET")


class TestTheRouter:
    @pytest.fixture
    def marked(self, monkeypatch):
        monkeypatch.setattr(replica, "configured", lambda: True)
        token = replica._reading.set(True)
        yield
        replica._reading.reset(token)

    def test_a_marked_read_goes_to_the_replica(self, marked):
        assert ReplicaRouter().db_for_read(SharedMeasure) == "replica"

    def test_unmarked_reads_and_every_write_go_to_the_primary(self, monkeypatch):
        monkeypatch.setattr(replica, "configured", lambda: True)
        assert ReplicaRouter().db_for_read(SharedMeasure) == "default"
        token = replica._reading.set(True)
        try:
            assert ReplicaRouter().db_for_write(SharedMeasure) == "default"
        finally:
            replica._reading.reset(token)

    def test_without_a_replica_configured_everything_is_the_primary(self, monkeypatch):
        monkeypatch.setattr(replica, "configured", lambda: False)
        token = replica._reading.set(True)
        try:
            assert ReplicaRouter().db_for_read(SharedMeasure) == "default"
        finally:
            replica._reading.reset(token)

    def test_who_the_reader_is_comes_from_the_primary(self, marked, django_user_model):
        from django.contrib.sessions.models import Session

        from initiatives.models import ApiToken

        for model in (Session, django_user_model, ApiToken):
            assert ReplicaRouter().db_for_read(model) == "default", model

    @pytest.mark.django_db(transaction=True)
    def test_a_read_inside_a_transaction_goes_to_the_primary(self, marked):
        assert ReplicaRouter().db_for_read(SharedMeasure) == "replica"
        with transaction.atomic():
            assert ReplicaRouter().db_for_read(SharedMeasure) == "default"

    def test_nothing_is_migrated_on_the_replica(self):
        assert ReplicaRouter().allow_migrate("default", "measurement")
        assert not ReplicaRouter().allow_migrate("replica", "measurement")


# --- A real streaming replica ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable() -> str | None:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL"
    return standby.unavailable()


@pytest.fixture(scope="module")
def streaming_replica(django_db_blocker):
    """A hot standby of the server the tests use, on its own port, for this module."""
    reason = _unavailable()
    if reason:
        if IN_CI:
            pytest.fail(f"the replica test {reason} under CI")
        pytest.skip(reason)
    with django_db_blocker.unblock():
        params = connection.get_connection_params()
    data = Path(tempfile.mkdtemp(prefix="ci-replica-"))
    port = _free_port()
    try:
        try:
            standby.start(
                primary_host=params.get("host") or "127.0.0.1",
                primary_port=params.get("port") or 5432,
                port=port,
                data=data,
            )
        except standby.StandbyError as error:
            pytest.fail(str(error))
        yield port
    finally:
        standby.stop(data)


@pytest.fixture(scope="module")
def replica_alias(streaming_replica):
    """The `replica` alias, pointing at the standby's copy of the test database (a mirror of
    `default` to the test framework: never flushed, never created). Module-scoped, so that it
    exists before the test's database set-up checks the aliases the test asks for."""
    default = connections["default"].settings_dict
    config = {**default, "HOST": "127.0.0.1", "PORT": str(streaming_replica), "CONN_MAX_AGE": 0}
    config["TEST"] = {**default["TEST"], "MIRROR": "default"}
    connections.settings[replica.REPLICA] = config
    yield connections[replica.REPLICA]
    connections[replica.REPLICA].close()
    del connections[replica.REPLICA]
    del connections.settings[replica.REPLICA]


@pytest.fixture
def replica_configured(replica_alias, monkeypatch):
    monkeypatch.setattr(replica, "configured", lambda: True)
    return replica_alias


def _caught_up(replica_connection) -> None:
    with connection.cursor() as primary, replica_connection.cursor() as copy:
        standby.wait_caught_up(primary, copy)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_dashboards_and_api_reads_are_served_by_the_replica_and_writes_by_the_primary(
    replica_configured, world, client
):
    replica_alias = replica_configured
    initiative, backbone = world.initiative, world.people["backbone"]
    measure = measurement_services.measure_save(
        initiative=initiative,
        by=backbone,
        code="ready",
        name_en="Children ready for school",
        definition="Share of children assessed as ready.",
        level=Level.POPULATION,
        unit=Unit.PERCENT,
        value_type=ValueType.PERCENT,
        direction=Direction.HIGHER_IS_BETTER,
        frequency=Frequency.YEARLY,
        aggregation=Aggregation.MEAN,
    )
    client.force_login(backbone)
    dashboard = reverse(
        "measurement:measure_dashboard", kwargs={"slug": initiative.slug, "code": measure.code}
    )
    api = f"/api/v1/initiatives/{initiative.slug}/measures/"
    form = reverse("measurement:measure_edit", kwargs={"slug": initiative.slug, "code": measure.code})

    _caught_up(replica_alias)
    with replica_alias.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # a standby, not the primary under another name
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        SharedMeasure.objects.filter(pk=measure.pk).update(name_en="Renamed on the primary")

        page = client.get(dashboard)
        assert page.status_code == 200
        assert "Children ready for school" in page.content.decode()
        assert "Renamed on the primary" not in page.content.decode()
        listed = client.get(api)
        assert listed.status_code == 200
        assert [m["name_en"] for m in listed.json()["results"]] == ["Children ready for school"]

        # The pages that show what their reader has just saved read the primary.
        assert "Renamed on the primary" in client.get(form).content.decode()
        # And a write goes to the primary while the replica is paused (a write on a standby fails).
        response = client.post(
            reverse("initiatives:invite", kwargs={"slug": initiative.slug}),
            {"email": "new.partner@example.org", "role": "viewer", "organization": world.orgs["partner"].pk},
        )
        assert response.status_code == 302, response.content[:500]
        assert Invitation.objects.filter(initiative=initiative, email="new.partner@example.org").exists()
    finally:
        with replica_alias.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")

    _caught_up(replica_alias)
    assert "Renamed on the primary" in client.get(dashboard).content.decode()
