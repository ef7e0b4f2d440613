"""Funders (issue 20): what the money funds, multi-year commitments, the anchor funder, founding or
later funders, the backbone's share against the source's benchmark; and the backbone's profile."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from backbone import selectors, services
from backbone.models import BackboneProfile, Funder, FundingEntry
from tests.permission_matrix import build_world, module_world

from ..queries import assert_queries_constant

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
world_once, world = module_world("world", build_world)


def _entry(world, initiative=None, **changes):
    fields = {
        "funder_name": "Southern Families Foundation",
        "funder_type": "philanthropy",
        "recipient": "initiative",
        "kind": "new",
        "amount": "100000",
        "year": 2026,
        "committed_on": date(2026, 1, 10),
        **changes,
    }
    initiative = initiative or world.initiative
    by = initiative.memberships.get(role="backbone").user
    return services.funding_entry_save(initiative=initiative, by=by, **fields)


def _strategy(initiative):
    from agenda.models import Strategy

    return Strategy.objects.create(initiative=initiative)


class TestWhatIsFunded:
    def test_purpose_follows_the_recipient_unless_said(self, world):
        assert _entry(world, recipient="backbone").purpose == "backbone"
        assert _entry(world, amount="5").purpose == "general"
        assert _entry(world, amount="6", recipient="backbone", purpose="measurement").purpose == "measurement"

    def test_a_strategy_needs_one_of_this_initiative(self, world):
        with pytest.raises(ValidationError) as exc:
            _entry(world, purpose="strategy")
        assert "strategy" in exc.value.error_dict
        with pytest.raises(ValidationError):
            _entry(world, purpose="strategy", strategy=_strategy(world.other).pk)
        mine = _strategy(world.initiative)
        assert _entry(world, purpose="strategy", strategy=mine.pk).strategy == mine
        # Another purpose drops the strategy it does not need.
        assert _entry(world, amount="7", purpose="general", strategy=mine.pk).strategy is None

    def test_the_database_refuses_a_strategy_purpose_without_a_strategy(self, world):
        entry = _entry(world)
        with pytest.raises(IntegrityError), transaction.atomic():
            FundingEntry.objects.filter(pk=entry.pk).update(purpose="strategy")

    def test_the_backbones_share_is_the_money_for_its_work_against_about_one_percent(self, world):
        _entry(world, recipient="backbone", amount="1000")
        _entry(world, amount="99000")
        _entry(world, recipient="backbone", purpose="measurement", amount="5000")
        summary = selectors.funding_summary(world.initiative)
        assert summary.backbone_share == round(100 * 1000 / 105000, 2)
        assert summary.benchmark == 1.0
        assert summary.by_purpose == {"backbone": 1000.0, "measurement": 5000.0, "general": 99000.0}


class TestCommitments:
    FIELDS = {
        "funder_name": "Southern Families Foundation",
        "funder_type": "philanthropy",
        "recipient": "backbone",
        "kind": "new",
        "committed_on": date(2026, 1, 10),
    }

    def test_one_entry_per_year_marked_as_one_commitment(self, world):
        entries = services.funding_commitment_save(
            initiative=world.initiative,
            by=world.people["backbone"],
            amounts={2026: "100000", 2027: "110000", 2028: ""},
            **self.FIELDS,
        )
        assert [e.year for e in entries] == [2026, 2027]
        assert len({e.commitment for e in entries}) == 1 and entries[0].commitment is not None
        assert {e.purpose for e in entries} == {"backbone"}

    def test_a_bad_year_saves_no_year_and_says_which(self, world):
        with pytest.raises(ValidationError) as exc:
            services.funding_commitment_save(
                initiative=world.initiative,
                by=world.people["backbone"],
                amounts={2026: "100000", 2027: "-5"},
                **self.FIELDS,
            )
        assert "amount_2027" in exc.value.error_dict
        assert not FundingEntry.objects.exists()

    def test_one_year_is_not_a_multi_year_commitment(self, world):
        with pytest.raises(ValidationError) as exc:
            services.funding_commitment_save(
                initiative=world.initiative, by=world.people["backbone"], amounts={2026: "1"}, **self.FIELDS
            )
        assert "amounts" in exc.value.error_dict

    @pytest.mark.parametrize("persona", ["steering", "partner", "viewer", "outsider"])
    def test_only_backbone(self, world, persona):
        with pytest.raises(PermissionDenied):
            services.funding_commitment_save(
                initiative=world.initiative,
                by=world.people[persona],
                amounts={2026: "1", 2027: "1"},
                **self.FIELDS,
            )

    def test_the_page_form_keeps_what_was_typed_on_a_bad_amount(self, client, world):
        client.force_login(world.people["backbone"])
        url = reverse("backbone:funding_commitment", kwargs={"slug": world.initiative.slug})
        data = {
            **self.FIELDS,
            "committed_on": "2026-01-10",
            "first_year": "2026",
            "amount_0": "1000",
            "amount_1": "12,5k",
        }
        response = client.post(url, data)
        assert response.status_code == 200
        assert "12,5k" in response.content.decode()
        assert not FundingEntry.objects.exists()
        data["amount_1"] = "1250"
        assert client.post(url, data).status_code == 302
        assert FundingEntry.objects.count() == 2


class TestFunders:
    def test_one_anchor_funder_naming_another_moves_the_mark(self, world):
        first = _entry(world).funder
        second = _entry(world, funder_name="Municipality", funder_type="public").funder
        by = world.people["backbone"]
        services.funder_update(
            funder=first, by=by, is_anchor=True, joined="founding", funder_type="philanthropy"
        )
        services.funder_update(
            funder=second,
            by=by,
            is_anchor=True,
            joined="later",
            joined_on=date(2026, 3, 1),
            funder_type="public",
        )
        assert list(Funder.objects.filter(is_anchor=True)) == [second]
        second.refresh_from_db()
        assert (second.joined, second.joined_on) == ("later", date(2026, 3, 1))
        with pytest.raises(IntegrityError), transaction.atomic():
            Funder.objects.filter(pk=first.pk).update(is_anchor=True)

    def test_funder_table_by_year(self, world):
        _entry(world, year=2026)
        _entry(world, year=2027, amount="50000")
        _entry(world, funder_name="Municipality", funder_type="public", year=2027, amount="7")
        table = selectors.funder_table(world.initiative)
        assert table.years == [2026, 2027]
        rows = {row.funder.name: row for row in table.rows}
        assert rows["Southern Families Foundation"].amounts == [100000.0, 50000.0]
        assert (rows["Municipality"].first_year, rows["Municipality"].last_year) == (2027, 2027)

    def test_funding_page_shows_funders_to_the_steering_committee_not_to_partners(self, client, world):
        entry = _entry(world)
        services.funder_update(
            funder=entry.funder, by=world.people["backbone"], is_anchor=True, funder_type="philanthropy"
        )
        url = reverse("backbone:funding", kwargs={"slug": world.initiative.slug})
        client.force_login(world.people["steering"])
        body = client.get(url).content.decode()
        assert 'id="funders"' in body and "anchor funder" in body and 'id="backbone-benchmark"' in body
        client.force_login(world.people["partner"])
        body = client.get(url).content.decode()
        assert 'id="funders"' not in body and 'id="backbone-benchmark"' in body

    def test_funding_page_queries_do_not_grow_with_funders(self, client, world):
        client.force_login(world.people["backbone"])
        url = reverse("backbone:funding", kwargs={"slug": world.initiative.slug})
        strategy = _strategy(world.initiative)
        _entry(world, purpose="strategy", strategy=strategy.pk)

        def grow():
            for n in range(6):
                _entry(
                    world,
                    funder_name=f"Funder {n}",
                    year=2025 + n % 3,
                    purpose="strategy",
                    strategy=strategy.pk,
                )

        assert_queries_constant(lambda: client.get(url), grow)


class TestFundersApi:
    def url(self, world, path):
        return f"/api/v1/initiatives/{world.initiative.slug}/backbone/{path}"

    def test_entries_say_what_they_fund_and_a_patch_keeps_it(self, client, world):
        entry = _entry(world, purpose="measurement")
        client.force_login(world.people["backbone"])
        body = client.patch(
            self.url(world, f"funding-entries/{entry.pk}/"), {"amount": "12"}, content_type="application/json"
        ).json()
        assert (body["purpose"], body["amount"], body["commitment"]) == ("measurement", "12.00", None)

    def test_funders_with_their_years_and_the_anchor(self, client, world):
        entry = _entry(world)
        _entry(world, year=2027, amount="5")
        client.force_login(world.people["backbone"])
        response = client.patch(
            self.url(world, f"funders/{entry.funder_id}/"),
            {"is_anchor": True, "joined": "founding", "joined_on": "2025-09-01"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        client.force_login(world.people["steering"])
        (funder,) = client.get(self.url(world, "funders/")).json()["results"]
        assert funder["is_anchor"] and funder["joined"] == "founding"
        assert funder["by_year"] == {"2026": 100000.0, "2027": 5.0}
        response = client.patch(
            self.url(world, f"funders/{entry.funder_id}/"),
            {"joined": "someday"},
            content_type="application/json",
        )
        assert response.status_code == 403  # the steering committee reads, backbone staff write

    def test_commitment_api(self, client, world):
        client.force_login(world.people["backbone"])
        data = {
            "funder": "Southern Families Foundation",
            "funder_type": "philanthropy",
            "recipient": "backbone",
            "kind": "new",
            "committed_on": "2026-01-10",
            "amounts": {"2027": "100", "2028": "200"},
        }
        response = client.post(self.url(world, "funding-commitments/"), data, content_type="application/json")
        assert response.status_code == 201, response.content
        assert [e["year"] for e in response.json()] == [2027, 2028]
        bad = client.post(
            self.url(world, "funding-commitments/"),
            {**data, "amounts": {"2029": "x", "2030": "1"}},
            content_type="application/json",
        )
        assert bad.status_code == 400 and "amount_2029" in bad.json()["errors"]
        assert FundingEntry.objects.count() == 2

    def test_summary_has_the_benchmark_and_purposes(self, client, world):
        _entry(world, recipient="backbone")
        client.force_login(world.people["viewer"])
        body = client.get(self.url(world, "funding-summary/")).json()
        assert body["benchmark"] == 1.0 and body["by_purpose"] == {"backbone": 100000.0}


class TestProfile:
    PROFILE = {"kind": "nonprofit", "neutrality": "The steering committee decides how the fund is spent."}

    def test_neutrality_must_be_said_and_organisations_must_be_the_initiatives(self, world):
        by = world.people["backbone"]
        with pytest.raises(ValidationError) as exc:
            services.backbone_profile_save(initiative=world.initiative, by=by, kind="club", neutrality=" ")
        assert set(exc.value.error_dict) == {"kind", "neutrality"}
        with pytest.raises(ValidationError):
            services.backbone_profile_save(
                initiative=world.initiative, by=by, organizations=[world.orgs["other"]], **self.PROFILE
            )
        profile = services.backbone_profile_save(
            initiative=world.initiative, by=by, organizations=[world.orgs["backbone"]], **self.PROFILE
        )
        again = services.backbone_profile_save(
            initiative=world.initiative, by=by, kind="shared", neutrality="x"
        )
        assert again.pk == profile.pk and again.kind == "shared" and not again.organizations.exists()
        assert BackboneProfile.objects.count() == 1

    def test_page_shows_it_and_the_backbones_partner_funding(self, client, world):
        services.backbone_profile_save(
            initiative=world.initiative,
            by=world.people["backbone"],
            organizations=[world.orgs["backbone"]],
            **{**self.PROFILE, "neutrality": "ועדת ההיגוי מחליטה"},
        )
        world.initiative.participations.get_or_create(organization=world.orgs["backbone"])
        _entry(world, recipient="partner", recipient_organization=world.orgs["backbone"])
        client.force_login(world.people["partner"])
        body = client.get(
            reverse("backbone:profile", kwargs={"slug": world.initiative.slug})
        ).content.decode()
        assert 'id="neutrality">ועדת ההיגוי מחליטה' in body and 'dir="auto" id="neutrality"' in body
        assert 'id="partner-funding"' in body

    def test_the_edit_page_keeps_what_was_typed_when_neutrality_is_missing(self, client, world):
        client.force_login(world.people["backbone"])
        url = reverse("backbone:profile_edit", kwargs={"slug": world.initiative.slug})
        response = client.post(url, {"kind": "nonprofit", "structure": "Three staff", "neutrality": ""})
        assert response.status_code == 200 and "Three staff" in response.content.decode()
        assert not BackboneProfile.objects.exists()

    def test_api_404_until_described_then_put(self, client, world):
        url = f"/api/v1/initiatives/{world.initiative.slug}/backbone/profile/"
        client.force_login(world.people["backbone"])
        assert client.get(url).status_code == 404
        response = client.put(
            url,
            {**self.PROFILE, "organizations": [world.orgs["backbone"].pk]},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        bad = client.put(url, {"kind": "nonprofit", "neutrality": ""}, content_type="application/json")
        assert bad.status_code == 400
        client.force_login(world.people["viewer"])
        assert client.get(url).json()["organizations"] == [world.orgs["backbone"].pk]


def test_funding_and_profile_pages_in_hebrew(client, world):
    entry = _entry(world, recipient="backbone")
    services.funder_update(
        funder=entry.funder, by=world.people["backbone"], is_anchor=True, funder_type="philanthropy"
    )
    services.backbone_profile_save(
        initiative=world.initiative, by=world.people["backbone"], **TestProfile.PROFILE
    )
    client.force_login(world.people["steering"])
    client.cookies["django_language"] = "he"
    body = client.get(reverse("backbone:funding", kwargs={"slug": world.initiative.slug})).content.decode()
    assert "המקור: כ־1% מכלל המימון" in body and "מממן מרכזי" in body and "מי מממן מה, ולכמה זמן" in body
    body = client.get(reverse("backbone:profile", kwargs={"slug": world.initiative.slug})).content.decode()
    assert "חייב להיות נטול אינטרסים" in body and "עמותה" in body


def test_funders_api_and_profile_page_queries_do_not_grow(client, world):
    client.force_login(world.people["backbone"])
    url = f"/api/v1/initiatives/{world.initiative.slug}/backbone/funders/"
    _entry(world)

    def grow():
        for n in range(5):
            _entry(world, funder_name=f"Funder {n}", year=2026 + n)

    assert_queries_constant(lambda: client.get(url), grow)
    profile_url = reverse("backbone:profile", kwargs={"slug": world.initiative.slug})
    services.backbone_profile_save(
        initiative=world.initiative,
        by=world.people["backbone"],
        organizations=[world.orgs["backbone"]],
        **TestProfile.PROFILE,
    )

    def more_organisations():
        for org in (world.orgs["partner"], world.orgs["funder"]):
            world.initiative.participations.get_or_create(organization=org)
        services.backbone_profile_save(
            initiative=world.initiative,
            by=world.people["backbone"],
            organizations=[world.orgs["backbone"], world.orgs["partner"], world.orgs["funder"]],
            **TestProfile.PROFILE,
        )

    world.initiative.participations.get_or_create(organization=world.orgs["backbone"])
    assert_queries_constant(lambda: client.get(profile_url), more_organisations)
