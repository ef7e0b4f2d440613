"""Dashboards and the public report card: permissions, query counts, suppression, no leaks."""

import re

import pytest
from django.urls import reverse

from measurement import services
from measurement.aggregation import runs
from measurement.models import ReportCard
from tests.queries import assert_queries_constant

from ..permission_matrix import (
    BACKBONE_ONLY,
    EVERY_MEMBER,
    Endpoint,
    build_world,
    check_permission,
    module_world,
    permission_cases,
)
from .worlds import measure, published_card_world

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
dash_world_once, dash_world = module_world("dash_world", lambda: published_card_world(build_world()))


def page(name, **kwargs):
    return lambda w: reverse(name, kwargs={"slug": w.initiative.slug, **kwargs})


PAGES = [
    Endpoint("dashboard", page("measurement:dashboard"), EVERY_MEMBER),
    Endpoint("measure-dashboard", page("measurement:measure_dashboard", code="children"), EVERY_MEMBER),
    Endpoint("completeness", page("measurement:completeness"), BACKBONE_ONLY),
    Endpoint("recompute", page("measurement:recompute"), BACKBONE_ONLY, method="post", ok=(302,)),
    Endpoint("report-card-settings", page("measurement:report_card_settings"), BACKBONE_ONLY),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(PAGES))
def test_dashboard_permissions(client, dash_world, endpoint, persona, eager_tasks):
    check_permission(client, dash_world, endpoint, persona)


@pytest.mark.django_db
def test_dashboard_shows_every_measure_with_its_chart(client, dash_world):
    client.force_login(dash_world.people["steering"])
    body = client.get(reverse("measurement:dashboard", kwargs={"slug": "c2c"})).content.decode()
    assert 'data-measure="children"' in body
    assert 'id="fig-children"' in body and 'data-figure="fig-children"' in body
    assert ">70<" in body  # 2025 total: 40 + 3 + 25 + 2


@pytest.mark.django_db
def test_named_organisations_only_for_those_who_see_raw_values(client, dash_world):
    url = reverse("measurement:measure_dashboard", kwargs={"slug": "c2c", "code": "children"})
    client.force_login(dash_world.people["steering"])
    assert "Partner Org" not in client.get(url).content.decode()
    client.force_login(dash_world.people["backbone"])
    assert "Partner Org" in client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["measurement:dashboard", "measurement:completeness"])
def test_dashboard_query_count_is_constant(client, dash_world, name):
    w, by = dash_world, dash_world.people["backbone"]
    client.force_login(by)
    url = reverse(name, kwargs={"slug": "c2c"})

    def page():
        assert client.get(url).status_code == 200

    def grow():
        for n in range(4):
            m = measure(w, f"extra{n}")
            services.assignments_set(
                initiative=w.initiative,
                by=by,
                pairs=set(w.initiative.assignments.values_list("organization_id", "measure_id"))
                | {(w.orgs["partner"].pk, m.pk)},
            )
        runs.update(
            w.initiative.pk,
            list(w.initiative.measures.values_list("pk", flat=True)),
            w.initiative.periods.first().pk,
        )

    assert_queries_constant(page, grow, exact=True)


@pytest.mark.django_db
def test_public_report_card_needs_no_login_and_suppresses_small_cells(client, dash_world):
    response = client.get("/public/c2c/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Our report card" in body
    # Latest period 2025: North 40 + 25 = 65 shown; South 3 + 2 = 5 < 10 hidden.
    assert re.search(r"<bdi>North</bdi></th><td class=\"number text-end\">65<", body)
    assert 'data-suppressed="true"' in body and ">5<" not in body
    # Nothing else of the initiative is linked from it.
    assert "/initiatives/c2c/" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "he"])
def test_a_public_breakdown_names_its_dimension_and_keeps_its_members_order(client, dash_world, language):
    """The table was headed "Breakdown" over members whose names may not say what they are ("ד'",
    "Under 18"), sorted alphabetically rather than in the dimension's own order."""
    from measurement.models import Dimension, DimensionMember

    Dimension.objects.filter(code="area").update(name_he="אזור")
    DimensionMember.objects.filter(code="south").update(name_en="Across the river", name_he="אחרי הנהר")
    client.cookies["django_language"] = language
    body = client.get("/public/c2c/").content.decode()
    table = body[body.index('<table class="table table-sm bg-body caption-top') :]
    table = table[: table.index("</table>")]
    area, across = ("Area", "Across the river") if language == "en" else ("אזור", "אחרי הנהר")
    assert f'<th scope="col"><bdi>{area}</bdi></th>' in table
    assert table.index("North") < table.index(across)  # North is the first member, as on the grid


@pytest.mark.django_db
def test_unpublished_report_card_is_404(client, dash_world):
    ReportCard.objects.filter(initiative=dash_world.initiative).update(published=False)
    assert client.get("/public/c2c/").status_code == 404
    assert client.get("/public/other/").status_code == 404
    assert client.get("/public/no-such/").status_code == 404


@pytest.mark.django_db
def test_a_double_click_on_recompute_queues_one_rebuild(
    client, dash_world, django_capture_on_commit_callbacks
):
    """The run is created in the request's transaction and its task queued on commit: a second
    request while it is queued returns it instead of queuing another full rebuild."""
    from unittest import mock

    from measurement.models import AggregateRun

    client.force_login(dash_world.people["backbone"])
    url = reverse("measurement:recompute", kwargs={"slug": dash_world.initiative.slug})
    with mock.patch("measurement.tasks.aggregates_rebuild_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post(url, follow=True)
        with django_capture_on_commit_callbacks(execute=True):
            second = client.post(url, follow=True)
    run = AggregateRun.objects.get(kind=AggregateRun.Kind.FULL, status=AggregateRun.Status.QUEUED)
    delay.assert_called_once_with(dash_world.initiative.pk, run.pk)
    assert "A full recomputation is queued." in first.content.decode()
    assert "A recomputation is already queued or running." in second.content.decode()


@pytest.mark.django_db
def test_the_catch_up_only_queues(dash_world):
    """The beat catch-up queues the pending updates and the requested rebuilds; it computes nothing
    itself (the workers do)."""
    from unittest import mock

    from measurement.models import Aggregate, AggregateRun, DirtyAggregate
    from measurement.tasks import aggregates_catch_up_task

    w = dash_world
    period = w.initiative.periods.first()
    DirtyAggregate.objects.all().delete()  # the fixture's approvals: their updates ran in it
    runs.mark_dirty(w.initiative.pk, [w.children.pk], period.pk)
    run, new = services.aggregates_rebuild_request(initiative=w.initiative, by=w.people["backbone"])
    assert new
    before = list(Aggregate.objects.order_by("pk").values_list("pk", "value"))
    with (
        mock.patch("measurement.tasks.aggregates_update_task.delay") as update,
        mock.patch("measurement.tasks.aggregates_rebuild_task.delay") as rebuild,
    ):
        assert aggregates_catch_up_task(older_than_seconds=0) == 2
    update.assert_called_once_with(w.initiative.pk, [w.children.pk], period.pk)
    rebuild.assert_called_once_with(w.initiative.pk, run.pk)
    assert list(Aggregate.objects.order_by("pk").values_list("pk", "value")) == before
    assert DirtyAggregate.objects.filter(applied_at=None).count() == 1  # applied by the queued task
    assert AggregateRun.objects.get(pk=run.pk).status == AggregateRun.Status.QUEUED
