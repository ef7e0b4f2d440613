"""The measure page's table by organisation, one page of organisations at a time (#22).

A national network has a thousand partners: the backbone's page reads and draws one page of the
organisations that report the measure (by name, `readers.ORGANIZATIONS_PER_PAGE`), whatever their
number, instead of every organisation's totals over every period. Each listed organisation has its
row, empty where it has no approved total. Both readers (the database's and Python's) give the
same rows, and the page costs the same queries with 30 organisations as with 60.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from initiatives.models import Organization
from measurement.choices import SubmissionStatus
from measurement.dashboards import readers
from measurement.models import Assignment

from ..factories import MembershipFactory, OrganizationFactory
from ..queries import assert_queries_constant
from .factories import DataValueFactory, ReportingPeriodFactory, SharedMeasureFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

PER_PAGE = readers.ORGANIZATIONS_PER_PAGE


class Network:
    """An initiative with a yearly count measure over two years, and its backbone staff."""

    def __init__(self):
        self.backbone = MembershipFactory(backbone=True)
        self.initiative = self.backbone.initiative
        self.measure = SharedMeasureFactory(initiative=self.initiative, code="reached")
        self.years = [ReportingPeriodFactory(initiative=self.initiative, year=y) for y in (2024, 2025)]
        self.organizations: list[Organization] = []

    def add(self, count: int, *, approved_from: int = 1) -> None:
        """`count` more organisations reporting the measure ("Org 001"…); the n-th has n in
        2025, approved, from the `approved_from`-th on; in 2024 only a submitted (unapproved) 1000."""
        for _ in range(count):
            n = len(self.organizations) + 1
            org = OrganizationFactory(name=f"Org {n:03}")
            self.initiative.participations.get_or_create(organization=org)
            Assignment.objects.create(initiative=self.initiative, organization=org, measure=self.measure)
            if n >= approved_from:
                self.value(org, self.years[1], n, SubmissionStatus.APPROVED)
            self.value(org, self.years[0], 1000, SubmissionStatus.SUBMITTED)
            self.organizations.append(org)

    def value(self, org, period, value, status):
        submission = SubmissionFactory(
            initiative=self.initiative, organization=org, period=period, status=status
        )
        DataValueFactory(submission=submission, measure=self.measure, value=value)

    def detail(self, page=None):
        return readers.measure_detail(
            self.initiative, self.measure, show_organizations=True, organizations_page=page
        )


@pytest.fixture(params=["sql", "orm"])
def reader_path(request, monkeypatch):
    monkeypatch.setattr(readers.database, "does_the_work", lambda: request.param == "sql")
    return request.param


def test_one_page_of_organisations_by_name_each_with_its_row(reader_path):
    network = Network()
    network.add(PER_PAGE + 5, approved_from=3)  # Org 001 and 002: nothing approved
    first = network.detail()
    assert first.organizations.paginator.count == PER_PAGE + 5
    assert first.organizations.number == 1 and first.organizations.paginator.num_pages == 2
    assert [name for name, _values in first.by_organization] == [
        f"Org {n:03}" for n in range(1, PER_PAGE + 1)
    ]
    rows = dict(first.by_organization)
    # Listed though nothing is approved; the submitted 2024 values are in no total.
    assert rows["Org 001"] == rows["Org 002"] == {}
    assert rows["Org 003"] == {"2025": 3.0}
    second = network.detail("2")
    assert dict(second.by_organization) == {
        f"Org {n:03}": {"2025": float(n)} for n in range(PER_PAGE + 1, PER_PAGE + 6)
    }


@pytest.mark.parametrize(("asked", "shown"), [(None, 1), ("", 1), ("two", 1), ("0", 2), ("-1", 2), ("99", 2)])
def test_a_page_number_that_is_not_one_shows_a_page(asked, shown):
    network = Network()
    network.add(PER_PAGE + 1)
    detail = network.detail(asked)
    assert detail.organizations.number == shown
    assert len(detail.by_organization) == (PER_PAGE if shown == 1 else 1)


def test_the_page_costs_the_same_queries_whatever_the_number_of_organisations(reader_path):
    network = Network()
    network.add(30)
    assert_queries_constant(lambda: network.detail(), lambda: network.add(30), exact=True)
    assert len(network.detail().by_organization) == PER_PAGE


def test_an_organisation_that_reports_another_measure_only_is_not_listed():
    network = Network()
    network.add(2)
    other = SharedMeasureFactory(initiative=network.initiative, code="other")
    elsewhere = OrganizationFactory(name="Org 000 elsewhere")
    Assignment.objects.create(initiative=network.initiative, organization=elsewhere, measure=other)
    assert [name for name, _v in network.detail().by_organization] == ["Org 001", "Org 002"]


@pytest.mark.parametrize(
    ("language", "range_words", "page_words", "next_word"),
    [
        ("en", f"Organizations 1–{PER_PAGE} of {PER_PAGE + 2} reporting this measure", "Page 1 of 2", "Next"),
        ("he", f"ארגונים 1–{PER_PAGE} מתוך {PER_PAGE + 2} המדווחים על מדד זה", "עמוד 1 מתוך 2", "הבא"),
    ],
)
def test_the_page_links_to_the_next_page_keeping_the_dates(
    client, language, range_words, page_words, next_word
):
    network = Network()
    network.add(PER_PAGE + 2)
    client.force_login(network.backbone.user)
    client.cookies["django_language"] = language
    url = reverse("measurement:measure_dashboard", args=[network.initiative.slug, network.measure.code])
    html = client.get(url, {"from": "2024-01-01"}).content.decode()
    assert range_words in html and page_words in html
    assert f'rel="next" href="?from=2024-01-01&amp;orgs=2#by-org">{next_word}</a>' in html
    assert "<bdi>Org 001</bdi>" in html and "Org 026" not in html
    second = client.get(url, {"from": "2024-01-01", "orgs": "2"}).content.decode()
    assert "<bdi>Org 026</bdi>" in second and "<bdi>Org 027</bdi>" in second
    assert "<bdi>Org 001</bdi>" not in second and 'rel="prev"' in second and 'rel="next"' not in second


def test_one_page_has_no_page_links(client):
    network = Network()
    network.add(2)
    client.force_login(network.backbone.user)
    url = reverse("measurement:measure_dashboard", args=[network.initiative.slug, network.measure.code])
    html = client.get(url).content.decode()
    assert "<bdi>Org 002</bdi>" in html
    assert "by-org-range" not in html and "orgs=" not in html
