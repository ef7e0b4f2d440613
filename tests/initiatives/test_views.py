import re

import pytest
from django.core import mail
from django.urls import reverse

from initiatives import services
from initiatives.choices import Role
from initiatives.models import Initiative, Membership, Organization
from tests.permission_matrix import build_world, module_world
from tests.queries import assert_queries_constant

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
world_once, world = module_world("world", build_world)


def test_home_lists_only_own_initiatives(client, world):
    client.force_login(world.people["viewer"])
    body = client.get("/").content.decode()
    assert "Cradle to Career" in body
    assert "Other Initiative" not in body


def test_home_without_initiatives_is_a_friendly_empty_state(client, world):
    client.force_login(world.people["outsider"])
    response = client.get("/")
    assert response.status_code == 200
    assert "not part of an initiative yet" in response.content.decode()


def test_create_initiative_with_new_organization(client, world):
    client.force_login(world.people["outsider"])
    response = client.post(
        reverse("initiatives:create"),
        {
            "name": "Green Haifa",
            "slug": "green-haifa",
            "issue": "Air quality",
            "place": "Haifa",
            "topic": "environment",
            "new_organization": "Haifa Clean Air",
            "new_organization_sector": "nonprofit",
        },
    )
    assert response.status_code == 302
    initiative = Initiative.objects.get(slug="green-haifa")
    assert response["Location"] == initiative.get_absolute_url()
    m = initiative.memberships.get()
    assert (m.user, m.role, m.organization.name) == (
        world.people["outsider"],
        Role.BACKBONE,
        "Haifa Clean Air",
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"slug": "c2c"}, "slug"),  # taken
        ({"slug": "not a slug!"}, "slug"),
        ({"name": ""}, "name"),
        ({"topic": "astrology"}, "topic"),
        ({"new_organization": ""}, "organization"),
        ({"new_organization": "Funder Org"}, "new_organization"),  # exists already
        ({"name": "x" * 500}, "name"),  # too long: refused, not truncated
    ],
)
def test_create_initiative_bad_input_shows_errors_and_saves_nothing(client, world, data, field):
    client.force_login(world.people["outsider"])
    base = {
        "name": "N",
        "slug": "n",
        "issue": "i",
        "place": "p",
        "topic": "health",
        "new_organization": "Brand New",
        "new_organization_sector": "business",
    }
    before = (Initiative.objects.count(), Organization.objects.count(), Membership.objects.count())
    response = client.post(reverse("initiatives:create"), {**base, **data})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert (Initiative.objects.count(), Organization.objects.count(), Membership.objects.count()) == before


def test_creation_disabled_for_ordinary_users(client, world, settings):
    settings.ALLOW_USERS_TO_CREATE_INITIATIVES = False
    client.force_login(world.people["outsider"])
    assert client.get(reverse("initiatives:create")).status_code == 403
    assert "New initiative" not in client.get("/").content.decode()


def test_overview_shows_phases_matrix_and_component_links(client, world):
    client.force_login(world.people["viewer"])
    body = client.get(world.initiative.get_absolute_url()).content.decode()
    assert body.count('class="milestone') == 16
    assert 'aria-current="step"' in body
    for component in ("agenda", "measurement", "workgroups", "communication", "backbone"):
        assert f'href="/initiatives/c2c/{component}/"' in body
    assert "Change phase" not in body  # viewers do not see management actions


def test_phase_change_page_lists_open_milestones_and_requires_reason(client, world):
    client.force_login(world.people["backbone"])
    url = reverse("initiatives:phase_change", kwargs={"slug": "c2c"})
    assert client.get(url).content.decode().count('data-area="') == 4
    response = client.post(url, {"to_phase": 2, "reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(url, {"to_phase": 3, "reason": "skip"})
    assert response.status_code == 200 and "to_phase" in response.context["form"].errors
    world.initiative.refresh_from_db()
    assert world.initiative.phase == 1


@pytest.mark.parametrize("data", [{"status": "finished", "evidence": ""}, {"status": "", "evidence": "x"}])
def test_milestone_bad_status_is_refused(client, world, data):
    client.force_login(world.people["backbone"])
    url = reverse("initiatives:milestone_edit", kwargs={"slug": "c2c", "phase": 1, "area": "strategy"})
    response = client.post(url, data)
    assert response.status_code == 200 and "status" in response.context["form"].errors
    assert world.initiative.milestones.get(phase=1, area="strategy").status == "not_started"


def test_readiness_bad_input_saves_nothing(client, world):
    client.force_login(world.people["backbone"])
    response = client.post(reverse("initiatives:readiness", kwargs={"slug": "c2c"}), {"champion": "maybe"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"champion", "champion_evidence", "funding", "urgency"}
    assert not world.initiative.readiness_assessments.exists()


def test_fit_result_is_shown_with_reasons(client, world):
    client.force_login(world.people["backbone"])
    url = reverse("initiatives:fit", kwargs={"slug": "c2c"})
    response = client.post(
        url,
        {
            "solution_exists": "known",
            "hard_to_implement": "no",
            "solution_copyable": "yes",
            "solver": "authority",
            "problem_traits": "well_defined",
            "solution_knowable": "clear",
            "solution_traits": "experts",
            "social_problem": "yes",
        },
    )
    assert response.status_code == 302
    client.force_login(world.people["steering"])
    body = client.get(url).content.decode()
    assert "Not suited to collective impact" in body
    assert "A simple problem (technical)" in body
    assert "In most cases the solution will create isolated impact." in body
    assert "source, line <bdi>131</bdi>" in body


def test_removing_the_last_backbone_shows_a_message(client, world):
    client.force_login(world.people["backbone"])
    own = world.initiative.memberships.get(user=world.people["backbone"])
    response = client.post(
        reverse("initiatives:membership_remove", kwargs={"slug": "c2c", "pk": own.pk}), follow=True
    )
    assert "last backbone staff member cannot be removed" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_members_page_hides_emails_from_non_backbone(client, world):
    client.force_login(world.people["partner"])
    assert (
        "steering@example.org"
        not in client.get(reverse("initiatives:members", kwargs={"slug": "c2c"})).content.decode()
    )
    client.force_login(world.people["backbone"])
    assert (
        "steering@example.org"
        in client.get(reverse("initiatives:members", kwargs={"slug": "c2c"})).content.decode()
    )


class TestInvitationFlow:
    def invite(self, client, world, email="newcomer@example.org"):
        client.force_login(world.people["backbone"])
        response = client.post(
            reverse("initiatives:invite", kwargs={"slug": "c2c"}),
            {"email": email, "role": "partner", "organization": world.orgs["partner"].pk},
        )
        assert response.status_code == 302
        client.logout()

    @staticmethod
    def token_from_email() -> str:
        return re.search(r"/invitations/([\w-]+)/", mail.outbox[-1].body).group(1)

    def test_new_person_joins_through_the_link(
        self, client, world, eager_tasks, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            self.invite(client, world)
        token = self.token_from_email()
        url = reverse("invitation_accept", kwargs={"token": token})
        assert "Partner contributor" in client.get(url).content.decode()
        response = client.post(url, {"username": "newcomer", "password1": "short", "password2": "short"})
        assert response.status_code == 200 and "password1" in response.context["form"].errors
        assert not Membership.objects.filter(user__username="newcomer").exists()
        response = client.post(
            url, {"username": "newcomer", "password1": "Plenty-long-9921", "password2": "Plenty-long-9921"}
        )
        assert response.status_code == 302 and response["Location"] == world.initiative.get_absolute_url()
        assert client.get(response["Location"]).status_code == 200  # signed in and a member
        # One-time: the link no longer works.
        assert "already been used" in client.get(url).content.decode()

    def test_existing_account_joins_after_signing_in(
        self, client, world, eager_tasks, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            self.invite(client, world, email="outsider@example.org")
        token = self.token_from_email()
        client.force_login(world.people["outsider"])
        response = client.post(reverse("invitation_accept", kwargs={"token": token}))
        assert response.status_code == 302
        assert world.initiative.memberships.get(user=world.people["outsider"]).role == Role.PARTNER

    def test_invite_bad_email_and_foreign_organization(self, client, world):
        client.force_login(world.people["backbone"])
        url = reverse("initiatives:invite", kwargs={"slug": "c2c"})
        response = client.post(
            url, {"email": "not-an-email", "role": "partner", "organization": world.orgs["other"].pk}
        )
        errors = response.context["form"].errors
        assert "email" in errors and "organization" in errors  # "other" is not in this initiative
        assert not world.initiative.invitations.exists()

    def test_unknown_token_is_404(self, client, world):
        assert client.get("/invitations/forged-token/").status_code == 404


def test_login_is_throttled_after_repeated_failures(client, world, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "viewer", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    response = client.post(url, {"username": "viewer", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_a_username_longer_than_any_account_is_a_wrong_sign_in_then_throttled(client, world, settings, url):
    """Longer than the 255 characters django-axes stores: it answered 500 to anybody (a fuzz of the
    sign-in forms found it). Now the form's own error, and the throttle as for any name."""
    name = "א" * 20_000
    assert url == reverse("login") or url == reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": name, "password": "wrong"}, REMOTE_ADDR="10.9.9.8")
        assert response.status_code == 200 and response.context["form"].non_field_errors()
    response = client.post(url, {"username": name, "password": "wrong"}, REMOTE_ADDR="10.9.9.8")
    assert response.status_code == 429
    # The throttle counts that name, not anybody else's.
    assert client.post(reverse("login"), {"username": "viewer", "password": PASSWORD}).status_code == 302


def test_login_with_correct_password(client, world):
    response = client.post(reverse("login"), {"username": "viewer", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_password_reset_sends_an_email(client, world):
    response = client.post(reverse("password_reset"), {"email": "viewer@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok" and data["database"]["ok"] and data["broker"]["ok"]


def test_healthz_is_503_when_the_broker_is_down(client, db, monkeypatch):
    from ci_platform import views

    monkeypatch.setattr(
        views, "_broker_state", lambda: {"ok": False, "mode": "broker", "error": "OperationalError"}
    )
    response = client.get("/healthz/")
    assert response.status_code == 503 and response.json()["status"] == "unavailable"


def test_hebrew_pages_are_right_to_left(client, world):
    client.force_login(world.people["viewer"])
    client.cookies["django_language"] = "he"
    body = client.get(world.initiative.get_absolute_url()).content.decode()
    assert re.search(r'<html lang="he" dir="rtl">', body)
    assert "bootstrap.rtl.min.css" in body
    client.cookies["django_language"] = "en"
    body = client.get(world.initiative.get_absolute_url()).content.decode()
    assert '<html lang="en" dir="ltr">' in body and "bootstrap.min.css" in body


def test_language_switcher_sets_the_language(client, world):
    client.force_login(world.people["viewer"])
    response = client.post("/i18n/setlang/", {"language": "he", "next": "/"})
    assert response.status_code == 302
    assert 'dir="rtl"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    "url_name", ["home", "initiatives:overview", "initiatives:members", "initiatives:organizations"]
)
def test_query_count_does_not_grow_with_rows(client, world, url_name):
    client.force_login(world.people["backbone"])
    url = reverse(url_name) if url_name == "home" else reverse(url_name, kwargs={"slug": "c2c"})

    def page():
        assert client.get(url).status_code == 200

    def grow():
        by = world.people["backbone"]
        for n in range(8):
            org = Organization.objects.create(name=f"Org {n}", sector="business")
            services.participation_add(initiative=world.initiative, by=by, organization=org)
            user = type(by).objects.create_user(f"member{n}", password="x")
            world.initiative.memberships.create(user=user, organization=org, role=Role.PARTNER)
            services.initiative_create(
                by=by, organization=org, name=f"I{n}", slug=f"i{n}", issue="x", place="y", topic="health"
            )
            services.phase_change(
                initiative=world.initiative, by=by, to_phase=2 if n % 2 == 0 else 1, reason="r"
            )

    assert_queries_constant(page, grow, exact=True)
