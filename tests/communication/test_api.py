"""The REST endpoints: writes go through the services, bad input gets 400 with the reason."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from communication import services
from communication.choices import NotificationKind
from communication.models import Decision, Document, Meeting, Notification
from tests.permission_matrix import build_world, module_world

from .helpers import measure, meeting, pdf_upload

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
world_once, world = module_world("world", build_world)

BASE = "/api/v1/initiatives/c2c/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(client, world, persona="backbone"):
    client.force_login(world.people[persona])
    return client


def errors(response) -> dict:
    """Field errors, in the API's error shape ({"code", "message", "errors"}) or DRF's plain one."""
    body = response.json()
    return body["errors"] if "errors" in body and "code" in body else body


def post(client, path, data):
    return client.post(BASE + path, data=data, content_type="application/json")


class TestMeetings:
    def test_schedule_record_attendance_and_minutes(self, client, world):
        c = login(client, world)
        created = post(
            c,
            "meetings/",
            {
                "title": "Working group",
                "body": "working_group",
                "body_name": "Early literacy",
                "starts_at": timezone.now().isoformat(),
                "agenda_items": ["Welcome", "Plan"],
                "invitees": [world.people["partner"].pk],
            },
        )
        assert created.status_code == 201, created.json()
        meeting_id = created.json()["id"]
        recorded = post(
            c,
            f"meetings/{meeting_id}/attendance/",
            {"attendance": [{"user": world.people["partner"].pk, "status": "attended"}]},
        )
        assert recorded.status_code == 200
        assert recorded.json()["attendance"] == [
            {
                "user": world.people["partner"].pk,
                "name": "partner",
                "organization": "Partner Org",
                "status": "attended",
            }
        ]
        minutes = post(
            c, f"meetings/{meeting_id}/minutes/", {"minutes": "<script>x</script>**Agreed**", "publish": True}
        )
        data = minutes.json()
        assert data["minutes_published_at"] is not None
        assert data["minutes_html"] == "<p><strong>Agreed</strong></p>"

    @pytest.mark.parametrize("stranger", ["outsider", "other_member"])
    def test_attendance_for_a_non_member_is_400_with_the_reason(self, client, world, stranger):
        m = meeting(world)
        response = post(
            login(client, world),
            f"meetings/{m.pk}/attendance/",
            {"attendance": [{"user": world.people[stranger].pk, "status": "attended"}]},
        )
        assert response.status_code == 400
        assert errors(response) == {
            "statuses": [
                f"{stranger}: not a member of this initiative. Only members can be invited or recorded."
            ]
        }

    def test_unknown_attendance_status_is_400(self, client, world):
        m = meeting(world)
        response = post(
            login(client, world),
            f"meetings/{m.pk}/attendance/",
            {"attendance": [{"user": world.people["partner"].pk, "status": "maybe"}]},
        )
        assert response.status_code == 400

    def test_inviting_a_non_member_is_400(self, client, world):
        response = post(
            login(client, world),
            "meetings/",
            {
                "title": "x",
                "starts_at": timezone.now().isoformat(),
                "invitees": [world.people["outsider"].pk],
            },
        )
        assert response.status_code == 400 and "invitees" in errors(response)
        assert not Meeting.objects.exists()

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("starts_at", "0038-03-26T03:30:20Z"),  # local time of year 38 has a seconds offset
            ("ends_at", "2401-01-01T10:00:00Z"),
            ("link", "https://example.org/" + "a" * 200),  # the column holds 200 characters
            ("link", "not a link"),
        ],
    )
    def test_an_impossible_meeting_is_400_and_nothing_is_saved(self, client, world, field, value):
        body = {"title": "Year check", "starts_at": "2026-03-26T10:00:00Z", field: value}
        response = post(login(client, world), "meetings/", body)
        assert response.status_code == 400 and field in errors(response), response.json()
        assert not Meeting.objects.exists()

    def test_a_meeting_without_a_link_says_so_in_its_schema(self, client, world):
        created = post(
            login(client, world), "meetings/", {"title": "No link", "starts_at": "2026-03-26T10:00Z"}
        )
        assert created.status_code == 201 and created.json()["link"] == ""
        schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]
        assert {"type": "string", "enum": [""]} in schema["Meeting"]["properties"]["link"]["oneOf"]


class TestDecisions:
    def test_record_with_measures_and_read_back(self, client, world):
        readiness = measure(world.initiative)
        m = meeting(world)
        response = post(
            login(client, world),
            "decisions/",
            {
                "title": "Adopt the baseline",
                "decided_on": "2026-03-01",
                "meeting": m.pk,
                "measures": [readiness.pk],
                "links": ["https://example.org/d"],
            },
        )
        assert response.status_code == 201, response.json()
        data = response.json()
        assert data["measures"] == [
            {"id": readiness.pk, "code": "readiness", "name": "Children ready for school"}
        ]
        assert data["rests_on_data"] is True and data["meeting"] == m.pk
        listed = client.get(BASE + "decisions/?body=steering").json()
        assert [d["title"] for d in listed["results"]] == ["Adopt the baseline"]

    def test_a_measure_of_another_initiative_is_400(self, client, world):
        foreign = measure(world.other, code="theirs")
        response = post(
            login(client, world),
            "decisions/",
            {"title": "x", "decided_on": "2026-03-01", "measures": [foreign.pk]},
        )
        assert response.status_code == 400 and "measures" in errors(response)
        assert not Decision.objects.exists()


class TestDocuments:
    def test_multipart_upload_and_metadata(self, client, world):
        c = login(client, world, "partner")
        response = c.post(
            BASE + "documents/",
            {
                "title": "Research",
                "file": pdf_upload("research.pdf"),
                "visibility": "members",
                "tag": "Literacy",
            },
        )
        assert response.status_code == 201, response.json()
        data = response.json()
        doc = Document.objects.get()
        assert data["download_url"] == f"/initiatives/c2c/communication/documents/{doc.pk}/download/"
        assert (data["content_type"], data["original_name"], data["kind"]) == (
            "application/pdf",
            "research.pdf",
            "file",
        )
        assert "file" not in data  # the storage path is never exposed

    def test_a_disguised_upload_is_400_with_the_reason(self, client, world):
        fake = SimpleUploadedFile("minutes.pdf", b"<!doctype html><script>x</script>")
        response = login(client, world, "partner").post(BASE + "documents/", {"title": "x", "file": fake})
        assert response.status_code == 400
        assert "HTML or markup" in errors(response)["upload"][0]

    def test_an_upload_over_the_limit_is_400(self, client, world, settings):
        settings.COMMUNICATION_MAX_UPLOAD_MB = 0.001
        big = SimpleUploadedFile("big.csv", b"1,2\n" * 1000)
        response = login(client, world, "partner").post(BASE + "documents/", {"title": "x", "file": big})
        assert response.status_code == 400 and "the limit is" in errors(response)["upload"][0]


class TestUpdatesAndPreferences:
    def test_filter_by_tag_and_kind(self, client, world):
        by = world.people["partner"]
        services.post_create(
            initiative=world.initiative, by=by, title="A", body="a", kind="news", tag="Literacy"
        )
        services.post_create(
            initiative=world.initiative, by=by, title="B", body="b", kind="success", tag="Work"
        )
        c = login(client, world, "viewer")
        assert [p["title"] for p in c.get(BASE + "updates/?tag=literacy").json()["results"]] == ["A"]
        assert [p["title"] for p in c.get(BASE + "updates/?kind=success").json()["results"]] == ["B"]

    def test_a_bad_kind_is_400(self, client, world):
        response = post(
            login(client, world, "partner"), "updates/", {"kind": "rumour", "title": "x", "body": "y"}
        )
        assert response.status_code == 400 and "kind" in errors(response)

    def test_preferences_round_trip(self, client, world):
        c = login(client, world, "viewer")
        response = c.put(
            BASE + "notification-preferences/",
            data=[{"notification_kind": "decision", "delivery": "off"}],
            content_type="application/json",
        )
        assert response.status_code == 200
        assert {"notification_kind": "decision", "delivery": "off"} in response.json()
        bad = c.put(
            BASE + "notification-preferences/",
            data=[{"notification_kind": "decision", "delivery": "hourly"}],
            content_type="application/json",
        )
        assert bad.status_code == 400


class TestReports:
    def test_request_generate_publish(self, client, world, eager_tasks, django_capture_on_commit_callbacks):
        c = login(client, world)
        year = timezone.localdate().year - 1
        with django_capture_on_commit_callbacks(execute=True):
            response = post(c, "reports/", {"period_kind": "year", "year": year})
        assert response.status_code == 202
        report_id = response.json()["id"]
        detail = c.get(BASE + f"reports/{report_id}/").json()
        assert detail["status"] == "ready" and "lifecycle" in detail["snapshot"]["sections"]
        assert post(c, f"reports/{report_id}/publish/", {}).json()["published_at"] is not None
        again = post(c, "reports/", {"period_kind": "year", "year": year})
        assert again.status_code == 400 and "frozen" in errors(again)["detail"][0]


def test_the_schema_documents_the_endpoints(client, world):
    login(client, world)
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "meetings/",
        "meetings/{id}/attendance/",
        "decisions/",
        "updates/",
        "updates/{id}/comments/",
        "documents/",
        "reports/",
        "reports/{id}/publish/",
        "notifications/",
        "notification-preferences/",
    ):
        assert f"/api/v1/initiatives/{{initiative_slug}}/{path}" in paths, path


def test_a_notification_is_read_by_its_person_only(client, world):
    services.notify(
        initiative=world.initiative,
        kind=NotificationKind.DECISION,
        subject="A decision",
        body="Details",
        url="/initiatives/c2c/communication/decisions/",
        recipients=[world.people["steering"], world.people["partner"]],
    )
    mine = Notification.objects.get(user=world.people["partner"])
    theirs = Notification.objects.get(user=world.people["steering"])
    c = login(client, world, "partner")
    assert c.get(BASE + f"notifications/{mine.pk}/").json()["subject"] == "A decision"
    assert c.get(BASE + f"notifications/{theirs.pk}/").status_code == 404
    # Backbone staff manage the initiative, not other people's notifications.
    assert login(client, world, "backbone").get(BASE + f"notifications/{mine.pk}/").status_code == 404
