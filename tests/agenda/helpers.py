"""Building agenda versions for the tests, through the services (never through the ORM), so that
every version in a test went through the same checks as one made in the browser."""

from __future__ import annotations

from agenda import services
from agenda.choices import AgendaKind
from agenda.models import AgendaVersion

PROBLEM = "Fewer than half of the children in the south start school ready to learn."
GOAL = "Every child is ready for school"


def save_draft(
    world,
    *,
    problem: str = PROBLEM,
    goal: str = GOAL,
    strategies: list[dict] | None = None,
    figures: list[dict] | None = None,
    principles: list[str] | None = None,
    kind: str = AgendaKind.PRELIMINARY,
    **fields,
) -> AgendaVersion:
    """Open (or reuse) the draft and save it whole; strategies default to the draft's own."""
    by = world.people["backbone"]
    draft = services.agenda_draft_start(initiative=world.initiative, by=by)
    if strategies is None:
        strategies = [
            {"strategy_id": s.strategy_id, "title": s.title, "rationale": s.rationale}
            for s in draft.strategy_items.all()
        ] or [{"title": "Early childhood development", "rationale": "Readiness at five predicts later."}]
    if figures is None:
        figures = [
            {"statement": f.statement, "source": f.source, "year": f.year} for f in draft.figures.all()
        ]
    return services.agenda_draft_save(
        draft=draft,
        by=by,
        revision=draft.revision,
        fields={"problem_statement": problem, "goal": goal, "kind": kind, **fields},
        figures=figures,
        strategies=strategies,
        principles=principles if principles is not None else list(draft.guiding_principles),
    )


def publish(world, *, summary: str | None = None, kind: str | None = None, **draft) -> AgendaVersion:
    """Save a draft (see save_draft) and publish it; after v1 a change summary is made up."""
    saved = save_draft(world, **draft)
    if summary is None:
        summary = "" if saved.based_on_id is None else "Changed the goal."
    return services.agenda_publish(
        draft=saved, by=world.people["backbone"], change_summary=summary, kind=kind
    )


def strategy_rows(version: AgendaVersion) -> list[tuple[int, str, str]]:
    return list(version.strategy_items.order_by("order").values_list("strategy_id", "title", "rationale"))


def figure_rows(version: AgendaVersion) -> list[tuple[str, str, int | None]]:
    return list(version.figures.order_by("order").values_list("statement", "source", "year"))
