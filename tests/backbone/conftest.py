from datetime import date

import pytest

from backbone import services
from backbone.choices import FunderType, FundingKind, FundingRecipient, PolicyKind, RespondentGroup

from ..conftest import restore_migrated_rows
from .helpers import answer, invite, make_wave, open_wave, recompute


def seed_records(world, initiative=None, by=None):
    initiative = initiative or world.initiative
    by = by or world.people["backbone"]
    entry = services.funding_entry_save(
        initiative=initiative,
        by=by,
        funder_name="Southern Families Foundation",
        funder_type=FunderType.PHILANTHROPY,
        recipient=FundingRecipient.BACKBONE,
        kind=FundingKind.NEW,
        amount="120000",
        year=2025,
        committed_on=date(2025, 2, 1),
    )
    policy = services.policy_entry_save(
        initiative=initiative,
        by=by,
        occurred_on=date(2025, 3, 1),
        kind=PolicyKind.BRIEFING,
        title="Council briefing",
        description="",
        level="local",
        policymakers=4,
        alignment="",
        source_url="",
    )
    event = services.community_event_save(
        initiative=initiative,
        by=by,
        held_on=date(2025, 4, 1),
        kind="public_meeting",
        title="Parents' evening",
        reached=80,
        supporters=30,
        took_action=5,
        community_led=True,
        notes="",
    )
    return entry, policy, event


def load_catalogue() -> None:
    """The catalogue as the migrations leave it. A flush puts it back by itself (tests/conftest.py,
    restore_migrated_rows); a test that empties it some other way calls this."""
    restore_migrated_rows()


@pytest.fixture
def catalogue(transactional_db):
    load_catalogue()


@pytest.fixture
def bb_world(world):
    """The world with an open wave answered by five partners, a pending respondent, records in
    the ledger, log and community list, and computed scores."""
    return build_bb_world(world)


def build_bb_world(world):
    """`bb_world` on any world (tests/backbone/test_permissions.py builds it once per module)."""
    wave = make_wave(world, "partner-10", "partner-11", "community-18")
    people = invite(world, wave, RespondentGroup.PARTNER, 6)
    open_wave(world, wave)
    for person, rating in zip(people, (5, 4, 4, 3, 2), strict=False):
        answer(person, rating)
    invite(world, wave, RespondentGroup.COMMUNITY, 1, prefix="late")
    world.wave = wave
    world.entry, world.policy, world.event = seed_records(world)
    recompute(world)
    return world
