"""The API world: the shared-measurement world of tests/measurement (two reporting organisations,
measures with breakdowns, an approved and a submitted submission), its aggregates computed, a
published report card, and API tokens of every kind.

| token            | initiative | scope  | state                          |
| ---------------- | ---------- | ------ | ------------------------------ |
| read             | c2c        | read   | active                         |
| submit           | c2c        | submit | active, for Partner Org        |
| submit_b         | c2c        | submit | active, for Partner B          |
| other            | other      | read   | active (another initiative)    |
| expired          | c2c        | read   | expired yesterday              |
| revoked          | c2c        | read   | revoked                        |
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from initiatives import services as initiative_services
from initiatives.choices import TokenScope
from measurement.aggregation import runs
from measurement.models import ReportCard

from ..measurement.conftest import build_measurement_world, build_mworld

BASE = "/api/v1/initiatives/c2c/"


@pytest.fixture(autouse=True)
def _fresh_rates():
    # Throttle counters live in the cache: every test starts with a full budget.
    cache.clear()
    yield
    cache.clear()


def compute_aggregates(initiative):
    run = runs.rebuild_start(initiative)
    for measure_id in initiative.measures.values_list("pk", flat=True):
        runs.rebuild_measure(run.pk, measure_id)
    run.refresh_from_db()
    return run


@pytest.fixture
def mworld(world, make_user):
    return with_api_data(build_measurement_world(world, make_user))


def build_api_mworld():
    """`mworld` without fixtures: for a module that builds it once (permission_matrix.module_world)."""
    return with_api_data(build_mworld())


def with_api_data(m):
    compute_aggregates(m.initiative)
    card = ReportCard.objects.create(
        initiative=m.initiative, published=True, title="Our children", suppression_threshold=10
    )
    card.measures.set([m.measures["enrolled"], m.measures["attended"]])
    return m


class Tokens(dict):
    """name -> secret; `.objects[name]` is the ApiToken."""

    objects: dict


@pytest.fixture
def tokens(mworld) -> Tokens:
    world, backbone = mworld.world, mworld.backbone
    made = Tokens()
    made.objects = {}

    def issue(name, initiative=None, by=backbone, **kwargs):
        token, secret = initiative_services.api_token_create(
            initiative=initiative or mworld.initiative, by=by, label=f"{name} system", **kwargs
        )
        made[name], made.objects[name] = secret, token
        return token

    issue("read")
    issue("submit", scope=TokenScope.SUBMIT, organization=mworld.org)
    issue("submit_b", scope=TokenScope.SUBMIT, organization=mworld.org_b)
    issue("other", initiative=world.other, by=world.people["other_member"])
    expired = issue("expired")
    expired.expires_at = timezone.now() - timedelta(days=1)
    expired.save(update_fields=["expires_at"])
    initiative_services.api_token_revoke(token=issue("revoked"), by=backbone)
    return made


def bearer(secret: str, scheme: str = "Bearer") -> Client:
    """A client that sends the token and no session cookie."""
    return Client(headers={"Authorization": f"{scheme} {secret}"})


def as_token(tokens: Tokens, name: str) -> Client:
    return bearer(tokens[name])
