"""Shared measurement's pages and endpoints in the uniform permission matrix, and objects of
another initiative reached through this one's URLs (404, never someone else's data).

Entry pages take the `partner` persona's own organisation (Partner Org): backbone staff and that
partner may enter its data; steering and viewer get 403. The viewer reads on behalf of Partner Org
too, so it may read that organisation's submission (not Partner B's).
"""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from initiatives.choices import Sector
from initiatives.models import Organization
from measurement import services
from measurement.choices import Frequency, SubmissionStatus
from measurement.entry import importer
from measurement.models import DataValue, ImportJob, ReportingPeriod, Submission

from ..permission_matrix import (
    BACKBONE_ONLY,
    EVERY_MEMBER,
    Endpoint,
    check_permission,
    module_world,
    permission_cases,
    sign_in_as,
)
from .conftest import build_mworld, make_measure

ENTERS = frozenset({"backbone", "partner"})
READS_PARTNER_ORG = frozenset({"backbone", "partner", "viewer"})


def _build_perm_world():
    """tests/measurement/conftest.py's `mworld` on the module's world."""
    mworld = build_mworld()
    mworld.world.m = mworld
    return mworld.world


perm_world_once, perm_world = module_world("perm_world", _build_perm_world)


def page(name, **kwargs):
    return lambda w: reverse(f"measurement:{name}", kwargs={"slug": w.initiative.slug, **kwargs})


def entry_page(name, **kwargs):
    def build(w):
        p = w.m.periods["year"]
        return reverse(
            f"measurement:{name}",
            kwargs={
                "slug": w.initiative.slug,
                "org": w.m.org.pk,
                "frequency": p.frequency,
                "period": p.code,
                **kwargs,
            },
        )

    return build


def api(path):
    return lambda w: f"/api/v1/initiatives/{w.initiative.slug}/{path(w) if callable(path) else path}"


def measure_data(code):
    return lambda w: {
        "code": code,
        "name_en": "Mentors matched",
        "name_he": "",
        "definition": "Young people matched with a mentor.",
        "level": "process",
        "unit": "count",
        "value_type": "integer",
        "direction": "up",
        "frequency": "yearly",
        "aggregation": "sum",
        "required": "on",
        "targets": "2027: 40",
    }


def upload(w):
    y = w.m.periods["year"].code
    content = f"measure,period,breakdown_1,breakdown_2,value,comment\nattended,{y},,,12,\n".encode()
    return {"file": SimpleUploadedFile("data.csv", content)}


def all_pairs(w):
    return {
        "pair": [f"{o}-{m}" for o, m in w.initiative.assignments.values_list("organization_id", "measure_id")]
    }


PAGES = [
    Endpoint("home", page("home"), EVERY_MEMBER),
    Endpoint("measure", page("measure", code="enrolled"), EVERY_MEMBER),
    Endpoint("measure-create", page("measure_create"), BACKBONE_ONLY),
    Endpoint(
        "measure-create",
        page("measure_create"),
        BACKBONE_ONLY,
        method="post",
        data=measure_data("mentors"),
        ok=(302,),
    ),
    Endpoint("measure-edit", page("measure_edit", code="spend"), BACKBONE_ONLY),
    Endpoint(
        "measure-edit",
        page("measure_edit", code="spend"),
        BACKBONE_ONLY,
        method="post",
        data=measure_data("spend"),
        ok=(302,),
    ),
    Endpoint("dimensions", page("dimensions"), BACKBONE_ONLY),
    Endpoint(
        "dimensions",
        page("dimensions"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {
            "code": "age",
            "name_en": "Age",
            "name_he": "גיל",
            "members": "0-5 | Age 0–5\n6-12 | Age 6–12",
        },
        ok=(302,),
    ),
    Endpoint("periods", page("periods"), BACKBONE_ONLY),
    Endpoint(
        "periods",
        page("periods"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {
            "frequency": "monthly",
            "first": "2030-01-01",
            "last": "2030-03-31",
            "grace_days": 30,
            "due_days": 15,
        },
        ok=(302,),
    ),
    Endpoint("assignments", page("assignments"), BACKBONE_ONLY),
    Endpoint("assignments", page("assignments"), BACKBONE_ONLY, method="post", data=all_pairs, ok=(302,)),
    Endpoint("settings", page("settings"), BACKBONE_ONLY),
    Endpoint(
        "settings",
        page("settings"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"reminder_days": 3, "complete_pct": 100},
        ok=(302,),
    ),
    Endpoint("entry", entry_page("entry"), ENTERS),
    Endpoint("entry", entry_page("entry"), ENTERS, method="post", data=lambda w: {"save": ""}, ok=(302,)),
    Endpoint("template-csv", entry_page("template", fmt="csv"), ENTERS),
    Endpoint("template-xlsx", entry_page("template", fmt="xlsx"), ENTERS),
    Endpoint("import", entry_page("import"), ENTERS),
    Endpoint("import", entry_page("import"), ENTERS, method="post", data=upload, ok=(302,)),
    Endpoint("review", page("review"), BACKBONE_ONLY),
    Endpoint("submission-partner-org", lambda w: w.m.closed_submission.get_absolute_url(), READS_PARTNER_ORG),
    Endpoint("submission-partner-b", lambda w: w.m.b_submission.get_absolute_url(), BACKBONE_ONLY),
    Endpoint(
        "submission-approve",
        lambda w: w.m.b_submission.get_absolute_url(),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"action": "approve"},
        ok=(302,),
    ),
    Endpoint("export-csv", page("export", fmt="csv"), EVERY_MEMBER),
    Endpoint("export-xlsx", page("export", fmt="xlsx"), EVERY_MEMBER),
]

API = [
    Endpoint("api-measures", api("measures/"), EVERY_MEMBER, api=True),
    Endpoint("api-measure", api("measures/enrolled/"), EVERY_MEMBER, api=True),
    Endpoint("api-periods", api("periods/"), EVERY_MEMBER, api=True),
    Endpoint("api-period", api(lambda w: f"periods/{w.m.periods['year'].pk}/"), EVERY_MEMBER, api=True),
    Endpoint("api-assignments", api("assignments/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-assignment",
        api(lambda w: f"assignments/{w.m.initiative.assignments.first().pk}/"),
        EVERY_MEMBER,
        api=True,
    ),
    Endpoint("api-submissions", api("submissions/"), EVERY_MEMBER, api=True),
    Endpoint("api-values", api("values/"), EVERY_MEMBER, api=True),
    Endpoint("api-aggregates", api("aggregates/"), EVERY_MEMBER, api=True),
    Endpoint("api-audit", api("audit/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-approve",
        api(lambda w: f"submissions/{w.m.b_submission.pk}/approve/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
    ),
    Endpoint(
        "api-return",
        api(lambda w: f"submissions/{w.m.b_submission.pk}/return/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: {"message": "Check vav."},
    ),
    Endpoint(
        "api-unlock",
        api(lambda w: f"submissions/{w.m.closed_submission.pk}/unlock/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: {"message": "A correction."},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(PAGES))
def test_measurement_page_permissions(client, perm_world, endpoint, persona):
    check_permission(client, perm_world, endpoint, persona)


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(API))
def test_measurement_api_permissions(client, perm_world, endpoint, persona):
    check_permission(client, perm_world, endpoint, persona)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [("backbone", 200), ("partner", 200), ("viewer", 200), ("steering", 404)],
)
def test_api_submission_detail_is_404_for_those_who_may_not_read_it(client, perm_world, persona, status):
    # Not 403: a submission you may not read is not in your list, so it does not exist for you.
    sign_in_as(client, perm_world, persona)
    response = client.get(f"/api/v1/initiatives/c2c/submissions/{perm_world.m.closed_submission.pk}/")
    assert response.status_code == status


@pytest.mark.django_db
def test_an_import_preview_is_its_uploaders_only(client, perm_world):
    m = perm_world.m
    job = importer.preview(
        initiative=m.initiative,
        organization=m.org,
        by=m.partner,
        name="data.csv",
        data=upload(perm_world)["file"].read(),
    )
    page_url = reverse("measurement:import_preview", kwargs={"slug": "c2c", "pk": job.pk})
    client.force_login(m.partner)
    assert client.get(page_url).status_code == 200
    for persona in ("backbone", "steering", "viewer"):
        sign_in_as(client, perm_world, persona)
        assert client.get(page_url).status_code == 404
        assert client.post(page_url).status_code == 404
    for persona in ("outsider", "other_member"):
        sign_in_as(client, perm_world, persona)
        response = client.get(page_url)
        assert response.status_code == 404
        assert b"Cradle to Career" not in response.content
    client.logout()
    assert "/accounts/login/" in client.get(page_url)["Location"]
    job.refresh_from_db()
    assert job.committed_at is None


@pytest.fixture
def foreign(perm_world):
    """The other initiative's measure, period, data set, submission, value and import."""
    other, by = perm_world.other, perm_world.people["other_member"]
    org = perm_world.orgs["other"]
    measure = make_measure(other, by, "theirs")
    period = ReportingPeriod.objects.create(
        initiative=other,
        frequency=Frequency.YEARLY,
        code="2031",
        start=date(2031, 1, 1),
        end=date(2031, 12, 31),
        opens_on=date(2020, 1, 1),
        closes_on=date(2040, 1, 1),
        due_on=date(2032, 1, 15),
    )
    services.assignments_set(initiative=other, by=by, pairs={(org.pk, measure.pk)})
    submission = services.submission_for(initiative=other, organization=org, period=period, by=by)
    services.values_save(submission=submission, by=by, raw={(measure.pk, None, None): "7"}, submit=True)
    job = importer.preview(
        initiative=other,
        organization=org,
        by=by,
        name="theirs.csv",
        data=b"measure,period,breakdown_1,breakdown_2,value,comment\ntheirs,2031,,,8,\n",
    )
    # An organisation in no initiative of the backbone's.
    stranger = Organization.objects.create(name="Stranger", sector=Sector.BUSINESS)

    class Foreign:
        pass

    f = Foreign()
    f.measure, f.period, f.org, f.submission, f.job, f.stranger = (
        measure,
        period,
        org,
        submission,
        job,
        stranger,
    )
    f.value = DataValue.objects.get(submission=submission)
    f.assignment = other.assignments.get()
    return f


def c2c(name, **kwargs):
    return reverse(f"measurement:{name}", kwargs={"slug": "c2c", **kwargs})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        lambda f, m: ("get", c2c("measure", code=f.measure.code)),
        lambda f, m: ("get", c2c("measure_edit", code=f.measure.code)),
        lambda f, m: ("post", c2c("measure_edit", code=f.measure.code)),
        lambda f, m: ("get", c2c("submission", pk=f.submission.pk)),
        lambda f, m: ("post", c2c("submission", pk=f.submission.pk)),
        lambda f, m: ("get", c2c("import_preview", pk=f.job.pk)),
        lambda f, m: ("post", c2c("import_preview", pk=f.job.pk)),
        # An organisation of the other initiative, or of none, in this one's entry pages.
        lambda f, m: ("get", c2c("entry", org=f.org.pk, frequency="yearly", period=m.periods["year"].code)),
        lambda f, m: (
            "post",
            c2c("entry", org=f.stranger.pk, frequency="yearly", period=m.periods["year"].code),
        ),
        lambda f, m: ("get", c2c("import", org=f.org.pk, frequency="yearly", period=m.periods["year"].code)),
        lambda f, m: (
            "get",
            c2c("template", org=f.org.pk, frequency="yearly", period=m.periods["year"].code, fmt="csv"),
        ),
        # The other initiative's period, and periods that do not exist.
        lambda f, m: ("get", c2c("entry", org=m.org.pk, frequency="yearly", period=f.period.code)),
        lambda f, m: ("get", c2c("entry", org=m.org.pk, frequency="monthly", period=m.periods["year"].code)),
        lambda f, m: ("get", c2c("entry", org=m.org.pk, frequency="yearly", period="1999")),
        lambda f, m: ("get", f"/api/v1/initiatives/c2c/measures/{f.measure.code}/"),
        lambda f, m: ("get", f"/api/v1/initiatives/c2c/periods/{f.period.pk}/"),
        lambda f, m: ("get", f"/api/v1/initiatives/c2c/assignments/{f.assignment.pk}/"),
        lambda f, m: ("get", f"/api/v1/initiatives/c2c/submissions/{f.submission.pk}/"),
        lambda f, m: ("post", f"/api/v1/initiatives/c2c/submissions/{f.submission.pk}/approve/"),
        lambda f, m: ("get", f"/api/v1/initiatives/c2c/values/{f.value.pk}/"),
    ],
)
def test_objects_of_another_initiative_are_404(client, perm_world, foreign, target):
    m = perm_world.m
    method, path = target(foreign, m)
    client.force_login(perm_world.people["backbone"])
    response = getattr(client, method)(path, data={"action": "approve"} if method == "post" else {})
    assert response.status_code == 404, path
    assert b"Other Initiative" not in response.content
    foreign.submission.refresh_from_db()
    assert foreign.submission.status == SubmissionStatus.SUBMITTED
    foreign.job.refresh_from_db()
    assert foreign.job.committed_at is None
    assert not Submission.objects.filter(
        organization__in=[foreign.org, foreign.stranger], initiative=m.initiative
    ).exists()
    assert ImportJob.objects.filter(initiative=m.initiative).count() == 0


@pytest.mark.django_db
def test_lists_do_not_mix_initiatives(client, perm_world, foreign):
    client.force_login(perm_world.people["backbone"])
    base = "/api/v1/initiatives/c2c/"
    assert "theirs" not in {r["code"] for r in client.get(base + "measures/").json()["results"]}
    assert foreign.period.pk not in {r["id"] for r in client.get(base + "periods/").json()["results"]}
    assert foreign.submission.pk not in {r["id"] for r in client.get(base + "submissions/").json()["results"]}
    assert foreign.value.pk not in {
        r["id"] for r in client.get(base + "values/?limit=1000&page_size=1000").json()["results"]
    }
    rows = client.get(c2c("export", fmt="csv")).content.decode("utf-8-sig")
    assert "theirs" not in rows and "Other Org" not in rows
