"""Network figures against a small graph computed by hand, through the pure functions and through
the service that stores them per wave (with the change since the previous wave); and the ties
the platform's own records show."""

import math

import pytest

from initiatives import services as initiatives
from initiatives.choices import Sector, Topic
from initiatives.models import Organization
from workgroups import network, selectors, services
from workgroups.choices import MetricsStatus

from .conftest import answer

# Five organisations; E has no tie at all.
#   A (nonprofit) — B (nonprofit)      reported by both
#   A — C (government)                  reported by A
#   C — D (business)                    reported by C
ORGS = [
    network.Org(1, "A", Sector.NONPROFIT),
    network.Org(2, "B", Sector.NONPROFIT),
    network.Org(3, "C", Sector.GOVERNMENT),
    network.Org(4, "D", Sector.BUSINESS),
    network.Org(5, "E", Sector.COMMUNITY),
]
REPORTS = [
    network.Report(1, 2, 3, ("information_sharing",), trust=4, value=5),
    network.Report(2, 1, 2, ("joint_planning",), trust=5, value=3),
    network.Report(1, 3, 4, ("joint_programmes",), trust=3, value=4),
    network.Report(3, 4, 1, ("information_sharing",), trust=2, value=2),
]


def test_figures_of_a_hand_computed_graph():
    graph = network.survey_graph(ORGS, REPORTS)
    figures = network.figures(graph, REPORTS)
    assert (figures.organizations, figures.ties, figures.respondents) == (5, 3, 3)
    assert figures.density == pytest.approx(3 / 10)  # 3 of the 5·4/2 possible ties
    assert figures.average_degree == pytest.approx(6 / 5)
    assert figures.cross_sector_share == pytest.approx(2 / 3)  # A–C and C–D, not A–B
    assert figures.reciprocity == pytest.approx(1 / 3)  # only A–B is reported by both
    assert figures.mean_trust == pytest.approx((4 + 5 + 3 + 2) / 4)
    assert figures.mean_value == pytest.approx((5 + 3 + 4 + 2) / 4)
    assert figures.kinds == {
        "information_sharing": 2,
        "joint_planning": 1,
        "shared_resources": 0,
        "joint_programmes": 1,
    }
    # Degree centrality = degree / (n − 1); betweenness of A: B–C and B–D pass through it, of the
    # (n − 1)(n − 2)/2 = 6 pairs without A; C likewise (A–D, B–D). E, with no tie, is not ranked.
    assert figures.most_central == [
        {
            "id": 1,
            "name": "A",
            "sector": "nonprofit",
            "degree": 2,
            "degree_centrality": 0.5,
            "betweenness": 0.333333,
        },
        {
            "id": 3,
            "name": "C",
            "sector": "government",
            "degree": 2,
            "degree_centrality": 0.5,
            "betweenness": 0.333333,
        },
        {
            "id": 2,
            "name": "B",
            "sector": "nonprofit",
            "degree": 1,
            "degree_centrality": 0.25,
            "betweenness": 0.0,
        },
        {
            "id": 4,
            "name": "D",
            "sector": "business",
            "degree": 1,
            "degree_centrality": 0.25,
            "betweenness": 0.0,
        },
    ]


def test_the_drawing_keeps_contact_and_kinds_but_no_ratings():
    drawing = network.drawing(network.survey_graph(ORGS, REPORTS))
    assert [
        (e["source"], e["target"], e["frequency"], e["kinds"], e["mutual"]) for e in drawing["edges"]
    ] == [
        (1, 2, 3, ["information_sharing", "joint_planning"], True),
        (1, 3, 4, ["joint_programmes"], False),
        (3, 4, 1, ["information_sharing"], False),
    ]
    assert all("trust" not in e and "value" not in e for e in drawing["edges"])
    # On the unit circle, grouped by sector (nonprofit A and B first, from the top, clockwise).
    nodes = {n["id"]: n for n in drawing["nodes"]}
    assert (nodes[1]["x"], nodes[1]["y"]) == (0.0, 1.0)
    assert all(math.isclose(n["x"] ** 2 + n["y"] ** 2, 1, abs_tol=1e-3) for n in nodes.values())
    assert [nodes[i]["degree"] for i in range(1, 6)] == [2, 1, 2, 1, 0]
    assert drawing == network.drawing(network.survey_graph(ORGS, list(reversed(REPORTS))))  # stable


def test_reports_about_organisations_no_longer_in_the_network_are_left_out():
    graph = network.survey_graph(ORGS[:2], [*REPORTS, network.Report(1, 1, 3)])
    assert graph.number_of_edges() == 1
    assert network.figures(graph, REPORTS).respondents == 2


def test_tiny_and_empty_networks():
    empty = network.figures(network.survey_graph([], []))
    assert (empty.organizations, empty.ties, empty.density, empty.average_degree) == (0, 0, None, None)
    alone = network.figures(network.survey_graph(ORGS[:1], []))
    assert (alone.density, alone.average_degree, alone.cross_sector_share, alone.most_central) == (
        None,
        0,
        None,
        [],
    )
    assert network.layout(network.survey_graph(ORGS[:1], [])) == {1: (0.0, 0.0)}


def test_change_between_two_waves():
    before = network.survey_graph(ORGS, REPORTS)
    after_reports = [*REPORTS, network.Report(2, 4, 2), network.Report(4, 5, 3)]
    after = network.survey_graph(ORGS, after_reports)

    def stored(graph, reports):
        f = network.figures(graph, reports)
        return {**{k: getattr(f, k) for k in network.CHANGE_FIELDS}, "edges": network.drawing(graph)["edges"]}

    change = network.change(stored(after, after_reports), stored(before, REPORTS))
    assert change["ties"] == 2
    assert change["density"] == pytest.approx(0.5 - 0.3)
    assert change["average_degree"] == pytest.approx(2.0 - 1.2)
    assert change["cross_sector_share"] == pytest.approx(4 / 5 - 2 / 3, abs=1e-6)  # B–D, D–E cross sectors
    assert (change["new_ties"], change["lost_ties"]) == (2, 0)


@pytest.fixture
def five(db, make_user):
    """The hand-computed network as an initiative of its own, answered through the survey."""
    backbone = make_user("runner")
    orgs = {
        o.name: o
        for o in Organization.objects.bulk_create(Organization(name=o.name, sector=o.sector) for o in ORGS)
    }
    initiative = initiatives.initiative_create(
        by=backbone,
        organization=orgs["A"],
        name="Five",
        slug="five",
        issue="x",
        place="y",
        topic=Topic.OTHER,
    )
    for name in "BCDE":
        initiative.participations.create(organization=orgs[name])
    return initiative, backbone, orgs


def _run_wave(initiative, backbone, orgs, name, reports):
    wave = services.wave_create(initiative=initiative, by=backbone, name=name)
    wave = services.wave_open(wave=wave, by=backbone)
    by_from: dict = {}
    for r in reports:
        by_from.setdefault(r.from_id, []).append(r)
    names = {o.id: o.name for o in ORGS}
    for from_id, rows in by_from.items():
        answer(
            wave,
            backbone,
            orgs[names[from_id]],
            [(orgs[names[r.to_id]], r.frequency, list(r.kinds), r.trust or 3, r.value or 3) for r in rows],
        )
    wave = services.wave_close(wave=wave, by=backbone)
    return services.network_metrics_compute(wave_id=wave.pk)


def test_the_service_stores_the_figures_of_each_wave_and_their_change(five):
    initiative, backbone, orgs = five
    first = _run_wave(initiative, backbone, orgs, "First", REPORTS)
    assert first.status == MetricsStatus.DONE and first.computed_at is not None
    assert (first.organizations, first.respondents, first.ties) == (5, 3, 3)
    assert first.density == pytest.approx(0.3)
    assert first.average_degree == pytest.approx(1.2)
    assert first.cross_sector_share == pytest.approx(2 / 3)
    assert first.response_rate == pytest.approx(3 / 5)
    assert [c["name"] for c in first.most_central] == ["A", "C", "B", "D"]
    assert (first.previous_wave, first.change) == (None, {})

    second = _run_wave(
        initiative,
        backbone,
        orgs,
        "Second",
        [*REPORTS, network.Report(2, 4, 2, (), 4, 4), network.Report(4, 5, 3, (), 4, 4)],
    )
    assert second.previous_wave_id == first.wave_id
    assert second.change["ties"] == 2
    assert second.change["density"] == pytest.approx(0.2)
    assert (second.change["new_ties"], second.change["lost_ties"]) == (2, 0)
    assert selectors.latest_metrics(initiative) == second

    # Computing the first wave again keeps the second's comparison in step.
    services.network_metrics_compute(wave_id=first.wave_id)
    second.refresh_from_db()
    assert second.change["density"] == pytest.approx(0.2)


def test_record_ties_come_from_shared_activities_and_groups(wg):
    funder, partner = wg.orgs["funder"].pk, wg.orgs["partner"].pk
    a, b = sorted((funder, partner))
    # Reading camps: led by the partner's organisation, with the funder; the group: the chair
    # (funder) and the partner. The backbone's own activity involves no one else.
    assert selectors.record_ties(wg.initiative) == [network.RecordTie(a, b, activities=1, groups=1)]
    drawing, figures = selectors.records_network(wg.initiative)
    assert (figures.organizations, figures.ties) == (4, 1)
    assert drawing["edges"] == [{"source": a, "target": b, "activities": 1, "groups": 1}]
