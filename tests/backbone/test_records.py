"""The funding ledger, policy log and community events: bad input refused with a clear message,
nothing recorded twice."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from backbone import services
from backbone.models import CommunityEvent, Funder, FundingEntry, PolicyEntry
from tests.permission_matrix import build_world, module_world

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
world_once, world = module_world("world", build_world)


def _fund(world, **overrides):
    fields = {
        "initiative": world.initiative,
        "by": world.people["backbone"],
        "funder_name": "Southern Families Foundation",
        "funder_type": "philanthropy",
        "recipient": "initiative",
        "kind": "new",
        "amount": "1000",
        "year": 2025,
        "committed_on": date(2025, 3, 1),
    }
    fields.update(overrides)
    return services.funding_entry_save(**fields)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-300", "more than zero"),
        ("0", "more than zero"),
        ("twelve", "as a number"),
        ("12,5k", "as a number"),
        ("NaN", "as a number"),
        ("Infinity", "as a number"),
        ("10.555", "two decimal places"),
        ("1e15", "too large"),
        ("", "as a number"),
    ],
)
def test_a_negative_or_non_numeric_amount_is_refused(world, amount, message):
    with pytest.raises(ValidationError) as error:
        _fund(world, amount=amount)
    assert message in error.value.message_dict["amount"][0]
    assert not FundingEntry.objects.exists() and not Funder.objects.exists()


def test_amounts_with_thousands_separators_are_read(world):
    assert _fund(world, amount="1,250,000.50").amount == Decimal("1250000.50")


def test_the_same_commitment_twice_is_refused(world):
    _fund(world)
    with pytest.raises(ValidationError) as error:
        _fund(world, funder_name="southern families foundation")  # the same funder, whatever the case
    assert "already in the ledger" in error.value.messages[0]
    assert FundingEntry.objects.count() == 1 and Funder.objects.count() == 1
    _fund(world, amount="1000", committed_on=date(2025, 3, 2))  # another day is another commitment
    assert FundingEntry.objects.count() == 2


def test_a_partner_recipient_must_be_named_and_in_the_initiative(world):
    with pytest.raises(ValidationError) as error:
        _fund(world, recipient="partner")
    assert "recipient_organization" in error.value.message_dict
    with pytest.raises(ValidationError):
        _fund(world, recipient="partner", recipient_organization=world.orgs["other"])  # not a participant
    entry = _fund(world, recipient="partner", recipient_organization=world.orgs["partner"])
    assert entry.recipient_organization == world.orgs["partner"]
    # Another recipient drops a stray organisation.
    assert (
        _fund(
            world, recipient="backbone", recipient_organization=world.orgs["partner"]
        ).recipient_organization
        is None
    )


def test_correcting_an_entry_keeps_one_row(world):
    entry = _fund(world)
    services.funding_entry_save(
        initiative=world.initiative,
        by=world.people["backbone"],
        entry=entry,
        funder_name=entry.funder.name,
        funder_type="philanthropy",
        recipient="initiative",
        kind="redirected",
        amount="2000",
        year=2025,
        committed_on=date(2025, 3, 1),
    )
    assert FundingEntry.objects.get().amount == Decimal("2000.00")


def test_deleting_the_last_entry_of_a_funder_removes_the_funder(world):
    entry = _fund(world)
    services.funding_entry_delete(entry=entry, by=world.people["backbone"])
    assert not Funder.objects.exists()


def test_only_backbone_staff_keep_the_records(world):
    for name in ("steering", "partner", "viewer", "other_member"):
        with pytest.raises(PermissionDenied):
            _fund(world, by=world.people[name])


def test_another_initiatives_entry_cannot_be_corrected_through_this_one(world):
    theirs = services.funding_entry_save(
        initiative=world.other,
        by=world.people["other_member"],
        funder_name="Theirs",
        funder_type="public",
        recipient="initiative",
        kind="new",
        amount="5",
        year=2025,
        committed_on=date(2025, 1, 1),
    )
    with pytest.raises(PermissionDenied):
        _fund(world, entry=theirs)


def test_a_policy_change_says_whether_it_is_aligned(world):
    fields = {
        "initiative": world.initiative,
        "by": world.people["backbone"],
        "occurred_on": date(2025, 3, 1),
        "kind": "policy_change",
        "title": "New rule",
        "description": "",
        "level": "local",
        "policymakers": 0,
        "alignment": "",
        "source_url": "",
    }
    with pytest.raises(ValidationError) as error:
        services.policy_entry_save(**fields)
    assert "alignment" in error.value.message_dict
    assert services.policy_entry_save(**{**fields, "alignment": "aligned"}).alignment == "aligned"
    # Other kinds carry no alignment.
    briefing = services.policy_entry_save(**{**fields, "kind": "briefing", "alignment": "aligned"})
    assert briefing.alignment == "aligned" or briefing.alignment == ""
    assert PolicyEntry.objects.count() == 2


def test_community_counts_are_whole_numbers_zero_or_more(world):
    fields = {
        "initiative": world.initiative,
        "by": world.people["backbone"],
        "held_on": date(2025, 3, 1),
        "kind": "information",
        "title": "Stand",
        "reached": 10,
        "supporters": 0,
        "took_action": 0,
        "community_led": False,
        "notes": "",
    }
    with pytest.raises(ValidationError):
        services.community_event_save(**{**fields, "reached": -4})
    assert not CommunityEvent.objects.exists()
    assert services.community_event_save(**fields).reached == 10


def test_an_initiative_with_waves_answers_and_a_ledger_can_be_deleted(bb_world):
    from backbone.models import Answer, AssessmentPeriod, SurveyWave

    assert Answer.objects.exists()
    bb_world.initiative.delete()
    assert not SurveyWave.objects.exists() and not Answer.objects.exists()
    assert not FundingEntry.objects.exists() and not Funder.objects.exists()
    assert not AssessmentPeriod.objects.filter(initiative_id=bb_world.initiative.pk).exists()


def test_a_period_with_waves_or_a_funder_with_entries_is_not_deleted_alone(bb_world):
    from django.db.models import RestrictedError

    from backbone.models import AssessmentPeriod

    with pytest.raises(RestrictedError):
        AssessmentPeriod.objects.get(initiative=bb_world.initiative).delete()
    with pytest.raises(RestrictedError):
        Funder.objects.filter(initiative=bb_world.initiative).first().delete()
