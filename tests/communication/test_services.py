"""The services of continuous communication: meetings and attendance, decisions and what they
rest on, action items, posts, documents, and milestone evidence."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from communication import selectors, services
from communication.choices import (
    ActionStatus,
    AttendanceStatus,
    Body,
    DocumentKind,
    NotificationKind,
    PostKind,
    Visibility,
)
from communication.models import Document, Notification
from initiatives.choices import Area, Phase
from tests.permission_matrix import build_world, module_world

from .helpers import decision, measure, meeting, pdf_upload, private_document

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
world_once, world = module_world("world", build_world)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class TestMeetings:
    def test_schedule_invites_members_with_their_organisation_and_notifies_them(self, world, eager_tasks):
        m = meeting(world)
        rows = {
            a.user.username: (a.organization.name, a.status)
            for a in m.attendances.select_related("user", "organization")
        }
        assert rows == {
            "steering": ("Funder Org", AttendanceStatus.INVITED),
            "partner": ("Partner Org", AttendanceStatus.INVITED),
        }
        invited = Notification.objects.filter(kind=NotificationKind.MEETING_INVITATION)
        assert sorted(invited.values_list("user__username", flat=True)) == ["partner", "steering"]
        assert m.agenda_items == ["Welcome", "Data review"]

    @pytest.mark.parametrize("stranger", ["outsider", "other_member"])
    def test_a_non_member_cannot_be_invited(self, world, stranger):
        with pytest.raises(ValidationError) as exc:
            meeting(world, invitees=[world.people["steering"], world.people[stranger]])
        assert "not a member of this initiative" in exc.value.message_dict["invitees"][0]
        assert stranger in exc.value.message_dict["invitees"][0]
        assert not world.initiative.meetings.exists()

    def test_attendance_records_who_came_and_walk_ins(self, world):
        m = meeting(world)
        people = world.people
        services.attendance_record(
            meeting=m,
            by=people["backbone"],
            statuses={
                people["steering"].pk: AttendanceStatus.ATTENDED,
                people["partner"].pk: AttendanceStatus.EXCUSED,
                people["viewer"].pk: AttendanceStatus.ATTENDED,  # came without an invitation
            },
        )
        statuses = dict(m.attendances.values_list("user__username", "status"))
        assert statuses == {"steering": "attended", "partner": "excused", "viewer": "attended"}
        summary = selectors.attendance_summary(world.initiative)
        assert summary == {"invited": 3, "attended": 2, "organizations": 2, "meetings": 1}

    def test_attendance_for_a_non_member_is_refused_and_nothing_is_written(self, world):
        m = meeting(world)
        with pytest.raises(ValidationError) as exc:
            services.attendance_record(
                meeting=m,
                by=world.people["backbone"],
                statuses={world.people["steering"].pk: "attended", world.people["outsider"].pk: "attended"},
            )
        assert "outsider: not a member of this initiative" in exc.value.message_dict["statuses"][0]
        assert set(m.attendances.values_list("status", flat=True)) == {AttendanceStatus.INVITED}

    def test_only_backbone_records_meetings(self, world):
        for persona in ("steering", "partner", "viewer", "outsider"):
            with pytest.raises(PermissionDenied):
                services.meeting_create(
                    initiative=world.initiative, by=world.people[persona], title="x", starts_at=timezone.now()
                )

    def test_a_working_group_meeting_needs_the_groups_name(self, world):
        with pytest.raises(ValidationError) as exc:
            meeting(world, body=Body.WORKING_GROUP)
        assert "body_name" in exc.value.message_dict

    def test_a_meeting_cannot_end_before_it_starts(self, world):
        start = timezone.now()
        with pytest.raises(ValidationError):
            services.meeting_create(
                initiative=world.initiative,
                by=world.people["backbone"],
                title="x",
                starts_at=start,
                ends_at=start - timedelta(hours=1),
            )

    def test_sharing_minutes_notifies_the_invitees_once(self, world):
        m = meeting(world)
        services.minutes_save(meeting=m, by=world.people["backbone"], minutes="Draft", publish=False)
        assert not Notification.objects.filter(kind=NotificationKind.MEETING_MINUTES).exists()
        services.minutes_save(meeting=m, by=world.people["backbone"], minutes="# Minutes", publish=True)
        services.minutes_save(
            meeting=m, by=world.people["backbone"], minutes="# Minutes, fixed", publish=True
        )
        minutes = Notification.objects.filter(kind=NotificationKind.MEETING_MINUTES)
        assert sorted(minutes.values_list("user__username", flat=True)) == ["partner", "steering"]
        m.refresh_from_db()
        assert m.minutes == "# Minutes, fixed" and m.minutes_published_at is not None

    def test_empty_minutes_cannot_be_shared(self, world):
        with pytest.raises(ValidationError):
            services.minutes_save(
                meeting=meeting(world), by=world.people["backbone"], minutes=" ", publish=True
            )


class TestDecisions:
    def test_a_decision_rests_on_measures_documents_and_links(self, world):
        readiness = measure(world.initiative)
        doc = services.document_add(
            initiative=world.initiative,
            by=world.people["backbone"],
            title="Gap analysis",
            upload=pdf_upload(),
        )
        m = meeting(world)
        d = decision(
            world,
            meeting_obj=m,
            measures=[readiness],
            documents=[doc],
            links=["https://example.org/dashboard", ""],
        )
        assert list(d.measures.all()) == [readiness]
        assert list(d.documents.all()) == [doc]
        assert d.links == ["https://example.org/dashboard"]
        assert list(m.decisions.all()) == [d]
        decision(world, title="Without data")
        assert selectors.decision_data_use(world.initiative) == {
            "decisions": 2,
            "citing_measures": 1,
            "citing_any_source": 1,
        }

    def test_every_member_but_the_author_is_notified(self, world):
        decision(world)
        notified = Notification.objects.filter(kind=NotificationKind.DECISION)
        assert sorted(notified.values_list("user__username", flat=True)) == ["partner", "steering", "viewer"]

    def test_another_initiatives_measure_meeting_or_document_is_refused(self, world):
        foreign = measure(world.other, code="obesity")
        with pytest.raises(ValidationError) as exc:
            decision(world, measures=[foreign])
        assert "another initiative" in exc.value.message_dict["measures"][0]
        other_meeting = services.meeting_create(
            initiative=world.other, by=world.people["other_member"], title="Theirs", starts_at=timezone.now()
        )
        with pytest.raises(ValidationError):
            decision(world, meeting_obj=other_meeting)

    @pytest.mark.parametrize("link", ["javascript:alert(1)", "not a url", "ftp://example.org/x"])
    def test_links_must_be_web_addresses(self, world, link):
        with pytest.raises(ValidationError) as exc:
            decision(world, links=[link])
        assert "is not a web address" in exc.value.message_dict["links"][0]

    def test_update_replaces_the_bases(self, world):
        a, b = measure(world.initiative, "a"), measure(world.initiative, "b")
        d = decision(world, measures=[a])
        services.decision_update(decision=d, by=world.people["backbone"], measures=[b], title="Changed")
        d.refresh_from_db()
        assert d.title == "Changed" and list(d.measures.all()) == [b]


class TestActionItems:
    def test_owner_must_be_a_member_and_their_organisation_is_kept(self, world):
        item = services.action_item_create(
            initiative=world.initiative,
            by=world.people["backbone"],
            title="Send data",
            owner=world.people["partner"],
        )
        assert item.owner_organization == world.orgs["partner"]
        with pytest.raises(ValidationError):
            services.action_item_create(
                initiative=world.initiative,
                by=world.people["backbone"],
                title="x",
                owner=world.people["outsider"],
            )

    def test_the_owner_and_backbone_update_status_others_may_not(self, world):
        item = services.action_item_create(
            initiative=world.initiative,
            by=world.people["backbone"],
            title="Send data",
            owner=world.people["partner"],
            due_on=timezone.localdate() - timedelta(days=1),
        )
        assert item.is_overdue
        services.action_item_set_status(item=item, by=world.people["partner"], status=ActionStatus.DONE)
        assert item.completed_at is not None and not item.is_overdue
        services.action_item_set_status(item=item, by=world.people["backbone"], status=ActionStatus.OPEN)
        assert item.completed_at is None
        for persona in ("steering", "viewer"):
            with pytest.raises(PermissionDenied):
                services.action_item_set_status(item=item, by=world.people[persona], status=ActionStatus.DONE)


class TestPosts:
    def test_contributors_post_and_comment_viewers_do_not(self, world):
        post = services.post_create(
            initiative=world.initiative,
            by=world.people["partner"],
            title="Reading corners open",
            body="**Twelve** kindergartens",
            kind=PostKind.SUCCESS,
            tag="Early literacy",
        )
        assert post.author_organization == world.orgs["partner"]
        services.comment_add(post=post, by=world.people["steering"], body="Well done")
        with pytest.raises(PermissionDenied):
            services.comment_add(post=post, by=world.people["viewer"], body="x")
        with pytest.raises(PermissionDenied):
            services.post_create(
                initiative=world.initiative, by=world.people["viewer"], title="x", body="y", kind="news"
            )
        assert list(selectors.posts_of(world.initiative, tag="early LITERACY")) == [post]
        assert selectors.tags_of(world.initiative) == ["Early literacy"]

    def test_only_the_author_or_backbone_edits(self, world):
        post = services.post_create(
            initiative=world.initiative,
            by=world.people["partner"],
            title="Q",
            body="?",
            kind=PostKind.QUESTION,
        )
        with pytest.raises(PermissionDenied):
            services.post_update(post=post, by=world.people["steering"], title="Hijacked")
        services.post_update(post=post, by=world.people["backbone"], title="Moderated")
        services.post_delete(post=post, by=world.people["partner"])
        assert not world.initiative.posts.exists()


class TestDocuments:
    def test_a_file_is_stored_under_a_random_name_with_its_facts(self, world):
        doc = services.document_add(
            initiative=world.initiative,
            by=world.people["partner"],
            title="Report",
            upload=pdf_upload("My Report.pdf"),
        )
        assert doc.kind == DocumentKind.FILE
        assert doc.original_name == "My Report.pdf"
        assert doc.content_type == "application/pdf"
        assert "My Report" not in doc.file.name and doc.file.name.endswith(".pdf")
        assert default_storage.exists(doc.file.name)
        services.document_delete(document=doc, by=world.people["partner"])
        assert not Document.objects.exists()

    def test_a_disguised_file_is_refused_and_nothing_is_stored(self, world, settings):
        html = SimpleUploadedFile("minutes.pdf", b"<html><script>alert(document.cookie)</script></html>")
        with pytest.raises(ValidationError) as exc:
            services.document_add(
                initiative=world.initiative, by=world.people["partner"], title="x", upload=html
            )
        assert "HTML or markup" in exc.value.message_dict["upload"][0]
        assert not Document.objects.exists()
        root = settings.MEDIA_ROOT
        assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))

    def test_a_link_or_a_file_not_both_nor_neither(self, world):
        by = world.people["backbone"]
        with pytest.raises(ValidationError):
            services.document_add(initiative=world.initiative, by=by, title="x")
        with pytest.raises(ValidationError):
            services.document_add(
                initiative=world.initiative, by=by, title="x", upload=pdf_upload(), url="https://example.org"
            )
        with pytest.raises(ValidationError):
            services.document_add(initiative=world.initiative, by=by, title="x", url="javascript:alert(1)")
        link = services.document_add(
            initiative=world.initiative, by=by, title="x", url="https://example.org/a"
        )
        assert link.kind == DocumentKind.LINK and link.download_url == "https://example.org/a"

    def test_a_named_group_needs_a_name_and_members_of_the_initiative(self, world):
        by = world.people["backbone"]
        with pytest.raises(ValidationError) as exc:
            services.document_add(
                initiative=world.initiative,
                by=by,
                title="x",
                url="https://example.org",
                visibility=Visibility.GROUP,
            )
        assert "group_name" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.document_add(
                initiative=world.initiative,
                by=by,
                title="x",
                url="https://example.org",
                visibility=Visibility.GROUP,
                group_name="WG",
                group_members=[world.people["outsider"]],
            )
        assert "not a member" in exc.value.message_dict["group_members"][0]

    def test_who_sees_which_document(self, world):
        by = world.people["backbone"]
        everyone = services.document_add(
            initiative=world.initiative, by=by, title="All", url="https://example.org/1"
        )
        leadership = services.document_add(
            initiative=world.initiative,
            by=by,
            title="Leaders",
            url="https://example.org/2",
            visibility=Visibility.LEADERSHIP,
        )
        group = private_document(world)
        own = services.document_add(
            initiative=world.initiative,
            by=world.people["steering"],
            title="Steering's own group doc",
            url="https://example.org/3",
            visibility=Visibility.GROUP,
            group_name="Funders",
            group_members=[world.people["backbone"]],
        )
        seen = {
            persona: set(
                selectors.documents_visible_to(world.people[persona], world.initiative).values_list(
                    "title", flat=True
                )
            )
            for persona in ("backbone", "steering", "partner", "viewer", "outsider")
        }
        assert seen["backbone"] == {everyone.title, leadership.title, group.title, own.title}
        assert seen["steering"] == {everyone.title, leadership.title, own.title}
        assert seen["partner"] == {everyone.title, group.title}
        assert seen["viewer"] == {everyone.title}
        assert seen["outsider"] == set()


class TestMilestoneEvidence:
    def test_community_meetings_external_updates_and_data_decisions_show_on_the_milestones(self, world):
        assert selectors.milestone_evidence(world.initiative) == []
        meeting(world, body=Body.COMMUNITY, title="Community evening")
        meeting(world, body=Body.STEERING)
        meeting(world, body=Body.COMMUNITY, title="Not yet held", days=7)
        services.post_create(
            initiative=world.initiative,
            by=world.people["backbone"],
            title="Newsletter",
            body="Out",
            kind=PostKind.NEWS,
            shared_externally=True,
        )
        decision(world, measures=[measure(world.initiative)])
        evidence = {
            (phase, area): text for phase, area, text, _url in selectors.milestone_evidence(world.initiative)
        }
        assert evidence[(Phase.INITIATE_ACTION, Area.GOVERNANCE)] == "The steering committee met 1 time"
        assert evidence[(Phase.INITIATE_ACTION, Area.COMMUNITY)] == "1 community engagement meeting held"
        assert "1 external updates" in evidence[(Phase.ORGANIZE_FOR_IMPACT, Area.COMMUNITY)]
        assert "1 external updates" in evidence[(Phase.IMPLEMENT_AND_SUSTAIN, Area.COMMUNITY)]
        assert evidence[(Phase.IMPLEMENT_AND_SUSTAIN, Area.STRATEGY)] == "1 decision rests on shared measures"

    def test_the_overview_shows_them(self, client, world):
        meeting(world, body=Body.COMMUNITY, title="Community evening")
        client.force_login(world.people["viewer"])
        body = client.get(world.initiative.get_absolute_url()).content.decode()
        assert "1 community engagement meeting held" in body
