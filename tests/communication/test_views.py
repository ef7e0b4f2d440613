"""The pages through the Django test client: recording a meeting end to end, bad input refused or
neutralised with a clear message, downloads that are never inline, and query counts that do not
grow with the number of rows."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from communication import services
from communication.choices import AttendanceStatus, Body, PeriodKind, Visibility
from communication.models import Decision, Document, Meeting
from tests.permission_matrix import build_world, module_world
from tests.queries import assert_queries_constant, check_constant, queries_before_and_after

from .helpers import decision, measure, meeting, pdf_upload

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
world_once, world = module_world("world", build_world)

XSS = '<script>alert("x")</script><img src=x onerror="alert(2)"> [link](javascript:alert(3)) **kept**'


def url(name: str, **kwargs) -> str:
    return reverse(f"communication:{name}", kwargs={"slug": "c2c", **kwargs})


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def as_backbone(client, world):
    client.force_login(world.people["backbone"])
    return client


def text(response) -> str:
    return response.content.decode()


class TestRecordingAMeeting:
    def test_schedule_attend_minute_and_decide_through_the_forms(self, as_backbone, world):
        people = world.people
        readiness = measure(world.initiative)
        start = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        response = as_backbone.post(
            url("meeting_create"),
            {
                "title": "Steering committee, March",
                "body": Body.STEERING,
                "starts_at": start,
                "location": "City hall",
                "agenda_text": "Welcome\n\nData review\n",
                "invitees": [people["steering"].pk, people["partner"].pk],
            },
        )
        meeting_obj = Meeting.objects.get()
        assert response.status_code == 302 and response["Location"] == meeting_obj.get_absolute_url()
        assert meeting_obj.agenda_items == ["Welcome", "Data review"]

        response = as_backbone.post(
            url("meeting_attendance", pk=meeting_obj.pk),
            {
                f"status_{people['steering'].pk}": AttendanceStatus.ATTENDED,
                f"status_{people['partner'].pk}": AttendanceStatus.EXCUSED,
                "walk_ins": [people["viewer"].pk],
            },
        )
        assert response.status_code == 302
        assert dict(meeting_obj.attendances.values_list("user__username", "status")) == {
            "steering": "attended",
            "partner": "excused",
            "viewer": "attended",
        }

        as_backbone.post(
            url("meeting_minutes", pk=meeting_obj.pk), {"minutes": "## Notes\n\n" + XSS, "publish": "on"}
        )
        response = as_backbone.post(
            url("decision_create") + f"?meeting={meeting_obj.pk}",
            {
                "title": "Adopt the readiness baseline",
                "decided_on": timezone.localdate().isoformat(),
                "body": Body.STEERING,
                "meeting": meeting_obj.pk,
                "measures": [readiness.pk],
                "links_text": "https://example.org/dashboard",
            },
        )
        assert response.status_code == 302 and response["Location"] == meeting_obj.get_absolute_url()
        d = Decision.objects.get()
        assert list(d.measures.all()) == [readiness] and d.links == ["https://example.org/dashboard"]

        page = text(as_backbone.get(meeting_obj.get_absolute_url()))
        assert "Adopt the readiness baseline" in page
        assert 'data-measure="readiness"' in page
        assert 'data-attendee="viewer" data-status="attended"' in page
        assert "<h2>Notes</h2>" in page and "<strong>kept</strong>" in page
        assert "<script>alert" not in page and "onerror" not in page and "javascript:alert" not in page

    def test_the_decision_form_preselects_the_meeting(self, as_backbone, world):
        m = services.meeting_create(
            initiative=world.initiative,
            by=world.people["backbone"],
            title="Literacy group",
            body=Body.WORKING_GROUP,
            body_name="Early literacy",
            starts_at=timezone.now(),
        )
        page = text(as_backbone.get(url("decision_create") + f"?meeting={m.pk}"))
        assert 'value="Early literacy"' in page
        assert f'<option value="{m.pk}" selected>' in page

    def test_attendance_for_a_non_member_is_refused_with_a_message(self, as_backbone, world):
        m = meeting(world)
        response = as_backbone.post(
            url("meeting_attendance", pk=m.pk),
            {f"status_{world.people['steering'].pk}": "attended", "walk_ins": [world.people["outsider"].pk]},
        )
        assert response.status_code == 400
        assert f"{world.people['outsider'].pk} is not a member of this initiative." in text(response)
        assert m.attendances.filter(status="attended").count() == 0

    def test_inviting_a_non_member_through_the_form_is_refused(self, as_backbone, world):
        response = as_backbone.post(
            url("meeting_create"),
            {
                "title": "x",
                "body": Body.STEERING,
                "starts_at": "2026-03-01T10:00",
                "invitees": [world.people["other_member"].pk],
            },
        )
        assert response.status_code == 200
        assert "is not a member of this initiative" in text(response)
        assert not Meeting.objects.exists()

    def test_a_meeting_ending_before_it_starts_is_refused(self, as_backbone):
        response = as_backbone.post(
            url("meeting_create"),
            {
                "title": "x",
                "body": Body.STEERING,
                "starts_at": "2026-03-01T10:00",
                "ends_at": "2026-03-01T09:00",
            },
        )
        assert "A meeting cannot end before it starts." in text(response)

    def test_a_bad_link_in_a_decision_is_shown_on_the_field(self, as_backbone):
        response = as_backbone.post(
            url("decision_create"),
            {
                "title": "x",
                "decided_on": "2026-03-01",
                "body": Body.STEERING,
                "links_text": "javascript:alert(1)",
            },
        )
        assert response.status_code == 200
        assert "is not a web address" in text(response)


class TestPostsAreNeutralised:
    def test_script_in_a_post_and_a_comment_is_removed(self, client, world):
        client.force_login(world.people["partner"])
        response = client.post(url("post_create"), {"kind": "news", "title": "<b>Title</b>", "body": XSS})
        assert response.status_code == 302
        post = world.initiative.posts.get()
        client.post(url("comment_create", pk=post.pk), {"body": XSS})
        for page in (client.get(url("updates")), client.get(post.get_absolute_url())):
            html = text(page)
            assert "<strong>kept</strong>" in html
            assert "<script>alert" not in html and "onerror" not in html and "javascript:alert" not in html
            assert "&lt;b&gt;Title&lt;/b&gt;" in html  # the title is plain text, escaped
        api = client.get(f"/api/v1/initiatives/c2c/updates/{post.pk}/").json()
        assert api["body"] == XSS  # what was typed is kept...
        assert (
            "<script" not in api["body_html"] and "onerror" not in api["body_html"]
        )  # ...and rendered safely

    def test_an_empty_comment_is_refused(self, client, world):
        client.force_login(world.people["partner"])
        post = services.post_create(
            initiative=world.initiative, by=world.people["partner"], title="t", body="b", kind="news"
        )
        response = client.post(url("comment_create", pk=post.pk), {"body": ""})
        assert response.status_code == 400
        assert not post.comments.exists()


class TestDocuments:
    def test_upload_and_download_as_an_attachment_never_inline(self, client, world):
        client.force_login(world.people["partner"])
        response = client.post(
            url("document_create"),
            {
                "title": "Gap analysis",
                "upload": pdf_upload("Gap analysis.pdf"),
                "visibility": Visibility.MEMBERS,
            },
        )
        assert response.status_code == 302
        doc = Document.objects.get()
        client.force_login(world.people["viewer"])
        download = client.get(url("document_download", pk=doc.pk))
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment;")
        assert 'filename="Gap analysis.pdf"' in download["Content-Disposition"]
        assert download["Content-Type"] == "application/pdf"
        assert download["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in download["Content-Security-Policy"]
        assert b"".join(download.streaming_content).startswith(b"%PDF")
        # The file is not reachable under MEDIA_URL.
        assert client.get("/media/" + doc.file.name).status_code == 404

    def test_an_upload_over_the_limit_is_refused_with_the_limit(self, client, world, settings):
        settings.COMMUNICATION_MAX_UPLOAD_MB = 0.01
        client.force_login(world.people["partner"])
        big = SimpleUploadedFile("big.csv", b"a,b\n" * 5000)
        response = client.post(
            url("document_create"), {"title": "Big", "upload": big, "visibility": "members"}
        )
        assert response.status_code == 400
        assert "the limit is 10.2\xa0KB" in text(response) or "the limit is" in text(response)
        assert not Document.objects.exists()

    def test_html_renamed_pdf_is_refused_with_a_clear_message(self, client, world):
        client.force_login(world.people["partner"])
        fake = SimpleUploadedFile("minutes.pdf", b"<html><body><script>steal()</script></body></html>")
        response = client.post(
            url("document_create"), {"title": "Minutes", "upload": fake, "visibility": "members"}
        )
        assert response.status_code == 400
        assert "The file is named .pdf but its content is something else (HTML or markup)" in text(response)
        assert not Document.objects.exists()

    def test_neither_file_nor_link_is_refused(self, client, world):
        client.force_login(world.people["partner"])
        response = client.post(url("document_create"), {"title": "Nothing", "visibility": "members"})
        assert response.status_code == 400
        assert "Add either a file or a link." in text(response)

    def test_a_group_document_needs_members(self, client, world):
        client.force_login(world.people["backbone"])
        response = client.post(
            url("document_create"),
            {"title": "Private", "url": "https://example.org", "visibility": "group", "group_name": "WG"},
        )
        assert response.status_code == 400
        assert "Choose the group&#x27;s members." in text(response)

    def test_a_cited_private_document_is_not_linked_for_those_outside_its_group(self, client, world):
        private = services.document_add(
            initiative=world.initiative,
            by=world.people["backbone"],
            title="Secret analysis",
            url="https://example.org/secret",
            visibility=Visibility.GROUP,
            group_name="WG",
            group_members=[world.people["partner"]],
        )
        d = services.decision_record(
            initiative=world.initiative,
            by=world.people["backbone"],
            title="Decided",
            decided_on=timezone.localdate(),
            documents=[private],
        )
        client.force_login(world.people["viewer"])
        html = text(client.get(d.get_absolute_url()))
        assert "A document you may not see" in html and private.get_absolute_url() not in html


# --- Query counts: a list page costs the same with 2 rows as with 12. ---------------------------------


def _grow(world, n: int):
    people = world.people
    readiness = measure(world.initiative, code=f"m{n}")
    for i in range(n):
        m = meeting(world, days=-i - 1, title=f"Meeting {n}-{i}")
        services.attendance_record(
            meeting=m, by=people["backbone"], statuses={people["steering"].pk: "attended"}
        )
        d = decision(
            world,
            meeting_obj=m,
            measures=[readiness],
            title=f"Decision {n}-{i}",
            links=["https://example.org"],
        )
        services.action_item_create(
            initiative=world.initiative,
            by=people["backbone"],
            title=f"Do {i}",
            owner=people["partner"],
            meeting=m,
            decision=d,
        )
        post = services.post_create(
            initiative=world.initiative,
            by=people["partner"],
            title=f"Post {n}-{i}",
            body="b",
            kind="news",
            tag=f"t{i % 2}",
        )
        services.comment_add(post=post, by=people["steering"], body="c")
        services.document_add(
            initiative=world.initiative, by=people["partner"], title=f"Doc {n}-{i}", url="https://example.org"
        )
        services.document_add(
            initiative=world.initiative,
            by=people["backbone"],
            title=f"Group doc {n}-{i}",
            url="https://example.org",
            visibility=Visibility.GROUP,
            group_name="WG",
            group_members=[people["partner"], people["steering"]],
        )
    year = timezone.localdate().year - n
    report = services.report_request(
        initiative=world.initiative, by=people["backbone"], period_kind=PeriodKind.YEAR, year=year
    )
    services.report_generate(report.pk)


LIST_PAGES = [
    url("home"),
    url("meetings"),
    url("decisions"),
    url("actions") + "?show=all",
    url("updates"),
    url("documents"),
    url("notifications"),
    url("reports"),
    "/api/v1/initiatives/c2c/meetings/",
    "/api/v1/initiatives/c2c/decisions/",
    "/api/v1/initiatives/c2c/action-items/",
    "/api/v1/initiatives/c2c/updates/",
    "/api/v1/initiatives/c2c/documents/",
    "/api/v1/initiatives/c2c/reports/",
    "/api/v1/initiatives/c2c/notifications/",
]


LIST_PERSONAS = ("backbone", "partner")


@pytest.fixture(scope="module")
def list_page_queries(world_once, django_db_blocker, tmp_path_factory):
    """Every list page's queries as each of LIST_PERSONAS, with 2 rows of everything and with 12,
    and the answers' status codes. The growth is the costly part (meetings, decisions, reports
    generated...): made once for the 30 pages, not once per page, in a savepoint of the module's
    transaction that is rolled back."""
    from django.test import Client

    from tests.permission_matrix import module_savepoint, sign_in_as

    statuses: dict[tuple[str, str], list[int]] = {}
    media = tmp_path_factory.mktemp("media")
    with module_savepoint(world_once, django_db_blocker, MEDIA_ROOT=media) as grown:
        clients = {persona: Client() for persona in LIST_PERSONAS}
        for persona, client in clients.items():
            sign_in_as(client, grown, persona)

        def page(path: str, persona: str):
            def get():
                statuses.setdefault((path, persona), []).append(clients[persona].get(path).status_code)

            return get

        _grow(grown, 2)
        actions = {(path, persona): page(path, persona) for path in LIST_PAGES for persona in LIST_PERSONAS}
        captures = queries_before_and_after(actions, lambda: _grow(grown, 10))
    return captures, statuses


@pytest.mark.parametrize("path", LIST_PAGES)
@pytest.mark.parametrize("persona", LIST_PERSONAS)
def test_query_counts_do_not_grow_with_rows(list_page_queries, path, persona):
    captures, statuses = list_page_queries
    assert statuses[path, persona] == [200, 200]
    check_constant(*captures[path, persona], exact=True)


def test_a_meeting_page_costs_the_same_with_more_attendees_and_decisions(client, world, make_user):
    client.force_login(world.people["viewer"])
    m = meeting(world)

    def page():
        assert client.get(m.get_absolute_url()).status_code == 200

    decision(world, meeting_obj=m, measures=[measure(world.initiative)])

    def grow():
        for i in range(5):
            user = make_user(f"extra{i}")
            world.initiative.memberships.create(user=user, organization=world.orgs["partner"], role="partner")
            services.meeting_invite(meeting=m, by=world.people["backbone"], users=[user])
            decision(world, meeting_obj=m, measures=[measure(world.initiative, code=f"x{i}")], title=f"D{i}")
            services.action_item_create(
                initiative=world.initiative, by=world.people["backbone"], title="a", owner=user, meeting=m
            )

    assert_queries_constant(page, grow, exact=True)
