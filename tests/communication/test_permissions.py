"""Every page and endpoint of continuous communication in the uniform permission matrix, plus the
objects whose audience is narrower than the initiative (a working group's private document, an
unpublished report): for those outside the audience they do not exist (404)."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from communication import services
from communication.choices import PeriodKind
from communication.demo import tiny_pdf

from ..permission_matrix import (
    EVERY_MEMBER,
    PERSONAS,
    Endpoint,
    build_world,
    check_permission,
    fresh,
    permission_cases,
    sign_in_as,
    signed_in,
)
from .helpers import decision, meeting, pdf_upload, private_document

BACKBONE = frozenset({"backbone"})
CONTRIBUTORS = frozenset({"backbone", "steering", "partner"})
OWNER_OR_BACKBONE = frozenset({"backbone", "partner"})  # the partner owns the action item and wrote the post


@pytest.fixture(scope="module")
def comm_world_once(module_db, django_db_blocker, tmp_path_factory):
    """The module's world, built once (`module_db`): each test runs in a savepoint of it."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        with django_db_blocker.unblock():
            world = _build_comm_world(build_world())
            signed_in(world)
        yield world


@pytest.fixture
def comm_world(comm_world_once):
    return fresh(comm_world_once)


def _build_comm_world(world):
    people = world.people
    by = people["backbone"]
    world.meeting = meeting(world)
    world.decision = decision(world, meeting_obj=world.meeting)
    world.item = services.action_item_create(
        initiative=world.initiative,
        by=by,
        title="Send the data",
        owner=people["partner"],
        meeting=world.meeting,
    )
    world.post = services.post_create(
        initiative=world.initiative,
        by=people["partner"],
        title="Question",
        body="Who has data?",
        kind="question",
    )
    world.document = services.document_add(
        initiative=world.initiative, by=people["partner"], title="Research", upload=pdf_upload()
    )
    world.private = private_document(world)
    year = timezone.localdate().year
    world.published = services.report_request(
        initiative=world.initiative, by=by, period_kind=PeriodKind.YEAR, year=year - 1
    )
    services.report_generate(world.published.pk)
    world.published.refresh_from_db()
    services.report_publish(report=world.published, by=by)
    world.draft_report = services.report_request(
        initiative=world.initiative, by=by, period_kind=PeriodKind.YEAR, year=year
    )
    services.report_generate(world.draft_report.pk)
    # A stored PDF on each (printing one for real is tested in tests/communication/test_report_pdf.py).
    for report in (world.published, world.draft_report):
        report.refresh_from_db()
        report.pdf_en.save("report.pdf", ContentFile(tiny_pdf("Report", ["2025"])), save=False)
        report.save(update_fields=["pdf_en"])
    return world


def page(name, **kwargs):
    return lambda w: reverse(f"communication:{name}", kwargs={"slug": w.initiative.slug, **kwargs})


def obj_page(name, attr):
    return lambda w: reverse(
        f"communication:{name}", kwargs={"slug": w.initiative.slug, "pk": getattr(w, attr).pk}
    )


def report_pdf(attr, language="en"):
    return lambda w: reverse(
        "communication:report_pdf",
        kwargs={"slug": w.initiative.slug, "pk": getattr(w, attr).pk, "language": language},
    )


def api(path):
    return lambda w: f"/api/v1/initiatives/{w.initiative.slug}/{path}"


def obj_api(path, attr, suffix=""):
    return lambda w: f"/api/v1/initiatives/{w.initiative.slug}/{path}/{getattr(w, attr).pk}/{suffix}"


def _meeting_data(w):
    start = (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    return {
        "title": "Planning",
        "body": "steering",
        "starts_at": start,
        "invitees": [w.people["steering"].pk],
    }


def _decision_data(w):
    return {"title": "Decided", "decided_on": timezone.localdate().isoformat(), "body": "steering"}


PAGES = [
    Endpoint("home", page("home"), EVERY_MEMBER),
    Endpoint("meetings", page("meetings"), EVERY_MEMBER),
    Endpoint("meeting", obj_page("meeting", "meeting"), EVERY_MEMBER),
    Endpoint("meeting-create", page("meeting_create"), BACKBONE),
    Endpoint(
        "meeting-create", page("meeting_create"), BACKBONE, method="post", data=_meeting_data, ok=(302,)
    ),
    Endpoint("meeting-edit", obj_page("meeting_edit", "meeting"), BACKBONE),
    Endpoint("meeting-attendance", obj_page("meeting_attendance", "meeting"), BACKBONE),
    Endpoint(
        "meeting-attendance",
        obj_page("meeting_attendance", "meeting"),
        BACKBONE,
        method="post",
        data=lambda w: {
            f"status_{w.people['steering'].pk}": "attended",
            f"status_{w.people['partner'].pk}": "absent",
        },
        ok=(302,),
    ),
    Endpoint("meeting-minutes", obj_page("meeting_minutes", "meeting"), BACKBONE),
    Endpoint(
        "meeting-minutes",
        obj_page("meeting_minutes", "meeting"),
        BACKBONE,
        method="post",
        data=lambda w: {"minutes": "# Minutes", "publish": "on"},
        ok=(302,),
    ),
    Endpoint("decisions", page("decisions"), EVERY_MEMBER),
    Endpoint("decision", obj_page("decision", "decision"), EVERY_MEMBER),
    Endpoint("decision-create", page("decision_create"), BACKBONE),
    Endpoint(
        "decision-create", page("decision_create"), BACKBONE, method="post", data=_decision_data, ok=(302,)
    ),
    Endpoint("decision-edit", obj_page("decision_edit", "decision"), BACKBONE),
    Endpoint("actions", page("actions"), EVERY_MEMBER),
    Endpoint("action-create", page("action_create"), BACKBONE),
    Endpoint(
        "action-status",
        obj_page("action_status", "item"),
        OWNER_OR_BACKBONE,
        method="post",
        data=lambda w: {"status": "done"},
        ok=(302,),
    ),
    Endpoint("updates", page("updates"), EVERY_MEMBER),
    Endpoint("post", obj_page("post", "post"), EVERY_MEMBER),
    Endpoint("post-create", page("post_create"), CONTRIBUTORS),
    Endpoint(
        "post-create",
        page("post_create"),
        CONTRIBUTORS,
        method="post",
        data=lambda w: {"kind": "news", "title": "News", "body": "Text"},
        ok=(302,),
    ),
    Endpoint("post-edit", obj_page("post_edit", "post"), OWNER_OR_BACKBONE),
    Endpoint("post-delete", obj_page("post_delete", "post"), OWNER_OR_BACKBONE, method="post", ok=(302,)),
    Endpoint(
        "comment-create",
        obj_page("comment_create", "post"),
        CONTRIBUTORS,
        method="post",
        data=lambda w: {"body": "Me"},
        ok=(302,),
    ),
    Endpoint("documents", page("documents"), EVERY_MEMBER),
    Endpoint("document", obj_page("document", "document"), EVERY_MEMBER),
    Endpoint("document-download", obj_page("document_download", "document"), EVERY_MEMBER),
    Endpoint("document-create", page("document_create"), CONTRIBUTORS),
    Endpoint(
        "document-create",
        page("document_create"),
        CONTRIBUTORS,
        method="post",
        data=lambda w: {"title": "Link", "url": "https://example.org", "visibility": "members"},
        ok=(302,),
    ),
    Endpoint(
        "document-delete",
        obj_page("document_delete", "document"),
        OWNER_OR_BACKBONE,
        method="post",
        ok=(302,),
    ),
    Endpoint("notifications", page("notifications"), EVERY_MEMBER),
    Endpoint("notifications-read", page("notifications_read"), EVERY_MEMBER, method="post", ok=(302,)),
    Endpoint("notification-settings", page("notification_settings"), EVERY_MEMBER),
    Endpoint(
        "notification-settings",
        page("notification_settings"),
        EVERY_MEMBER,
        method="post",
        data=lambda w: {"decision": "weekly"},
        ok=(200, 302),
    ),
    Endpoint("reports", page("reports"), EVERY_MEMBER),
    Endpoint("report-published", obj_page("report", "published"), EVERY_MEMBER),
    Endpoint(
        "report-create",
        page("report_create"),
        BACKBONE,
        method="post",
        data=lambda w: {"period_kind": "quarter", "year": timezone.localdate().year, "quarter": 1},
        ok=(302,),
    ),
    Endpoint(
        "report-publish", obj_page("report_publish", "draft_report"), BACKBONE, method="post", ok=(302,)
    ),
    Endpoint(
        "report-unpublish", obj_page("report_unpublish", "published"), BACKBONE, method="post", ok=(302,)
    ),
    Endpoint("report-pdf", report_pdf("published"), EVERY_MEMBER),
    Endpoint(
        "report-pdf-request", obj_page("report_pdf_request", "published"), BACKBONE, method="post", ok=(302,)
    ),
]

API = [
    Endpoint("api-meetings", api("meetings/"), EVERY_MEMBER, api=True),
    Endpoint("api-meeting", obj_api("meetings", "meeting"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-meeting-create",
        api("meetings/"),
        BACKBONE,
        method="post",
        api=True,
        data=lambda w: {
            "title": "Planning",
            "starts_at": timezone.now().isoformat(),
            "invitees": [w.people["partner"].pk],
        },
        ok=(201,),
    ),
    Endpoint(
        "api-meeting-attendance",
        obj_api("meetings", "meeting", "attendance/"),
        BACKBONE,
        method="post",
        api=True,
        data=lambda w: {"attendance": [{"user": w.people["steering"].pk, "status": "attended"}]},
    ),
    Endpoint(
        "api-meeting-minutes",
        obj_api("meetings", "meeting", "minutes/"),
        BACKBONE,
        method="post",
        api=True,
        data=lambda w: {"minutes": "Text", "publish": True},
    ),
    Endpoint("api-decisions", api("decisions/"), EVERY_MEMBER, api=True),
    Endpoint("api-decision", obj_api("decisions", "decision"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-decision-create",
        api("decisions/"),
        BACKBONE,
        method="post",
        api=True,
        data=_decision_data,
        ok=(201,),
    ),
    Endpoint("api-actions", api("action-items/"), EVERY_MEMBER, api=True),
    Endpoint("api-action", obj_api("action-items", "item"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-action-create",
        api("action-items/"),
        BACKBONE,
        method="post",
        api=True,
        data=lambda w: {"title": "Call", "owner": w.people["steering"].pk},
        ok=(201,),
    ),
    Endpoint(
        "api-action-status",
        obj_api("action-items", "item"),
        OWNER_OR_BACKBONE,
        method="patch",
        api=True,
        data=lambda w: {"status": "in_progress"},
    ),
    Endpoint("api-updates", api("updates/"), EVERY_MEMBER, api=True),
    Endpoint("api-update", obj_api("updates", "post"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-update-create",
        api("updates/"),
        CONTRIBUTORS,
        method="post",
        api=True,
        data=lambda w: {"kind": "success", "title": "Done", "body": "**Yes**"},
        ok=(201,),
    ),
    Endpoint("api-comments", obj_api("updates", "post", "comments/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-comment-create",
        obj_api("updates", "post", "comments/"),
        CONTRIBUTORS,
        method="post",
        api=True,
        data=lambda w: {"body": "Agreed"},
        ok=(201,),
    ),
    Endpoint("api-documents", api("documents/"), EVERY_MEMBER, api=True),
    Endpoint("api-document", obj_api("documents", "document"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-document-create",
        api("documents/"),
        CONTRIBUTORS,
        method="post",
        api=True,
        data=lambda w: {"title": "Link", "url": "https://example.org/x"},
        ok=(201,),
    ),
    Endpoint("api-reports", api("reports/"), EVERY_MEMBER, api=True),
    Endpoint("api-report-published", obj_api("reports", "published"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-report-create",
        api("reports/"),
        BACKBONE,
        method="post",
        api=True,
        data=lambda w: {"period_kind": "quarter", "year": timezone.localdate().year, "quarter": 1},
        ok=(202,),
    ),
    Endpoint(
        "api-report-publish",
        obj_api("reports", "draft_report", "publish/"),
        BACKBONE,
        method="post",
        api=True,
    ),
    Endpoint("api-notifications", api("notifications/"), EVERY_MEMBER, api=True),
    Endpoint("api-notifications-read", api("notifications/read/"), EVERY_MEMBER, method="post", api=True),
    Endpoint("api-preferences", api("notification-preferences/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-preferences-put",
        api("notification-preferences/"),
        EVERY_MEMBER,
        method="put",
        api=True,
        data=lambda w: [{"notification_kind": "decision", "delivery": "weekly"}],
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(PAGES))
def test_communication_page_permissions(client, comm_world, endpoint, persona):
    check_permission(client, comm_world, endpoint, persona)


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(API))
def test_communication_api_permissions(client, comm_world, endpoint, persona):
    check_permission(client, comm_world, endpoint, persona)


# --- Narrower audiences: outside it, the object does not exist (404), for members too. ---------------

NARROW = [
    ("private-document", obj_page("document", "private"), {"backbone", "partner"}, False),
    ("private-document-download", obj_page("document_download", "private"), {"backbone", "partner"}, False),
    ("private-document-api", obj_api("documents", "private"), {"backbone", "partner"}, True),
    ("draft-report", obj_page("report", "draft_report"), {"backbone"}, False),
    ("draft-report-api", obj_api("reports", "draft_report"), {"backbone"}, True),
    ("draft-report-pdf", report_pdf("draft_report"), {"backbone"}, False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "audience", "is_api", "persona"),
    [pytest.param(u, a, i, p, id=f"{n}-{p}") for n, u, a, i in NARROW for p in PERSONAS],
)
def test_narrow_audiences(client, comm_world, url, audience, is_api, persona):
    if persona != "anonymous":
        sign_in_as(client, comm_world, persona)
    response = client.get(url(comm_world))
    if persona == "anonymous":
        assert response.status_code in ((401, 403) if is_api else (302,))
    elif persona in audience:
        assert response.status_code == 200
    else:
        assert response.status_code == 404
        assert b"Early literacy: private work plan" not in response.content


@pytest.mark.django_db
def test_private_documents_are_not_listed_outside_their_group(client, comm_world):
    for persona, sees in (("backbone", True), ("partner", True), ("steering", False), ("viewer", False)):
        sign_in_as(client, comm_world, persona)
        html = client.get(page("documents")(comm_world)).content.decode()
        api_titles = [d["title"] for d in client.get(api("documents/")(comm_world)).json()["results"]]
        assert ("Early literacy: private work plan" in html) is sees, persona
        assert ("Early literacy: private work plan" in api_titles) is sees, persona


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        lambda w, o: reverse(
            "communication:meeting", kwargs={"slug": w.initiative.slug, "pk": o["meeting"].pk}
        ),
        lambda w, o: reverse(
            "communication:decision", kwargs={"slug": w.initiative.slug, "pk": o["decision"].pk}
        ),
        lambda w, o: reverse("communication:post", kwargs={"slug": w.initiative.slug, "pk": o["post"].pk}),
        lambda w, o: reverse(
            "communication:document", kwargs={"slug": w.initiative.slug, "pk": o["document"].pk}
        ),
        lambda w, o: reverse(
            "communication:document_download", kwargs={"slug": w.initiative.slug, "pk": o["document"].pk}
        ),
        lambda w, o: f"/api/v1/initiatives/{w.initiative.slug}/meetings/{o['meeting'].pk}/",
        lambda w, o: f"/api/v1/initiatives/{w.initiative.slug}/decisions/{o['decision'].pk}/",
        lambda w, o: f"/api/v1/initiatives/{w.initiative.slug}/documents/{o['document'].pk}/",
    ],
)
def test_another_initiatives_objects_are_404_under_this_initiative(client, comm_world, url):
    other = comm_world.other
    them = comm_world.people["other_member"]
    theirs = {
        "meeting": services.meeting_create(
            initiative=other, by=them, title="Theirs", starts_at=timezone.now()
        ),
        "decision": services.decision_record(
            initiative=other, by=them, title="Theirs", decided_on=timezone.localdate()
        ),
        "post": services.post_create(initiative=other, by=them, title="Theirs", body="x", kind="news"),
        "document": services.document_add(initiative=other, by=them, title="Theirs", upload=pdf_upload()),
    }
    client.force_login(comm_world.people["backbone"])
    response = client.get(url(comm_world, theirs))
    assert response.status_code == 404
    assert b"Theirs" not in response.content
