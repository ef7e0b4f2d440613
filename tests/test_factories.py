"""The factories make data the application would make: an initiative as its service makes it, a
member whose organisation takes part, and measurement rows that belong to one initiative."""

from __future__ import annotations

import pytest
from django.test import Client

from initiatives import permissions
from initiatives.choices import Phase, Role

from .factories import PASSWORD, InitiativeFactory, MembershipFactory, UserFactory
from .measurement.factories import DataValueFactory, ReportingPeriodFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


def test_an_initiative_is_made_as_its_service_makes_it():
    initiative = InitiativeFactory()
    creator = initiative.memberships.get()
    assert creator.role == Role.BACKBONE
    assert initiative.phase == Phase.PRE_LAUNCH
    assert initiative.milestones.count() == 16
    assert initiative.participations.filter(organization=creator.organization).exists()
    assert permissions.can_manage(creator.user, initiative)


@pytest.mark.parametrize("role", [Role.BACKBONE, Role.STEERING, Role.PARTNER, Role.VIEWER])
def test_a_member_in_each_role_can_sign_in_and_see_the_initiative(role):
    membership = MembershipFactory(**{role.value: True})
    assert membership.role == role
    assert membership.initiative.participations.filter(organization=membership.organization).exists()
    assert membership.user.check_password(PASSWORD)
    client = Client()
    client.force_login(membership.user)
    assert client.get(membership.initiative.get_absolute_url()).status_code == 200
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(membership.initiative.get_absolute_url()).status_code == 404


def test_a_data_value_belongs_to_its_submissions_initiative_period_and_organisation():
    value = DataValueFactory()
    submission = value.submission
    assert value.measure.initiative == submission.initiative == submission.period.initiative
    assert (value.period, value.organization) == (submission.period, submission.organization)


def test_a_period_is_the_year_it_is_given():
    period = ReportingPeriodFactory(year=2024)
    assert (period.code, str(period.start), str(period.end)) == ("2024", "2024-01-01", "2024-12-31")
    assert period.opens_on == period.start < period.due_on < period.closes_on
    assert SubmissionFactory(period=period, initiative=period.initiative).period == period
