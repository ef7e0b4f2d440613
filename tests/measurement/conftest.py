"""A small shared-measurement world on top of `world`, built through the services.

Two reporting organisations: the `partner` persona's own (Partner Org) and Partner B (user
`partner_b`). Dimensions: area (3 members) and gender (2). Measures, one per value type and
aggregation:

| code      | type    | aggregation   | frequency | breakdown     | reported by        |
| --------- | ------- | ------------- | --------- | ------------- | ------------------ |
| enrolled  | integer | sum           | yearly    | area          | Partner, Partner B |
| ready-pct | percent | weighted mean | yearly    | —             | Partner            |
| spend     | decimal | mean          | yearly    | — (optional)  | Partner            |
| attended  | integer | sum           | yearly    | —             | Partner            |
| pop-rate  | decimal | none          | yearly    | —             | Partner B          |
| sessions  | integer | sum           | quarterly | area × gender | Partner, Partner B |

Periods (windows set relative to today, so the tests do not depend on the date): the current
year and quarter are open, the previous year and quarter closed. Rule: attended ≤ enrolled.
`enrolled` asks for a comment above a 50 % change. Partner Org's previous year is submitted and
approved (enrolled 100 per area); Partner B's current year is submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from initiatives.choices import Role, Sector
from initiatives.models import Organization
from measurement import services
from measurement.choices import Aggregation, Direction, Frequency, Level, Operator, Unit, ValueType
from measurement.models import ReportingPeriod, ValidationRule
from measurement.periods import period_containing, previous_period

MEASURES = {
    # code: (value type, unit, aggregation, frequency, dimensions, extra fields)
    "enrolled": (
        ValueType.INTEGER,
        Unit.COUNT,
        Aggregation.SUM,
        Frequency.YEARLY,
        ["area"],
        {"max_change_pct": 50},
    ),
    "ready-pct": (ValueType.PERCENT, Unit.PERCENT, Aggregation.WEIGHTED_MEAN, Frequency.YEARLY, [], {}),
    "spend": (
        ValueType.DECIMAL,
        Unit.CURRENCY,
        Aggregation.MEAN,
        Frequency.YEARLY,
        [],
        {"required": False, "min_value": Decimal(0), "max_value": Decimal(1_000_000)},
    ),
    "attended": (ValueType.INTEGER, Unit.COUNT, Aggregation.SUM, Frequency.YEARLY, [], {}),
    "pop-rate": (ValueType.DECIMAL, Unit.RATE, Aggregation.NONE, Frequency.YEARLY, [], {}),
    "sessions": (ValueType.INTEGER, Unit.COUNT, Aggregation.SUM, Frequency.QUARTERLY, ["area", "gender"], {}),
}
PARTNER_MEASURES = ["enrolled", "ready-pct", "spend", "attended", "sessions"]
PARTNER_B_MEASURES = ["enrolled", "pop-rate", "sessions"]
RULE_MESSAGE = "More children attended than were enrolled."


@dataclass
class MeasurementWorld:
    world: object
    initiative: object
    backbone: object
    partner: object
    partner_b: object
    org: Organization
    org_b: Organization
    dimensions: dict
    members: dict  # "area:dalet" -> DimensionMember
    measures: dict
    periods: dict  # year, year_closed, quarter, quarter_closed
    rule: ValidationRule
    closed_submission: object  # Partner Org, previous year: approved
    b_submission: object  # Partner B, this year: submitted

    def cell(self, code: str, *members: str) -> tuple:
        """("enrolled", "area:dalet") -> (measure id, member id, None)."""
        ids = [self.members[m].pk for m in members] + [None, None]
        return (self.measures[code].pk, ids[0], ids[1])

    def valid_year(self, overrides: dict | None = None) -> dict:
        """A complete, valid entry of Partner Org's current year (enrolled total 315, +5 %)."""
        raw = {
            self.cell("enrolled", "area:dalet"): "110",
            self.cell("enrolled", "area:hey"): "100",
            self.cell("enrolled", "area:vav"): "105",
            self.cell("ready-pct"): "55.5",
            self.cell("spend"): "1234.50",
            self.cell("attended"): "200",
        }
        return {**raw, **(overrides or {})}

    def submission(self, period: str = "year", org=None, by=None):
        return services.submission_for(
            initiative=self.initiative,
            organization=org or self.org,
            period=self.periods[period],
            by=by or self.backbone,
        )


def make_measure(initiative, by, code: str, dimensions=(), **fields):
    vtype, unit, agg, freq, _dims, extra = MEASURES.get(
        code, (ValueType.INTEGER, Unit.COUNT, Aggregation.SUM, Frequency.YEARLY, [], {})
    )
    values = {
        "code": code,
        "name_en": code.replace("-", " ").capitalize(),
        "name_he": "מדד " + code,
        "definition": f"Definition of {code}.",
        "unit": unit,
        "value_type": vtype,
        "direction": Direction.HIGHER_IS_BETTER,
        "level": Level.POPULATION,
        "aggregation": agg,
        "frequency": freq,
        **extra,
        **fields,
    }
    return services.measure_save(initiative=initiative, by=by, dimensions=list(dimensions), **values)


def make_period(initiative, span, *, open_: bool) -> ReportingPeriod:
    today = timezone.localdate()
    if open_:
        opens, closes, due = (
            today - timedelta(days=30),
            today + timedelta(days=30),
            today + timedelta(days=14),
        )
    else:
        opens, closes, due = span.start, today - timedelta(days=5), today - timedelta(days=20)
    return ReportingPeriod.objects.create(
        initiative=initiative,
        frequency=span.frequency,
        code=span.code,
        start=span.start,
        end=span.end,
        opens_on=opens,
        closes_on=closes,
        due_on=due,
    )


def build_measurement_world(world, make_user) -> MeasurementWorld:
    initiative, backbone = world.initiative, world.people["backbone"]
    org, partner = world.orgs["partner"], world.people["partner"]
    org_b = Organization.objects.create(name="Partner B", sector=Sector.NONPROFIT)
    initiative.participations.get_or_create(organization=org_b)
    partner_b = make_user("partner_b")
    initiative.memberships.create(user=partner_b, organization=org_b, role=Role.PARTNER)

    dimensions = {
        "area": services.dimension_create(
            initiative=initiative,
            by=backbone,
            code="area",
            name_en="Neighbourhood",
            name_he="שכונה",
            members=[("dalet", "Dalet", "ד'"), ("hey", "Hey", "ה'"), ("vav", "Vav", "ו'")],
        ),
        "gender": services.dimension_create(
            initiative=initiative,
            by=backbone,
            code="gender",
            name_en="Gender",
            name_he="מגדר",
            members=[("girls", "Girls", "בנות"), ("boys", "Boys", "בנים")],
        ),
    }
    members = {f"{d.code}:{m.code}": m for d in dimensions.values() for m in d.members.all()}
    measures = {}
    for code, (*_x, dims, _extra) in MEASURES.items():
        fields = {"denominator": measures["enrolled"]} if code == "ready-pct" else {}
        measures[code] = make_measure(
            initiative, backbone, code, dimensions=[dimensions[d] for d in dims], **fields
        )

    today = timezone.localdate()
    year, quarter = period_containing(Frequency.YEARLY, today), period_containing(Frequency.QUARTERLY, today)
    periods = {
        "year": make_period(initiative, year, open_=True),
        "year_closed": make_period(initiative, previous_period(year), open_=False),
        "quarter": make_period(initiative, quarter, open_=True),
        "quarter_closed": make_period(initiative, previous_period(quarter), open_=False),
    }
    services.assignments_set(
        initiative=initiative,
        by=backbone,
        pairs={(org.pk, measures[c].pk) for c in PARTNER_MEASURES}
        | {(org_b.pk, measures[c].pk) for c in PARTNER_B_MEASURES},
    )
    rule = ValidationRule.objects.create(
        initiative=initiative,
        name="Attended within enrolled",
        left=measures["attended"],
        operator=Operator.LE,
        right=measures["enrolled"],
        message=RULE_MESSAGE,
    )
    m = MeasurementWorld(
        world=world,
        initiative=initiative,
        backbone=backbone,
        partner=partner,
        partner_b=partner_b,
        org=org,
        org_b=org_b,
        dimensions=dimensions,
        members=members,
        measures=measures,
        periods=periods,
        rule=rule,
        closed_submission=None,
        b_submission=None,
    )

    # Partner Org's previous year, entered late by the backbone (the window is closed), approved.
    closed = m.submission("year_closed")
    services.values_save(
        submission=closed,
        by=backbone,
        raw={
            m.cell("enrolled", "area:dalet"): "100",
            m.cell("enrolled", "area:hey"): "100",
            m.cell("enrolled", "area:vav"): "100",
            m.cell("ready-pct"): "50",
            m.cell("attended"): "150",
        },
        submit=True,
    )
    m.closed_submission = services.submission_approve(submission=closed, by=backbone)

    # Partner B's current year, entered by its own contributor and submitted.
    b = m.submission("year", org=org_b, by=partner_b)
    services.values_save(
        submission=b,
        by=partner_b,
        raw={
            m.cell("enrolled", "area:dalet"): "70",
            m.cell("enrolled", "area:hey"): "80",
            m.cell("enrolled", "area:vav"): "90",
            m.cell("pop-rate"): "12.5",
        },
        comments={m.cell("pop-rate"): "B-ONLY-COMMENT"},
        submit=True,
    )
    b.refresh_from_db()
    m.b_submission = b
    return m


@pytest.fixture
def mworld(world, make_user) -> MeasurementWorld:
    return build_measurement_world(world, make_user)


def build_mworld() -> MeasurementWorld:
    """`mworld` on a world of its own, without fixtures: for a module that builds it once
    (tests/permission_matrix.py's `module_world`)."""
    from ..factories import UserFactory
    from ..permission_matrix import build_world

    return build_measurement_world(build_world(), lambda name, **extra: UserFactory(username=name, **extra))


class GridFields(HTMLParser):
    """The named inputs of one form, as a browser would send them (disabled ones left out)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.fields: dict[str, str] = {}
        self.disabled: set[str] = set()
        self.attrs: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if self.inside and tag == "input" and a.get("name") and a.get("type") != "submit":
            self.attrs[a["name"]] = a
            if "disabled" in a:
                self.disabled.add(a["name"])
            elif a.get("type") == "checkbox" and "checked" not in a:
                pass  # an unticked box is not sent
            else:
                self.fields[a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def grid_fields(response, form_id: str = "entry-grid") -> GridFields:
    parser = GridFields(form_id)
    parser.feed(response.content.decode())
    return parser


def field_name(cell: tuple) -> str:
    """The entry grid's name for a cell (the views use the same scheme)."""
    measure, m1, m2 = cell
    return f"v{measure}_{m1 or 0}_{m2 or 0}"
