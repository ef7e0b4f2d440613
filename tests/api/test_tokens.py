"""API tokens: stored hashed, shown once, confined to their initiative and scope, refused when
expired or revoked; the page where backbone staff issue and revoke them; `manage.py issue_token`."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from initiatives import services
from initiatives.choices import TokenScope
from initiatives.models import ApiToken
from measurement.models import AuditEntry

from ..permission_matrix import BACKBONE_ONLY, Endpoint, check_permission, module_world, permission_cases
from .conftest import BASE, as_token, bearer, build_api_mworld

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
mworld_once, mworld = module_world("mworld", build_api_mworld)


@pytest.fixture
def world(mworld):
    return mworld.world


@pytest.fixture
def orgs(world):
    return world.orgs


class TestStorage:
    def test_only_a_hash_is_stored(self, tokens):
        token = tokens.objects["read"]
        secret = tokens["read"]
        assert secret.startswith(f"cit_{token.prefix}_") and len(secret) > 40
        assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        stored = ApiToken.objects.filter(pk=token.pk).values()[0]
        assert secret not in str(stored)

    def test_the_token_acts_through_its_own_account(self, tokens):
        token = tokens.objects["submit"]
        assert token.user.has_usable_password() is False
        assert not token.user.memberships.exists()
        assert "submit system" in token.user.get_full_name()


class TestAuthentication:
    @pytest.mark.parametrize("scheme", ["Bearer", "Token", "bearer"])
    def test_both_schemes(self, tokens, scheme):
        response = bearer(tokens["read"], scheme).get(BASE + "measures/")
        assert response.status_code == 200

    def test_last_use_is_recorded(self, tokens):
        token = tokens.objects["read"]
        assert token.last_used_at is None
        as_token(tokens, "read").get(BASE + "periods/")
        token.refresh_from_db()
        assert token.last_used_at is not None

    @pytest.mark.parametrize(
        ("name", "message"), [("expired", "The token has expired."), ("revoked", "The token was revoked.")]
    )
    def test_expired_and_revoked_are_401(self, tokens, name, message):
        response = as_token(tokens, name).get(BASE + "measures/")
        assert response.status_code == 401
        assert response.json() == {"code": "authentication_failed", "message": message, "errors": {}}
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'

    @pytest.mark.parametrize(
        "header",
        [
            "Bearer nonsense",
            "Bearer cit_000000000000_guess",
            "Bearer",
            "Bearer a b",
            "Token cit__x",
        ],
    )
    def test_anything_else_is_401(self, tokens, header):
        response = bearer("", "").get(BASE + "measures/", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"

    def test_a_wrong_secret_with_a_right_prefix_is_401(self, tokens):
        secret = tokens["read"]
        response = bearer(secret[:-4] + "AAAA").get(BASE + "measures/")
        assert response.status_code == 401

    def test_anonymous_is_401_with_a_challenge(self, client, mworld):
        response = client.get(BASE + "measures/")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'

    def test_the_session_still_works_for_the_browser(self, client, mworld):
        client.force_login(mworld.partner)
        assert client.get(BASE + "measures/").status_code == 200


class TestScope:
    def test_another_initiatives_token_gets_404_for_everything_here(self, tokens, mworld):
        other = as_token(tokens, "other")
        for path in ("", "measures/", "values/", "aggregates/", "members/", "milestones/1/"):
            response = other.get(BASE + path)
            assert response.status_code == 404, path
            assert b"Cradle" not in response.content
        assert other.post(BASE + "submissions/bulk/", {}, content_type="application/json").status_code == 404

    def test_the_initiative_list_holds_only_the_tokens_initiative(self, tokens, mworld):
        listed = as_token(tokens, "read").get("/api/v1/initiatives/").json()
        assert [i["slug"] for i in listed["results"]] == ["c2c"]
        assert as_token(tokens, "read").get("/api/v1/initiatives/other/").status_code == 404
        assert as_token(tokens, "other").get("/api/v1/initiatives/c2c/").status_code == 404

    def test_a_read_token_writes_nothing(self, tokens, mworld):
        client = as_token(tokens, "read")
        milestone = mworld.initiative.milestones.first()
        response = client.patch(
            BASE + f"milestones/{milestone.pk}/", {"status": "done"}, content_type="application/json"
        )
        assert response.status_code == 403
        assert response.json() == {
            "code": "permission_denied",
            "message": "This API token is read only.",
            "errors": {},
        }
        response = client.post(
            BASE + "submissions/bulk/",
            {
                "organization": mworld.org.pk,
                "values": [{"measure": "spend", "period": mworld.periods["year"].code, "value": "1"}],
            },
            content_type="application/json",
        )
        assert response.status_code == 403

    def test_a_read_token_reads_what_backbone_staff_read(self, tokens, mworld):
        values = as_token(tokens, "read").get(BASE + "values/").json()["results"]
        assert {v["organization_id"] for v in values} == {mworld.org.pk, mworld.org_b.pk}

    def test_a_submit_token_reads_its_organisations_values_only(self, tokens, mworld):
        values = as_token(tokens, "submit").get(BASE + "values/").json()["results"]
        assert values and {v["organization_id"] for v in values} == {mworld.org.pk}
        submissions = as_token(tokens, "submit").get(BASE + "submissions/").json()["results"]
        assert {s["organization_id"] for s in submissions} == {mworld.org.pk}

    def test_a_submit_token_writes_data_only(self, tokens, mworld):
        client = as_token(tokens, "submit")
        # Partner contributors may endorse the agenda; a token acting for them may not.
        assert (
            client.post(
                BASE + "endorsements/", {"version": 1, "decision": "endorse"}, content_type="application/json"
            ).status_code
            == 403
        )
        assert client.post(BASE + f"submissions/{mworld.b_submission.pk}/approve/").status_code == 403

    def test_a_submit_token_submits_its_organisations_data_under_its_own_name(self, tokens, mworld):
        client = as_token(tokens, "submit")
        period = mworld.periods["year"].code
        response = client.post(
            BASE + "submissions/bulk/",
            {"values": [{"measure": "spend", "period": period, "value": "12"}]},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["organization"] == mworld.org.pk
        entry = AuditEntry.objects.filter(organization=mworld.org).latest("id")
        assert entry.by == tokens.objects["submit"].user

    def test_a_submit_token_cannot_submit_another_organisations_data(self, tokens, mworld):
        response = as_token(tokens, "submit").post(
            BASE + "submissions/bulk/",
            {
                "organization": mworld.org_b.pk,
                "values": [{"measure": "pop-rate", "period": mworld.periods["year"].code, "value": "3"}],
            },
            content_type="application/json",
        )
        assert response.status_code == 403

    def test_related_objects_must_be_of_the_initiative(self, tokens, mworld, orgs):
        # "Other Org" exists, but is no part of this initiative.
        response = mworld_backbone_bulk(mworld, organization=orgs["other"].pk)
        assert response.status_code == 400
        assert "organization" in response.json()["errors"]


def mworld_backbone_bulk(mworld, **body):
    from django.test import Client

    client = Client()
    client.force_login(mworld.backbone)
    payload = {"values": [{"measure": "spend", "period": mworld.periods["year"].code, "value": "1"}], **body}
    return client.post(BASE + "submissions/bulk/", payload, content_type="application/json")


# --- The tokens page ---------------------------------------------------------------------------


def page(name, **kwargs):
    return lambda w: reverse(name, kwargs={"slug": w.initiative.slug, **kwargs})


def first_token(w):
    token, _secret = services.api_token_create(
        initiative=w.initiative, by=w.people["backbone"], label="Portal"
    )
    return token.pk


PAGES = [
    Endpoint("api_tokens", page("initiatives:api_tokens"), BACKBONE_ONLY),
    Endpoint(
        "api_tokens",
        page("initiatives:api_tokens"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"label": "Portal", "scope": "read", "days": 90},
        ok=(200,),
    ),
    Endpoint(
        "api_token_revoke",
        lambda w: reverse(
            "initiatives:api_token_revoke", kwargs={"slug": w.initiative.slug, "pk": first_token(w)}
        ),
        BACKBONE_ONLY,
        method="post",
        ok=(302,),
    ),
]


@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(PAGES))
def test_tokens_page_permissions(client, world, endpoint, persona):
    check_permission(client, world, endpoint, persona)


class TestTokensPage:
    def test_create_shows_the_secret_once(self, client, world):
        client.force_login(world.people["backbone"])
        response = client.post(
            reverse("initiatives:api_tokens", kwargs={"slug": "c2c"}),
            {"label": "City data portal", "scope": "read", "days": 30},
        )
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        token = ApiToken.objects.get()
        secret = response.context["secret"]
        assert secret.encode() in response.content
        assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert (token.label, token.scope, token.created_by) == (
            "City data portal",
            "read",
            world.people["backbone"],
        )
        # Listed afterwards by label and last use; the secret never again.
        again = client.get(reverse("initiatives:api_tokens", kwargs={"slug": "c2c"}))
        assert b"City data portal" in again.content and b"never" in again.content
        assert secret.encode() not in again.content
        bearer(secret).get(BASE + "measures/")
        assert b"never" not in client.get(reverse("initiatives:api_tokens", kwargs={"slug": "c2c"})).content

    def test_a_submit_token_needs_an_organisation_of_the_initiative(self, client, world):
        client.force_login(world.people["backbone"])
        url = reverse("initiatives:api_tokens", kwargs={"slug": "c2c"})
        response = client.post(url, {"label": "EYN", "scope": "submit", "days": 90})
        assert response.status_code == 200 and response.context["form"].errors["organization"]
        response = client.post(
            url, {"label": "EYN", "scope": "submit", "days": 90, "organization": world.orgs["other"].pk}
        )
        assert response.context["form"].errors["organization"]
        assert not ApiToken.objects.exists()
        response = client.post(
            url, {"label": "EYN", "scope": "submit", "days": 90, "organization": world.orgs["partner"].pk}
        )
        token = ApiToken.objects.get()
        assert (token.scope, token.organization) == (TokenScope.SUBMIT, world.orgs["partner"])

    def test_revoke(self, client, world):
        token, secret = services.api_token_create(
            initiative=world.initiative, by=world.people["backbone"], label="Portal"
        )
        client.force_login(world.people["backbone"])
        response = client.post(
            reverse("initiatives:api_token_revoke", kwargs={"slug": "c2c", "pk": token.pk})
        )
        assert response.status_code == 302
        token.refresh_from_db()
        assert token.revoked_at is not None and token.revoked_by == world.people["backbone"]
        assert bearer(secret).get(BASE + "measures/").status_code == 401

    def test_another_initiatives_token_cannot_be_revoked_here(self, client, world):
        token, _secret = services.api_token_create(
            initiative=world.other, by=world.people["other_member"], label="x"
        )
        client.force_login(world.people["backbone"])
        response = client.post(
            reverse("initiatives:api_token_revoke", kwargs={"slug": "c2c", "pk": token.pk})
        )
        assert response.status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_linked_from_members_page_for_backbone_only(self, client, world):
        url = reverse("initiatives:members", kwargs={"slug": "c2c"})
        tokens_url = reverse("initiatives:api_tokens", kwargs={"slug": "c2c"}).encode()
        client.force_login(world.people["backbone"])
        assert tokens_url in client.get(url).content
        client.force_login(world.people["steering"])
        assert tokens_url not in client.get(url).content


class TestIssueTokenCommand:
    def test_read_token(self, world):
        out, err = StringIO(), StringIO()
        call_command("issue_token", "c2c", "--label", "Portal", "--days", "7", stdout=out, stderr=err)
        secret = out.getvalue().strip()
        token = ApiToken.objects.get()
        assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert (token.scope, token.created_by, token.label) == ("read", None, "Portal")
        assert 6 <= (token.expires_at - token.created_at).days <= 7
        assert "not shown again" in err.getvalue()
        assert bearer(secret).get(BASE + "measures/").status_code == 200

    def test_submit_token(self, world):
        out = StringIO()
        org = world.orgs["partner"]
        call_command(
            "issue_token",
            "c2c",
            "--label",
            "EYN",
            "--organization",
            str(org.pk),
            "--submit",
            stdout=out,
            stderr=StringIO(),
        )
        token = ApiToken.objects.get()
        assert (token.scope, token.organization) == ("submit", org)

    @pytest.mark.parametrize(
        "args",
        [
            ["nope", "--label", "x"],
            ["c2c", "--label", "x", "--submit"],
            ["c2c", "--label", "x", "--organization", "1"],
            ["c2c", "--label", "x", "--organization", "999999", "--submit"],
            ["c2c", "--label", "x", "--days", "0"],
            ["c2c", "--label", "   "],
        ],
    )
    def test_refusals(self, world, args):
        with pytest.raises(CommandError):
            call_command("issue_token", *args, stdout=StringIO(), stderr=StringIO())
        assert not ApiToken.objects.exists()

    def test_an_organisation_outside_the_initiative_is_refused(self, world):
        with pytest.raises(CommandError, match="not part of the initiative"):
            call_command(
                "issue_token",
                "c2c",
                "--label",
                "x",
                "--organization",
                str(world.orgs["other"].pk),
                "--submit",
                stdout=StringIO(),
                stderr=StringIO(),
            )
