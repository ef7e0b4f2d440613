"""The pages through the Django test client: the structure, forming groups, the action plan,
the alignment view, the network page and the survey; bad input shown on the form with nothing
saved; and query counts that do not grow with the data."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from initiatives.models import Organization
from tests.queries import check_constant, queries_before_and_after
from workgroups import services
from workgroups.models import Activity, SteeringCommitteeSeat, TieResponse, TieSurveySubmission, WorkingGroup

from ..permission_matrix import build_world, module_world
from .conftest import answer, build_wg, make_measure, publish_agenda

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
wg_once, wg = module_world("wg", lambda: build_wg(build_world()))


def url(name: str, **kwargs) -> str:
    return reverse(f"workgroups:{name}", kwargs={"slug": "c2c", **kwargs})


def text(response) -> str:
    return response.content.decode()


def login(client, wg, persona="backbone"):
    client.force_login(wg.people[persona])
    return client


class TestStructure:
    def test_the_tiers_and_who_sits_where(self, client, wg):
        services.seat_add(
            initiative=wg.initiative,
            by=wg.people["backbone"],
            person_name="Sarah Amsalem",
            organization=wg.community,
            is_community_representative=True,
        )
        body = text(login(client, wg, "viewer").get(url("home")))
        steering = body[body.index('id="steering"') : body.index('id="groups"')]
        assert (
            "steering" in steering and "Funder Org" in steering and 'data-sector="philanthropy"' in steering
        )
        assert "Sarah Amsalem" in steering and 'data-community="true"' in steering
        assert "2 seats · 2 sectors · 1 community representative" in steering
        groups = body[body.index('id="groups"') : body.index('id="backbone"')]
        assert "Early Literacy" in groups and "Early literacy" in groups  # the group and its strategy
        backbone = body[body.index('id="backbone"') :]
        assert "Backbone Org" in backbone
        assert "Add a seat" not in body  # viewers read

    def test_backbone_staff_seat_someone_and_remove_them(self, client, wg):
        login(client, wg)
        response = client.post(
            url("seat_add"),
            {
                "person_name": "Yarden",
                "is_community_representative": "on",
                "seat_role": "member",
                "since": "2026-01-05",
            },
        )
        seat = SteeringCommitteeSeat.objects.get(person_name="Yarden")
        assert response["Location"] == url("home") + f"#seat-{seat.pk}"
        assert client.post(url("seat_remove", pk=seat.pk)).status_code == 302
        assert not SteeringCommitteeSeat.objects.filter(pk=seat.pk).exists()

    def test_a_member_seated_twice_is_refused_on_the_form(self, client, wg):
        response = login(client, wg).post(
            url("seat_add"),
            {"membership": wg.memberships["steering"].pk, "seat_role": "member", "since": "2026-01-05"},
        )
        assert response.status_code == 400
        assert "steering already holds a seat on the steering committee." in text(response)
        assert SteeringCommitteeSeat.objects.filter(initiative=wg.initiative).count() == 1


class TestGroups:
    def test_form_a_group_for_a_strategy_without_one(self, client, wg):
        measure = make_measure(wg.initiative, "work-1")
        login(client, wg)
        listing = text(client.get(url("groups")))
        assert "Key strategies without a working group" in listing and "Transition to work" in listing
        form = text(client.get(url("group_create") + f"?strategy={wg.strategies[1].pk}"))
        # Only the strategy without a group is offered, preselected, in its current wording.
        select = re.search(r'<select name="strategy".*?</select>', form, re.S).group(0)
        assert f'<option value="{wg.strategies[1].pk}" selected>Transition to work</option>' in select
        assert f'value="{wg.strategies[0].pk}"' not in select
        response = client.post(
            url("group_create"),
            {
                "name": "Work",
                "strategy": wg.strategies[1].pk,
                "chair": wg.memberships["partner"].pk,
                "focus_measures": [measure.pk],
                "formed_on": "2026-03-01",
            },
        )
        group = WorkingGroup.objects.get(name="Work")
        assert response["Location"] == url("group_detail", pk=group.pk)
        assert group.chair == wg.memberships["partner"] and list(group.focus_measures.all()) == [measure]
        assert "Key strategies without a working group" not in text(client.get(url("groups")))

    def test_a_second_group_for_a_strategy_is_refused_on_the_form(self, client, wg):
        login(client, wg)
        # A crafted form (the page offers only free strategies): the service still refuses.
        response = client.post(
            url("group_edit", pk=wg.group.pk),
            {"name": "Early Literacy", "strategy": wg.strategies[0].pk, "formed_on": "2026-01-01"},
        )
        assert response.status_code == 302
        other = services.working_group_create(
            initiative=wg.initiative, by=wg.people["backbone"], name="Work", strategy=wg.strategies[1]
        )
        response = client.post(
            url("group_edit", pk=other.pk),
            {"name": "Work", "strategy": wg.strategies[0].pk, "formed_on": "2026-01-01"},
        )
        assert response.status_code == 400
        assert "Select a valid choice" in text(response) or "already has a working group" in text(response)
        other.refresh_from_db()
        assert other.strategy == wg.strategies[1]

    def test_a_member_added_twice_is_refused_on_the_form(self, client, wg):
        response = login(client, wg, "steering").post(
            url("group_member_add", pk=wg.group.pk), {"membership": wg.memberships["partner"].pk}
        )
        assert response.status_code == 400
        assert "partner is already a member of this working group." in text(response)
        assert wg.group.members.count() == 2

    def test_the_chair_adds_and_removes_members(self, client, wg):
        login(client, wg, "steering")
        response = client.post(url("group_member_add", pk=wg.group.pk), {"organization": wg.community.pk})
        assert response["Location"] == url("group_detail", pk=wg.group.pk)
        member = wg.group.members.get(organization=wg.community)
        client.post(url("group_member_remove", pk=wg.group.pk, member=member.pk))
        assert not wg.group.members.filter(pk=member.pk).exists()
        chair = wg.group.members.get(membership=wg.memberships["steering"])
        response = client.post(url("group_member_remove", pk=wg.group.pk, member=chair.pk), follow=True)
        assert "choose another chair first" in text(response)
        assert wg.group.members.filter(pk=chair.pk).exists()


class TestActionPlan:
    def form(self, wg, **changes):
        data = {
            "title": "Library hours",
            "description": "Longer opening in Dalet.",
            "lead_organization": wg.orgs["funder"].pk,
            "contributing_organizations": [wg.community.pk],
            "start_date": "2026-03-01",
            "end_date": "2026-09-30",
            "status": "planned",
            "strategy": wg.strategies[0].pk,
        }
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}

    def test_the_chair_adds_an_activity_and_it_shows_in_the_plan(self, client, wg):
        login(client, wg, "steering")
        response = client.post(url("activity_create", pk=wg.group.pk), self.form(wg))
        assert response["Location"] == url("group_detail", pk=wg.group.pk)
        activity = Activity.objects.get(title="Library hours")
        assert (activity.lead_organization, activity.end_date) == (wg.orgs["funder"], date(2026, 9, 30))
        assert list(activity.contributing_organizations.all()) == [wg.community]
        plan = text(client.get(url("group_detail", pk=wg.group.pk)))
        row = re.search(rf'<tr data-activity="{activity.pk}">(.*?)</tr>', plan, re.S).group(1)
        assert "Library hours" in row and "Funder Org" in row and "Community Org" in row and "Planned" in row

    def test_an_activity_ending_before_it_starts_is_refused_with_nothing_saved(self, client, wg):
        before = Activity.objects.count()
        response = login(client, wg).post(
            url("activity_create", pk=wg.group.pk), self.form(wg, end_date="2026-02-01")
        )
        assert response.status_code == 400
        assert "An activity cannot end before it starts." in text(response)
        assert Activity.objects.count() == before

    def test_the_lead_partner_edits_but_cannot_hand_the_lead_away(self, client, wg):
        login(client, wg, "partner")
        page = text(client.get(url("activity_edit", pk=wg.activity.pk)))
        assert re.search(r'<select name="lead_organization"[^>]*disabled', page)
        response = client.post(
            url("activity_edit", pk=wg.activity.pk),
            self.form(wg, title="Reading camps, summer", lead_organization=wg.orgs["funder"].pk),
        )
        assert response.status_code == 302
        wg.activity.refresh_from_db()
        # The disabled field keeps its value whatever is posted.
        assert (wg.activity.title, wg.activity.lead_organization) == (
            "Reading camps, summer",
            wg.orgs["partner"],
        )

    def test_progress_is_recorded_on_the_activity_page(self, client, wg):
        login(client, wg, "partner")
        page = text(client.get(url("activity_detail", pk=wg.activity.pk)))
        assert "Update progress" in page and "Two camps booked." in page
        response = client.post(
            url("activity_progress", pk=wg.activity.pk), {"note": "Camps full.", "status": "done"}
        )
        assert response["Location"] == url("activity_detail", pk=wg.activity.pk)
        wg.activity.refresh_from_db()
        assert wg.activity.status == "done"
        response = client.post(url("activity_progress", pk=wg.activity.pk), {"note": "", "status": "done"})
        assert response.status_code == 400
        assert wg.activity.updates.count() == 2

    def test_viewers_see_the_plan_without_the_ways_to_change_it(self, client, wg):
        page = text(login(client, wg, "viewer").get(url("group_detail", pk=wg.group.pk)))
        assert "Reading camps" in page
        assert "Add an activity" not in page and "Update progress" not in page and "Add a member" not in page


class TestAlignment:
    def test_who_contributes_to_what_and_the_gaps(self, client, wg):
        body = text(login(client, wg, "viewer").get(url("alignment")))

        def cell(org, strategy):
            row = re.search(rf'<tr data-org="{org.pk}"[^>]*>(.*?)</tr>', body, re.S).group(1)
            return re.search(rf'<td class="[^"]*" data-strategy="{strategy.pk}"([^>]*)>(.*?)</td>', row, re.S)

        lead = cell(wg.orgs["partner"], wg.strategies[0])
        assert 'data-leads="1"' in lead.group(1) and "G" in lead.group(2)  # leads, and in the group
        funder = cell(wg.orgs["funder"], wg.strategies[0])
        assert 'data-contributes="1"' in funder.group(1) and "★" in funder.group(2)  # contributes, chairs
        assert cell(wg.orgs["partner"], wg.strategies[1]).group(2).strip() == ""
        gaps = body[body.index('id="gap-strategies"') :]
        assert "Transition to work" in gaps[: gaps.index('id="gap-organizations"')]
        assert "Community Org" in gaps[gaps.index('id="gap-organizations"') :]

    def test_stopped_activities_do_not_count(self, client, wg):
        services.activity_update(activity=wg.activity, by=wg.people["backbone"], status="stopped")
        body = text(login(client, wg).get(url("alignment")))
        row = re.search(rf'<tr data-org="{wg.orgs["partner"].pk}"[^>]*>(.*?)</tr>', body, re.S).group(1)
        assert "data-leads" not in row


class TestNetwork:
    def test_the_latest_wave_is_drawn_from_stored_figures(self, client, wg):
        response = login(client, wg, "viewer").get(url("network"))
        body = text(response)
        assert "The network in Wave 1" in body
        data = re.search(r'<script id="network-data" type="application/json">(.*?)</script>', body, re.S)
        assert data and '"edges"' in data.group(1)
        assert "Backbone Org — Partner Org" in body  # the ties as text
        # No inline scripts: every other script is a file (plotly.js and ours, from static).
        scripts = re.findall(r"<script([^>]*)>", body)
        assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
        assert f'src="/static/{settings.PLOTLY_JS}"' in body and 'src="/static/workgroups/network.js"' in body

    @pytest.mark.parametrize(
        ("language", "words"),
        [
            ("en", ("both report it", "one side reports it", "a thicker line: more frequent contact")),
            ("he", ("שני הצדדים מדווחים", "צד אחד מדווח", "קו עבה יותר: קשר תכוף יותר")),
        ],
    )
    def test_the_legend_says_what_the_lines_mean(self, client, wg, language, words):
        """Solid, dotted and thick lines were drawn with only the sectors' colours explained."""
        client.cookies["django_language"] = language
        body = text(login(client, wg, "viewer").get(url("network")))
        legend = body[
            body.index('id="network-legend"') : body.index("</ul>", body.index('id="network-legend"'))
        ]
        assert all(word in legend for word in words), legend
        assert 'data-line="one-side"><svg class="tie-sample"' in legend and 'stroke-dasharray="1 3"' in legend

    def test_records_and_unknown_waves(self, client, wg):
        login(client, wg)
        body = text(client.get(url("network") + "?wave=records"))
        assert "The network the records show" in body and "Funder Org — Partner Org" in body
        assert "a thicker line: more activities and working groups in common" in body
        assert client.get(url("network") + f"?wave={wg.open_wave.pk}").status_code == 404  # not computed
        assert client.get(url("network") + "?wave=nonsense").status_code == 404

    def test_the_change_since_the_previous_wave(self, client, wg):
        backbone = wg.people["backbone"]
        wave = services.wave_close(wave=wg.open_wave, by=backbone)
        services.network_metrics_compute(wave_id=wave.pk)
        body = text(login(client, wg).get(url("network") + f"?wave={wave.pk}"))
        assert "Change since Wave 1" in body
        assert re.search(r'data-change="new_ties"><span class="number">1</span>', body)
        assert re.search(r'data-change="lost_ties"><span class="number">1</span>', body)

    def test_plotly_is_a_local_static_file(self, client, wg):
        # plotly.js is a static file of ours (STATICFILES_DIRS "vendor/plotly"), never a CDN's: npm's
        # basic build where `npm ci` ran (as in CI), else the plotly package's full bundle.
        from pathlib import Path

        from django.contrib.staticfiles import finders

        path = finders.find(settings.PLOTLY_JS)
        assert path and b"plotly.js" in Path(path).read_bytes()[:200]
        if (Path(settings.BASE_DIR) / "node_modules" / "plotly.js-basic-dist-min").is_dir():
            assert settings.PLOTLY_JS == "vendor/plotly/plotly-basic.min.js"


class TestSurvey:
    def test_a_partner_rates_ties_with_the_others(self, client, wg):
        login(client, wg, "partner")
        page = text(client.get(url("survey", pk=wg.open_wave.pk)))
        assert f'data-org="{wg.orgs["partner"].pk}"' not in page  # not its own organisation
        assert f'data-org="{wg.community.pk}"' in page
        c = wg.community.pk
        response = client.post(
            url("survey", pk=wg.open_wave.pk),
            {
                f"{c}-contact": "4",
                f"{c}-kinds": ["joint_planning", "joint_programmes"],
                f"{c}-trust": "5",
                f"{c}-value": "4",
            },
        )
        assert response.status_code == 302
        rows = list(TieResponse.objects.filter(wave=wg.open_wave, from_organization=wg.orgs["partner"]))
        assert [(r.to_organization, r.contact_frequency, r.kinds, r.trust, r.value) for r in rows] == [
            (wg.community, 4, ["joint_planning", "joint_programmes"], 5, 4)
        ]

    def _refused(self, client, wg, data, message, persona="partner"):
        before = list(TieResponse.objects.values_list("pk", flat=True)), TieSurveySubmission.objects.count()
        response = login(client, wg, persona).post(url("survey", pk=wg.open_wave.pk), data)
        assert response.status_code == 400
        assert message in text(response)
        assert (
            list(TieResponse.objects.values_list("pk", flat=True)),
            TieSurveySubmission.objects.count(),
        ) == before

    def test_an_answer_about_an_organisation_outside_the_initiative_is_refused(self, client, wg):
        c, o = wg.community.pk, wg.orgs["other"].pk
        self._refused(
            client,
            wg,
            {
                f"{c}-contact": "3",
                f"{c}-trust": "4",
                f"{c}-value": "4",
                f"{o}-contact": "3",
                f"{o}-trust": "4",
                f"{o}-value": "4",
            },
            "An answer is about an organisation that is not part of this initiative.",
        )

    def test_a_tie_to_itself_is_refused(self, client, wg):
        p = wg.orgs["partner"].pk
        self._refused(
            client,
            wg,
            {f"{p}-contact": "3", f"{p}-trust": "4", f"{p}-value": "4"},
            "An organisation cannot rate a tie with itself.",
        )

    def test_a_row_needs_its_ratings(self, client, wg):
        c = wg.community.pk
        self._refused(client, wg, {f"{c}-contact": "3", f"{c}-trust": "4"}, "Rate it from 1 to 5.")
        self._refused(
            client,
            wg,
            {f"{c}-trust": "4"},
            "Say how often you are in contact with Community Org, or clear the row.",
        )

    def test_backbone_staff_answer_for_any_organisation(self, client, wg):
        login(client, wg)
        page = text(client.get(url("survey", pk=wg.open_wave.pk) + f"?organization={wg.community.pk}"))
        assert 'id="survey-org"' in page
        p = wg.orgs["partner"].pk
        response = client.post(
            url("survey", pk=wg.open_wave.pk),
            {"organization": wg.community.pk, f"{p}-contact": "1", f"{p}-trust": "3", f"{p}-value": "3"},
        )
        assert response.status_code == 302
        assert TieResponse.objects.filter(wave=wg.open_wave, from_organization=wg.community).count() == 1

    def test_a_partner_cannot_answer_for_another_organisation(self, client, wg):
        c = wg.community.pk
        login(client, wg, "partner").post(
            url("survey", pk=wg.open_wave.pk),
            {"organization": wg.orgs["funder"].pk, f"{c}-contact": "1", f"{c}-trust": "3", f"{c}-value": "3"},
        )
        # The organisation asked for is ignored: the partner answers for its own.
        assert not TieResponse.objects.filter(wave=wg.open_wave, from_organization=wg.orgs["funder"]).exists()

    def test_a_closed_wave_takes_no_answers(self, client, wg):
        c = wg.community.pk
        response = login(client, wg).post(
            url("survey", pk=wg.closed_wave.pk), {f"{c}-contact": "1", f"{c}-trust": "3", f"{c}-value": "3"}
        )
        assert response["Location"] == url("waves")
        assert not TieResponse.objects.filter(wave=wg.closed_wave, to_organization=wg.community).exists()


class TestWavesPage:
    def test_backbone_staff_create_open_and_close_waves(
        self, client, wg, django_capture_on_commit_callbacks, eager_tasks
    ):
        login(client, wg)
        client.post(url("waves"), {"name": "Autumn"})
        response = client.post(url("wave_open", pk=wg.planned_wave.pk), follow=True)
        assert "The wave Wave 2 is still open: close it first." in text(response)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("wave_close", pk=wg.open_wave.pk), follow=True)
        assert "its network figures are being computed" in text(response)
        assert wg.open_wave.metrics.__class__.objects.get(wave=wg.open_wave).status == "done"
        assert client.post(url("wave_open", pk=wg.planned_wave.pk)).status_code == 302
        body = text(client.get(url("waves")))
        assert re.search(rf'data-wave="{wg.planned_wave.pk}" data-status="open"', body)
        assert 'data-status="planned"' in body  # Autumn

    def test_a_bad_name_is_shown_on_the_form(self, client, wg):
        response = login(client, wg).post(url("waves"), {"name": "Wave 1"})
        assert response.status_code == 400 and "Another wave already has this name." in text(response)


def test_the_lifecycle_shows_the_evidence(client, wg):
    body = text(login(client, wg, "viewer").get(reverse("initiatives:overview", kwargs={"slug": "c2c"})))
    assert "Steering committee formed: 1 seats from 1 sectors" in body
    assert "1 working groups formed, for 1 of 2 key strategies" in body


def test_hebrew_pages_read_right_to_left(client, wg):
    login(client, wg, "viewer")
    client.cookies["django_language"] = "he"
    for name in ("home", "groups", "alignment", "network", "waves"):
        body = text(client.get(url(name)))
        assert '<html lang="he" dir="rtl">' in body
        assert "bootstrap.rtl.min.css" in body


# --- Query counts: the same number of queries with a few rows and with many -----------------


def _grow(wg, make_user, n: int):
    """More of everything: strategies with groups, members, activities with updates, seats, waves."""
    backbone = wg.people["backbone"]
    titles = ["Early literacy", "Transition to work", *[f"Strategy {n}.{k}" for k in range(n)]]
    strategies = publish_agenda(wg.initiative, backbone, titles)
    measure = make_measure(wg.initiative, f"m{n}")
    for k in range(n):
        org = Organization.objects.create(name=f"Org {n}-{k}", sector="business" if k % 2 else "nonprofit")
        wg.initiative.participations.create(organization=org)
        user = make_user(f"person{n}-{k}")
        membership = wg.initiative.memberships.create(user=user, organization=org, role="steering")
        services.seat_add(
            initiative=wg.initiative,
            by=backbone,
            membership=membership,
            is_community_representative=bool(k % 2),
        )
        group = services.working_group_create(
            initiative=wg.initiative,
            by=backbone,
            name=f"Group {n}-{k}",
            strategy=strategies[2 + k],
            chair=membership,
            focus_measures=[measure],
        )
        services.group_member_add(group=group, by=backbone, organization=org if k else wg.community)
        for j in range(2):
            activity = services.activity_create(
                group=group,
                by=backbone,
                title=f"Activity {n}-{k}-{j}",
                lead_organization=org,
                contributing_organizations=[wg.orgs["partner"], wg.community],
                start_date=date(2026, 1, 1),
                measures=[measure],
            )
            services.activity_progress_add(
                activity=activity, by=backbone, note="On track.", status="under_way"
            )
        services.activity_create(
            group=wg.group,
            by=backbone,
            title=f"More {n}-{k}",
            lead_organization=org,
            contributing_organizations=[wg.orgs["funder"]],
            start_date=date(2026, 1, 1),
        )
        answer(wg.open_wave, backbone, org, [(wg.orgs["partner"], 2, ["information_sharing"], 3, 3)])
    wave = services.wave_create(initiative=wg.initiative, by=backbone, name=f"Grown {n}")
    services.wave_close(wave=wg.open_wave, by=backbone)
    services.network_metrics_compute(wave_id=wg.open_wave.pk)
    services.wave_open(wave=wave, by=backbone)
    wg.open_wave = wave


PAGES = {
    "home": lambda wg: url("home"),
    "groups": lambda wg: url("groups"),
    "group": lambda wg: url("group_detail", pk=wg.group.pk),
    "activity": lambda wg: url("activity_detail", pk=wg.activity.pk),
    "alignment": lambda wg: url("alignment"),
    "network": lambda wg: url("network"),
    "network-records": lambda wg: url("network") + "?wave=records",
    "waves": lambda wg: url("waves"),
    "survey": lambda wg: url("survey", pk=wg.open_wave.pk),
    "api-seats": lambda wg: "/api/v1/initiatives/c2c/steering-seats/",
    "api-groups": lambda wg: "/api/v1/initiatives/c2c/working-groups/",
    "api-members": lambda wg: "/api/v1/initiatives/c2c/working-group-members/",
    "api-activities": lambda wg: "/api/v1/initiatives/c2c/activities/",
    "api-waves": lambda wg: "/api/v1/initiatives/c2c/tie-waves/",
    "api-ties": lambda wg: "/api/v1/initiatives/c2c/ties/",
    "api-metrics": lambda wg: "/api/v1/initiatives/c2c/network-metrics/",
    "api-record-ties": lambda wg: "/api/v1/initiatives/c2c/record-ties/",
}


@pytest.fixture(scope="module")
def page_queries(wg_once, django_db_blocker):
    """Every page's queries as backbone staff with the data grown once and then four times more,
    and the answers' status codes. The growth is the costly part: made once for the 17 pages, not
    once per page, in a savepoint of the module's transaction that is rolled back."""
    from django.test import Client

    from tests.factories import UserFactory
    from tests.permission_matrix import module_savepoint, sign_in_as

    statuses: dict[str, list[int]] = {}

    def make_user(username: str, **extra):
        return UserFactory(username=username, **extra)

    with module_savepoint(wg_once, django_db_blocker) as grown:
        client = Client()
        sign_in_as(client, grown, "backbone")

        def page(name: str):
            def get():  # the address read at each call: the grown data's own objects (its open wave)
                statuses.setdefault(name, []).append(client.get(PAGES[name](grown)).status_code)

            return get

        _grow(grown, make_user, 1)
        captures = queries_before_and_after(
            {name: page(name) for name in PAGES}, lambda: _grow(grown, make_user, 4)
        )
    return captures, statuses


@pytest.mark.parametrize("name", PAGES)
def test_query_count_does_not_grow_with_the_data(page_queries, name):
    captures, statuses = page_queries
    assert statuses[name] == [200, 200]
    check_constant(*captures[name], exact=True)
