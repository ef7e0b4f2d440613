"""Test data of the initiative core, with factory-boy: people, organisations, initiatives (made as a
person makes one, through the service) and memberships in every role. Each app keeps the factories
of its own models beside its tests (tests/<app>/factories.py), building on these.

    initiative = InitiativeFactory(slug="c2c")            # its creator is its backbone staff
    MembershipFactory(initiative=initiative, partner=True)  # a partner, of a new organisation
"""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from initiatives import services
from initiatives.choices import Role, Sector, Topic
from initiatives.models import Initiative, Membership, Organization

PASSWORD = "a-Long-test-pass-7391"


class UserFactory(factory.django.DjangoModelFactory):
    """A person who signs in with PASSWORD; the address follows the user name."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"made-person-{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)  # names are unique

    name = factory.Sequence(lambda n: f"Organisation {n}")
    sector = Sector.NONPROFIT


class InitiativeFactory(factory.django.DjangoModelFactory):
    """An initiative as `services.initiative_create` makes it: in Pre-Launch with its 16 milestones,
    `organization` taking part, and `by` (a new person unless given) its first backbone staff."""

    class Meta:
        model = Initiative

    name = factory.Sequence(lambda n: f"Initiative {n}")
    slug = factory.Sequence(lambda n: f"initiative-{n}")
    issue = "School readiness"
    place = "Be'er Sheva"
    topic = Topic.EDUCATION
    description = ""
    by = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.initiative_create(**kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A person's membership of an initiative, their organisation taking part in it. The role is a
    trait: `MembershipFactory(steering=True)`; a partner unless told."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    initiative = factory.SubFactory(InitiativeFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.PARTNER

    class Params:
        backbone = factory.Trait(role=Role.BACKBONE)
        steering = factory.Trait(role=Role.STEERING)
        partner = factory.Trait(role=Role.PARTNER)
        viewer = factory.Trait(role=Role.VIEWER)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs["initiative"].participations.get_or_create(organization=kwargs["organization"])
        return super()._create(model_class, *args, **kwargs)
