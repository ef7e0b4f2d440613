"""The collaboration network as a graph, and its standard figures. Pure functions: no queries.

The survey is directed (A says how it works with B), the network is not: A and B are tied when
either reports the tie. Organisations that took part in the initiative but have no tie still
count, so density says how much of the possible collaboration exists. Figures follow the usual
definitions (networkx):

* density = ties / (n (n − 1) / 2)
* average degree = 2 · ties / n
* most central = highest degree centrality, then betweenness centrality (both normalised)
* cross-sector share = ties whose two organisations are in different sectors / ties
* reciprocity = ties reported by both organisations / ties
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from initiatives.choices import Sector

from .choices import CollaborationKind

MOST_CENTRAL = 5
SECTOR_ORDER = {sector.value: index for index, sector in enumerate(Sector)}


@dataclass(frozen=True)
class Org:
    id: int
    name: str
    sector: str


@dataclass(frozen=True)
class Report:
    """One organisation's answer about one other organisation."""

    from_id: int
    to_id: int
    frequency: int
    kinds: tuple[str, ...] = ()
    trust: int | None = None
    value: int | None = None


@dataclass(frozen=True)
class RecordTie:
    """A tie the platform's own records show: shared activities and shared working groups."""

    a: int
    b: int
    activities: int = 0
    groups: int = 0


@dataclass
class Figures:
    organizations: int
    ties: int
    density: float | None
    average_degree: float | None
    cross_sector_share: float | None
    most_central: list[dict]
    reciprocity: float | None = None
    mean_trust: float | None = None
    mean_value: float | None = None
    respondents: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _nodes(orgs: Iterable[Org]) -> nx.Graph:
    graph = nx.Graph()
    for org in orgs:
        graph.add_node(org.id, name=org.name, sector=org.sector)
    return graph


def survey_graph(orgs: Iterable[Org], reports: Iterable[Report]) -> nx.Graph:
    """Organisations as nodes; a tie wherever either side reported one. Reports about an
    organisation no longer in the initiative are left out."""
    graph = _nodes(orgs)
    for r in reports:
        if r.from_id == r.to_id or r.from_id not in graph or r.to_id not in graph:
            continue
        a, b = _pair(r.from_id, r.to_id)
        if graph.has_edge(a, b):
            data = graph.edges[a, b]
            data["reported_by"].add(r.from_id)
            data["frequency"] = max(data["frequency"], r.frequency)
            data["kinds"].update(r.kinds)
        else:
            graph.add_edge(a, b, reported_by={r.from_id}, frequency=r.frequency, kinds=set(r.kinds))
    return graph


def records_graph(orgs: Iterable[Org], ties: Iterable[RecordTie]) -> nx.Graph:
    graph = _nodes(orgs)
    for tie in ties:
        if tie.a != tie.b and tie.a in graph and tie.b in graph:
            graph.add_edge(*_pair(tie.a, tie.b), activities=tie.activities, groups=tie.groups)
    return graph


def figures(graph: nx.Graph, reports: Iterable[Report] = ()) -> Figures:
    n = graph.number_of_nodes()
    e = graph.number_of_edges()
    cross = sum(1 for a, b in graph.edges if graph.nodes[a]["sector"] != graph.nodes[b]["sector"])
    degree = nx.degree_centrality(graph) if n > 1 else dict.fromkeys(graph.nodes, 0.0)
    betweenness = nx.betweenness_centrality(graph) if n > 2 else dict.fromkeys(graph.nodes, 0.0)
    ranked = sorted(
        (node for node in graph.nodes if graph.degree(node) > 0),
        key=lambda node: (-graph.degree(node), -betweenness[node], graph.nodes[node]["name"]),
    )
    most_central = [
        {
            "id": node,
            "name": graph.nodes[node]["name"],
            "sector": graph.nodes[node]["sector"],
            "degree": graph.degree(node),
            "degree_centrality": round(degree[node], 6),
            "betweenness": round(betweenness[node], 6),
        }
        for node in ranked[:MOST_CENTRAL]
    ]
    counted = [r for r in reports if r.from_id != r.to_id and r.from_id in graph and r.to_id in graph]
    trusts = [r.trust for r in counted if r.trust is not None]
    values = [r.value for r in counted if r.value is not None]
    has_reporters = any("reported_by" in data for _a, _b, data in graph.edges(data=True))
    return Figures(
        organizations=n,
        ties=e,
        density=nx.density(graph) if n > 1 else None,
        average_degree=2 * e / n if n else None,
        cross_sector_share=cross / e if e else None,
        most_central=most_central,
        reciprocity=(
            sum(1 for _a, _b, d in graph.edges(data=True) if len(d.get("reported_by", ())) > 1) / e
            if e and has_reporters
            else None
        ),
        mean_trust=sum(trusts) / len(trusts) if trusts else None,
        mean_value=sum(values) / len(values) if values else None,
        respondents=len({r.from_id for r in counted}),
        kinds={
            kind.value: sum(1 for _a, _b, d in graph.edges(data=True) if kind.value in d.get("kinds", ()))
            for kind in CollaborationKind
        }
        if has_reporters
        else {},
    )


def layout(graph: nx.Graph) -> dict[int, tuple[float, float]]:
    """Organisations on a circle, grouped by sector, so that ties across sectors are the chords
    that cross the picture. Deterministic: the same network is always drawn the same way."""
    nodes = sorted(
        graph.nodes,
        key=lambda node: (SECTOR_ORDER.get(graph.nodes[node]["sector"], 99), graph.nodes[node]["name"]),
    )
    count = len(nodes)
    if count == 1:
        return {nodes[0]: (0.0, 0.0)}
    return {
        node: (
            round(math.cos(math.pi / 2 - 2 * math.pi * i / count), 4),
            round(math.sin(math.pi / 2 - 2 * math.pi * i / count), 4),
        )
        for i, node in enumerate(nodes)
    }


def drawing(graph: nx.Graph) -> dict:
    """What the network page draws. Survey ties carry contact and kinds, never anyone's ratings."""
    positions = layout(graph)
    nodes = [
        {
            "id": node,
            "name": data["name"],
            "sector": data["sector"],
            "x": positions[node][0],
            "y": positions[node][1],
            "degree": graph.degree(node),
        }
        for node, data in sorted(graph.nodes(data=True), key=lambda item: item[0])
    ]
    edges = []
    for a, b, data in sorted(graph.edges(data=True), key=lambda item: _pair(item[0], item[1])):
        a, b = _pair(a, b)
        edge: dict = {"source": a, "target": b}
        if "reported_by" in data:
            edge.update(
                frequency=data["frequency"],
                kinds=sorted(data["kinds"]),
                mutual=len(data["reported_by"]) > 1,
            )
        else:
            edge.update(activities=data.get("activities", 0), groups=data.get("groups", 0))
        edges.append(edge)
    return {"nodes": nodes, "edges": edges}


CHANGE_FIELDS = ("ties", "density", "average_degree", "cross_sector_share", "mean_trust", "mean_value")


def change(current: dict, previous: dict) -> dict:
    """Differences between two waves' stored figures (current − previous), and the ties gained
    and lost. Both dicts hold CHANGE_FIELDS and the drawing's `edges`."""
    result: dict = {}
    for name in CHANGE_FIELDS:
        now, before = current.get(name), previous.get(name)
        result[name] = None if now is None or before is None else round(now - before, 6)
    now_edges = {_pair(e["source"], e["target"]) for e in current.get("edges", [])}
    before_edges = {_pair(e["source"], e["target"]) for e in previous.get("edges", [])}
    result["new_ties"] = len(now_edges - before_edges)
    result["lost_ties"] = len(before_edges - now_edges)
    return result
