"""The agenda's pages through the Django test client: drafting with the formsets, the conflict of
two editors, publishing, comparing, endorsing, and query counts that do not grow with the data."""

import re

import pytest
from django.urls import reverse

from agenda import services
from agenda.choices import AgendaKind, Decision, VersionStatus
from agenda.models import AgendaSettings, AgendaVersion, Endorsement, Strategy
from initiatives.choices import Role
from tests.forms import form_data
from tests.permission_matrix import build_world, module_world
from tests.queries import assert_queries_constant, count_queries

from .helpers import GOAL, PROBLEM, figure_rows, publish, save_draft, strategy_rows

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
world_once, world = module_world("world", build_world)


def url(name: str, **kwargs) -> str:
    return reverse(f"agenda:{name}", kwargs={"slug": "c2c", **kwargs})


def draft_form(response) -> dict[str, str]:
    fields = form_data(response.content.decode(), "draft-form")
    assert fields, "no draft form on the page"
    return fields


def text(response) -> str:
    return response.content.decode()


def marked(html: str, tag: str) -> list[str]:
    """The texts marked as inserted (ins) or deleted (del) by the diff."""
    return re.findall(rf'<{tag} class="diff-{tag}">(.*?)</{tag}>', html, re.S)


@pytest.fixture
def as_backbone(client, world):
    client.force_login(world.people["backbone"])
    return client


def two_versions(world):
    """v1 and v2: the goal reworded, a strategy added, a principle dropped."""
    v1 = publish(world, goal="All children ready for school", principles=["Shared data", "Trust"])
    first = v1.strategy_items.get()
    v2 = publish(
        world,
        goal="All children in the south ready for school and work",
        principles=["Shared data"],
        kind=AgendaKind.FULL,
        summary="Sharper goal, a strategy for work.",
        strategies=[
            {"strategy_id": first.strategy_id, "title": first.title, "rationale": first.rationale},
            {"title": "Transition to work", "rationale": "Employers and schools plan together."},
        ],
    )
    return v1, v2


class TestDraftPage:
    def test_backbone_drafts_saves_and_publishes_the_first_version(self, as_backbone, world):
        home = as_backbone.get(url("home"))
        assert "No version of the common agenda has been published yet." in text(home)
        assert "Draft the agenda" in text(home)

        response = as_backbone.post(url("draft_start"))
        assert response.status_code == 302 and response["Location"] == url("draft")
        draft = AgendaVersion.objects.get(initiative=world.initiative)
        assert draft.status == VersionStatus.DRAFT

        data = draft_form(as_backbone.get(url("draft")))
        assert data["agenda-revision"] == "1"
        assert (data["figures-TOTAL_FORMS"], data["strategies-TOTAL_FORMS"]) == ("1", "1")
        data.update(
            {
                "agenda-problem_statement": PROBLEM,
                "agenda-goal": GOAL,
                "agenda-boundary_geographic": "The southern neighbourhoods",
                "agenda-principles": "Shared data\n\n  Trust  ",
                "figures-0-statement": "46% ready for school",
                "figures-0-source": "Municipal survey",
                "figures-0-year": "2024",
                "strategies-0-title": "Early childhood development",
                "strategies-0-rationale": "Readiness at five predicts later.",
            }
        )
        response = as_backbone.post(url("draft"), data)
        assert response.status_code == 302 and response["Location"] == url("draft")
        draft.refresh_from_db()
        assert (draft.revision, draft.problem_statement, draft.goal) == (2, PROBLEM, GOAL)
        assert draft.boundary_geographic == "The southern neighbourhoods"
        assert draft.guiding_principles == ["Shared data", "Trust"]
        assert draft.updated_by == world.people["backbone"]
        assert figure_rows(draft) == [("46% ready for school", "Municipal survey", 2024)]
        assert [(t, r) for _i, t, r in strategy_rows(draft)] == [
            ("Early childhood development", "Readiness at five predicts later.")
        ]

        page = as_backbone.get(url("draft"))
        assert "Draft saved." in text(page)
        again = draft_form(page)
        assert again["agenda-revision"] == "2"
        # The saved rows come back, each with one empty row to add another.
        assert (again["strategies-TOTAL_FORMS"], again["strategies-INITIAL_FORMS"]) == ("2", "1")
        assert again["strategies-0-strategy_id"] == str(draft.strategy_items.get().strategy_id)
        assert again["strategies-0-title"] == "Early childhood development"
        assert again["figures-0-year"] == "2024"

        response = as_backbone.post(
            url("publish"), {"kind": AgendaKind.PRELIMINARY, "change_summary": ""}, follow=True
        )
        assert response.redirect_chain == [(url("version", number=1), 302)]
        assert "Published as v1." in text(response)
        assert GOAL in text(response)
        v1 = AgendaVersion.objects.get(pk=draft.pk)
        assert (v1.status, v1.number, v1.published_by) == (
            VersionStatus.PUBLISHED,
            1,
            world.people["backbone"],
        )

        home = text(as_backbone.get(url("home")))
        assert "Start a new draft" in home and GOAL in home and "46% ready for school" in home

    def test_saving_unchanged_rows_keeps_them(self, as_backbone, world):
        draft = save_draft(world, figures=[{"statement": "s", "source": "src", "year": None}])
        before = (strategy_rows(draft), figure_rows(draft))
        data = draft_form(as_backbone.get(url("draft")))
        assert as_backbone.post(url("draft"), data).status_code == 302
        draft.refresh_from_db()
        assert draft.revision == 3
        assert (strategy_rows(draft), figure_rows(draft)) == before

    def test_a_row_marked_for_deletion_is_removed(self, as_backbone, world):
        draft = save_draft(world, strategies=[{"title": "Keep"}, {"title": "Drop"}])
        data = draft_form(as_backbone.get(url("draft")))
        assert data["strategies-1-title"] == "Drop"
        data["strategies-1-DELETE"] = "on"
        assert as_backbone.post(url("draft"), data).status_code == 302
        assert [t for _i, t, _r in strategy_rows(draft)] == ["Keep"]

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            (
                {"figures-0-statement": "x", "figures-0-source": "y", "figures-0-year": "1800"},
                "between 1900 and 2100",
            ),
            ({"figures-0-statement": "A figure without a source"}, "This field is required."),
            ({"strategies-0-rationale": "A rationale without a title"}, "This field is required."),
            ({"agenda-kind": "final"}, "Select a valid choice."),
        ],
    )
    def test_bad_input_is_shown_and_nothing_is_saved(self, as_backbone, world, changes, message):
        services.agenda_draft_start(initiative=world.initiative, by=world.people["backbone"])
        data = draft_form(as_backbone.get(url("draft")))
        data.update({"agenda-goal": "Should not be stored", **changes})
        response = as_backbone.post(url("draft"), data)
        assert response.status_code == 400
        assert message in text(response)
        stored = AgendaVersion.objects.get()
        assert (stored.goal, stored.revision) == ("", 1)
        assert not stored.figures.exists() and not Strategy.objects.exists()

    def test_a_strategy_of_another_initiative_is_refused_on_the_form(self, as_backbone, world):
        other = services.agenda_draft_start(initiative=world.other, by=world.people["other_member"])
        services.agenda_draft_save(
            draft=other,
            by=world.people["other_member"],
            revision=1,
            fields={},
            figures=[],
            strategies=[{"title": "Theirs"}],
            principles=[],
        )
        services.agenda_draft_start(initiative=world.initiative, by=world.people["backbone"])
        data = draft_form(as_backbone.get(url("draft")))
        data.update(
            {
                "agenda-goal": "Should not be stored",
                "strategies-0-strategy_id": str(Strategy.objects.get().pk),
                "strategies-0-title": "Stolen",
            }
        )
        response = as_backbone.post(url("draft"), data)
        assert response.status_code == 400
        assert "does not belong to this initiative" in text(response)
        assert AgendaVersion.objects.get(initiative=world.initiative).goal == ""

    def test_without_a_draft_the_draft_page_is_404(self, as_backbone, world):
        publish(world)
        assert as_backbone.get(url("draft")).status_code == 404
        assert as_backbone.post(url("publish"), {"kind": "full"}).status_code == 404

    def test_discard(self, as_backbone, world):
        v1 = publish(world)
        save_draft(world, goal="Abandoned idea")
        response = as_backbone.post(url("discard"), follow=True)
        assert response.redirect_chain == [(url("home"), 302)]
        assert "The draft was discarded." in text(response)
        assert list(AgendaVersion.objects.values_list("pk", flat=True)) == [v1.pk]


class TestConflict:
    def test_a_draft_published_in_the_instant_after_the_conflict_is_compared_as_it_was(
        self, as_backbone, world, monkeypatch
    ):
        """The conflict page reads the draft again, with its parts; published in that instant, there
        is no draft left to read: the page compares with the draft as the conflict found it."""
        client = as_backbone
        save_draft(world, goal="All children ready for school")
        alice = draft_form(client.get(url("draft")))
        bob = dict(alice)
        alice["agenda-goal"] = "All children ready for school by 2030"
        assert client.post(url("draft"), alice).status_code == 302

        from agenda import selectors

        real, calls = selectors.draft_of, []

        def draft_of(initiative):
            calls.append(initiative.pk)
            return real(initiative) if len(calls) == 1 else None  # gone after the page loaded it

        monkeypatch.setattr(selectors, "draft_of", draft_of)
        bob["agenda-goal"] = "Every child in the south ready for school"
        response = client.post(url("draft"), bob)
        assert (response.status_code, len(calls)) == (409, 2)
        body = text(response)
        assert "Someone else saved this draft while you were editing it." in body
        conflict = body[body.index('id="conflict"') : body.index('id="draft-form"')]
        goal = re.search(r'data-section="goal">(.*?)</section>', conflict, re.S).group(1)
        assert "2030" in " ".join(marked(goal, "del"))  # theirs, as the conflict found it

    def test_the_second_save_from_the_same_revision_sees_the_difference(self, as_backbone, world):
        client = as_backbone
        draft = save_draft(world, goal="All children ready for school")
        alice = draft_form(client.get(url("draft")))
        bob = dict(alice)  # both opened the draft at the same revision

        alice["agenda-goal"] = "All children ready for school by 2030"
        assert client.post(url("draft"), alice).status_code == 302

        bob["agenda-goal"] = "Every child in the south ready for school"
        bob["strategies-1-title"] = "Bob's new strategy"
        response = client.post(url("draft"), bob)
        assert response.status_code == 409
        body = text(response)
        assert 'id="conflict"' in body
        assert "Someone else saved this draft while you were editing it." in body
        conflict = body[body.index('id="conflict"') : body.index('id="draft-form"')]
        goal = re.search(r'data-section="goal">(.*?)</section>', conflict, re.S).group(1)
        assert "2030" in " ".join(marked(goal, "del"))  # theirs, removed by mine
        assert "south" in " ".join(marked(goal, "ins"))  # mine
        assert re.search(r'data-status="added">.*?Bob&#x27;s new strategy', conflict, re.S)

        # Nothing of Bob's was stored.
        stored = AgendaVersion.objects.get(pk=draft.pk)
        assert (stored.goal, stored.revision) == ("All children ready for school by 2030", 3)
        assert [t for _i, t, _r in strategy_rows(stored)] == ["Early childhood development"]

        # Bob's form keeps what he typed, now based on the stored revision: saving again is his choice.
        again = draft_form(response)
        assert again["agenda-revision"] == "3"
        assert again["agenda-goal"] == "Every child in the south ready for school"
        assert client.post(url("draft"), again).status_code == 302
        stored.refresh_from_db()
        assert (stored.goal, stored.revision) == ("Every child in the south ready for school", 4)
        assert [t for _i, t, _r in strategy_rows(stored)] == [
            "Early childhood development",
            "Bob's new strategy",
        ]

    def test_saving_again_works_when_the_other_editor_added_rows(self, as_backbone, world):
        draft = save_draft(world)
        mine = draft_form(as_backbone.get(url("draft")))  # one strategy, one empty row
        # Meanwhile someone adds a strategy and a figure.
        save_draft(
            world,
            strategies=[
                *[{"strategy_id": i, "title": t} for i, t, _r in strategy_rows(draft)],
                {"title": "Theirs"},
            ],
            figures=[{"statement": "Their figure", "source": "Their source", "year": 2020}],
        )
        mine["agenda-goal"] = "My goal"
        response = as_backbone.post(url("draft"), mine)
        assert response.status_code == 409
        again = draft_form(response)
        response = as_backbone.post(url("draft"), again)
        assert response.status_code == 302, re.findall(r"invalid-feedback[^>]*>(.*?)<", text(response))
        draft.refresh_from_db()
        assert draft.goal == "My goal"
        assert [t for _i, t, _r in strategy_rows(draft)] == ["Early childhood development"]
        assert figure_rows(draft) == []


class TestPublishPage:
    def test_publishing_an_empty_draft_is_refused_with_the_message(self, as_backbone, world):
        services.agenda_draft_start(initiative=world.initiative, by=world.people["backbone"])
        response = as_backbone.post(url("publish"), {"kind": AgendaKind.PRELIMINARY}, follow=True)
        assert response.redirect_chain == [(url("draft"), 302)]
        body = text(response)
        for message in (
            "An empty or incomplete agenda cannot be published.",
            "Describe the problem.",
            "State the goal.",
            "Add at least one key strategy.",
        ):
            assert message in body
        draft = AgendaVersion.objects.get()
        assert (draft.status, draft.number) == (VersionStatus.DRAFT, None)

    def test_after_v1_the_change_summary_is_asked_for(self, as_backbone, world):
        publish(world)
        save_draft(world, goal="Changed")
        response = as_backbone.post(
            url("publish"), {"kind": AgendaKind.FULL, "change_summary": " "}, follow=True
        )
        assert "Say what changed since the previous version." in text(response)
        assert AgendaVersion.objects.filter(status=VersionStatus.DRAFT).exists()
        response = as_backbone.post(url("publish"), {"kind": AgendaKind.FULL, "change_summary": "New goal"})
        assert response["Location"] == url("version", number=2)
        v2 = AgendaVersion.objects.get(number=2)
        assert (v2.kind, v2.change_summary, v2.goal) == (AgendaKind.FULL, "New goal", "Changed")

    def test_a_missing_kind_is_refused(self, as_backbone, world):
        save_draft(world)
        response = as_backbone.post(url("publish"), {"change_summary": "x"}, follow=True)
        assert "Choose what to publish the draft as." in text(response)
        assert not AgendaVersion.objects.filter(status=VersionStatus.PUBLISHED).exists()


class TestComparePage:
    def test_compare_shows_word_diff_and_items(self, as_backbone, world):
        two_versions(world)
        response = as_backbone.get(url("compare"), {"a": 1, "b": 2})
        assert response.status_code == 200
        body = text(response)
        goal = re.search(r'data-section="goal">(.*?)</section>', body, re.S).group(1)
        assert [t.strip() for t in marked(goal, "ins")] == ["in the south", "and work"]
        assert marked(goal, "del") == []
        assert re.search(r'data-status="added">.*?<ins class="diff-ins">Transition to work</ins>', body, re.S)
        assert re.search(r'data-status="same">.*?Early childhood development', body, re.S)
        assert re.search(r'data-status="removed">.*?<del class="diff-del">Trust</del>', body, re.S)
        assert "Sharper goal, a strategy for work." in body

    def test_without_parameters_the_latest_two_are_compared(self, as_backbone, world):
        two_versions(world)
        body = text(as_backbone.get(url("compare")))
        assert 'id="comparison"' in body
        assert "From v1 to v2" in body

    def test_texts_are_escaped_in_the_diff(self, as_backbone, world):
        publish(world, goal="Plain goal")
        publish(world, goal='Plain goal <script>alert("x")</script>')
        body = text(as_backbone.get(url("compare"), {"a": 1, "b": 2}))
        assert "<script>alert" not in body
        assert "&lt;script&gt;alert" in body

    @pytest.mark.parametrize(
        "query",
        [
            {"a": "x", "b": "2"},
            {"a": "99", "b": "1"},
            {"a": "1", "b": "abc"},
            {"a": "", "b": "99"},
            {"a": "-1"},
        ],
    )
    def test_bad_parameters_are_a_message_not_an_error(self, as_backbone, world, query):
        two_versions(world)
        response = as_backbone.get(url("compare"), query)
        assert response.status_code == 200
        body = text(response)
        assert "Choose two published versions to compare." in body
        assert 'id="comparison"' not in body

    def test_with_one_version_there_is_nothing_to_compare(self, as_backbone, world):
        publish(world)
        response = as_backbone.get(url("compare"))
        assert response.status_code == 200
        assert "There is only one version so far." in text(response)


class TestEndorsePage:
    @pytest.fixture
    def as_steering(self, client, world):
        client.force_login(world.people["steering"])
        return client

    def test_steering_endorses_the_current_version(self, as_steering, world):
        publish(world)
        page = text(as_steering.get(url("version", number=1)))
        assert "Endorse or decline" in page
        response = as_steering.post(url("endorse", number=1), {"decision": Decision.ENDORSE, "comment": ""})
        assert response.status_code == 302 and response["Location"] == url("version", number=1)
        e = Endorsement.objects.get()
        assert (e.user, e.decision, e.version.number) == (world.people["steering"], Decision.ENDORSE, 1)
        page = text(as_steering.get(url("version", number=1)))
        assert "Your decision on v1 is recorded." in page
        assert 'data-endorser="steering" data-decision="endorse"' in page
        assert "Change your decision" in page
        # The only steering member endorsed: adopted under the majority rule.
        assert AgendaVersion.objects.get(number=1).adopted_at is not None

    def test_declining_without_a_comment_is_400_and_nothing_is_stored(self, as_steering, world):
        publish(world)
        response = as_steering.post(url("endorse", number=1), {"decision": Decision.DECLINE, "comment": "  "})
        assert response.status_code == 400
        assert "Say why you decline, so that the next version can address it." in text(response)
        assert not Endorsement.objects.exists()

    def test_no_decision_is_400(self, as_steering, world):
        publish(world)
        response = as_steering.post(url("endorse", number=1), {"comment": "hm"})
        assert response.status_code == 400
        assert "This field is required." in text(response)
        assert not Endorsement.objects.exists()

    def test_a_superseded_version_is_refused(self, as_steering, world):
        publish(world)
        publish(world, goal="v2")
        page = text(as_steering.get(url("version", number=1)))
        assert "This version was superseded by v2." in page
        assert "Endorse or decline" not in page
        response = as_steering.post(url("endorse", number=1), {"decision": Decision.ENDORSE})
        assert response.status_code == 400
        assert "Version v1 was superseded by v2: endorse the current version instead." in text(response)
        assert not Endorsement.objects.exists()

    def test_a_version_that_does_not_exist_is_404(self, as_steering, world):
        publish(world)
        assert as_steering.get(url("version", number=2)).status_code == 404
        assert as_steering.post(url("endorse", number=2), {"decision": Decision.ENDORSE}).status_code == 404

    @pytest.mark.parametrize("persona", ["backbone", "viewer"])
    def test_backbone_and_viewer_get_no_form_and_403(self, client, world, persona):
        publish(world)
        client.force_login(world.people[persona])
        assert "Endorse or decline" not in text(client.get(url("version", number=1)))
        response = client.post(url("endorse", number=1), {"decision": Decision.ENDORSE})
        assert response.status_code == 403
        assert not Endorsement.objects.exists()

    def test_home_shows_who_endorsed_which_version(self, client, world):
        v1, v2 = two_versions(world)
        Endorsement.objects.create(
            version=v1,
            user=world.people["partner"],
            organization=world.orgs["partner"],
            role=Role.PARTNER,
            decision=Decision.ENDORSE,
        )
        services.agenda_endorse(
            version=v2, by=world.people["steering"], decision=Decision.DECLINE, comment="No"
        )
        client.force_login(world.people["viewer"])
        body = text(client.get(url("home")))
        partner = re.search(r'data-endorser="partner">(.*?)</li>', body, re.S).group(1)
        steering = re.search(r'data-endorser="steering">(.*?)</li>', body, re.S).group(1)
        assert "endorsed" in partner and ">v1<" in partner and "an older version" in partner
        assert "declined" in steering and ">v2<" in steering and "an older version" not in steering
        assert "0 of 1 steering committee members endorse the current version; 1 needed." in body


def test_overview_links_the_agenda_as_milestone_evidence(as_backbone, world):
    publish(world, kind=AgendaKind.PRELIMINARY)
    body = text(as_backbone.get(reverse("initiatives:overview", kwargs={"slug": "c2c"})))
    assert re.search(
        r'class="small platform-evidence"><a href="/initiatives/c2c/agenda/v/1/">Preliminary common agenda \u2068v1\u2069 published',
        body,
    )


@pytest.mark.parametrize("page", ["home", "version", "compare", "draft"])
def test_reading_a_page_writes_nothing(as_backbone, world, page):
    publish(world)
    publish(world, goal="v2")
    save_draft(world, goal="v3 in the works")
    AgendaSettings.objects.all().delete()  # as for an initiative whose rule nobody has set yet
    target = {
        "home": url("home"),
        "version": url("version", number=1),
        "compare": url("compare"),
        "draft": url("draft"),
    }

    def read():
        assert as_backbone.get(target[page]).status_code == 200

    ctx = count_queries(read)
    writes = [q["sql"] for q in ctx.captured_queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"])]
    assert writes == []


@pytest.mark.parametrize(
    "target",
    [url("home"), url("version", number=1), url("version", number=2), url("compare") + "?a=1&b=2"],
    ids=["home", "v1", "v2", "compare"],
)
def test_query_count_does_not_grow_with_versions_and_endorsements(client, world, make_user, target):
    v1, v2 = two_versions(world)
    services.agenda_endorse(version=v2, by=world.people["steering"], decision=Decision.ENDORSE)
    Endorsement.objects.create(
        version=v1,
        user=world.people["partner"],
        organization=world.orgs["partner"],
        role=Role.PARTNER,
        decision=Decision.ENDORSE,
    )
    client.force_login(world.people["steering"])

    def page():
        assert client.get(target).status_code == 200

    def grow():
        for n in range(6):
            org = world.orgs["funder" if n % 2 else "partner"]
            member = make_user(f"steer{n}")
            world.initiative.memberships.create(user=member, organization=org, role=Role.STEERING)
            for version in (v1, v2):
                Endorsement.objects.create(
                    version=version,
                    user=member,
                    organization=org,
                    role=Role.STEERING,
                    decision=Decision.DECLINE if n % 3 == 0 else Decision.ENDORSE,
                    comment=f"Comment {n}",
                )
            publish(
                world,
                goal=f"Goal {n}",
                figures=[
                    {"statement": f"Figure {n}.{k}", "source": "Survey", "year": 2020 + k} for k in range(3)
                ],
                strategies=[{"title": f"Strategy {n}.{k}"} for k in range(3)],
                principles=[f"Principle {n}", "Trust"],
            )

    assert_queries_constant(page, grow, exact=True)


def test_a_form_of_a_draft_published_since_does_not_overwrite_the_next_draft(as_backbone, world):
    save_draft(world, goal="The goal of the first draft")
    stale = draft_form(as_backbone.get(url("draft")))  # revision 2 of the first draft
    publish(world, goal="The goal of the first draft")  # saved again (revision 3), published as v1
    save_draft(world, goal="The goal of the next draft")  # a new draft: revision 1, saved: revision 2
    next_draft = AgendaVersion.objects.get(status=VersionStatus.DRAFT)
    assert str(next_draft.revision) == stale["agenda-revision"]  # the numbers alone cannot tell them apart

    stale["agenda-goal"] = "Typed into the first draft's form"
    response = as_backbone.post(url("draft"), stale)
    assert response.status_code == 409
    assert 'id="conflict"' in text(response)
    next_draft.refresh_from_db()
    assert (next_draft.goal, next_draft.revision) == ("The goal of the next draft", 2)
    assert AgendaVersion.objects.get(number=1).goal == "The goal of the first draft"

    # Saving the form shown with the conflict is a choice, and it works.
    assert as_backbone.post(url("draft"), draft_form(response)).status_code == 302
    next_draft.refresh_from_db()
    assert (next_draft.goal, next_draft.revision) == ("Typed into the first draft's form", 3)
