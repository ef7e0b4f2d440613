"""Writes of the common agenda: drafting, publishing, endorsing. Each is atomic."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from initiatives import permissions
from initiatives.choices import Role
from initiatives.models import Initiative
from initiatives.permissions import require

from .choices import AdoptionRule, Decision, VersionStatus
from .models import AgendaSettings, AgendaVersion, Endorsement, ProblemFigure, Strategy, StrategyItem


class DraftConflict(Exception):
    """The draft changed since the editor loaded it; `current` is what is stored now."""

    def __init__(self, current: AgendaVersion):
        super().__init__("the draft changed since it was loaded")
        self.current = current


def agenda_settings(initiative: Initiative) -> AgendaSettings:
    """The initiative's settings, or the defaults (unsaved): reading a page must not write a row."""
    stored = AgendaSettings.objects.filter(initiative=initiative).first()
    return stored or AgendaSettings(initiative=initiative)


@transaction.atomic
def agenda_settings_update(*, initiative: Initiative, by, adoption_rule: str) -> AgendaSettings:
    require(by, permissions.MANAGE, initiative)
    settings, _created = AgendaSettings.objects.update_or_create(
        initiative=initiative, defaults={"adoption_rule": adoption_rule}
    )
    return settings


def latest_published(initiative: Initiative) -> AgendaVersion | None:
    return initiative.agenda_versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


@transaction.atomic
def agenda_draft_start(*, initiative: Initiative, by) -> AgendaVersion:
    """Open the draft: the existing one, or a new one that starts from the latest version."""
    require(by, permissions.MANAGE, initiative)
    Initiative.objects.select_for_update().get(pk=initiative.pk)  # one draft, even when two click at once
    existing = initiative.agenda_versions.filter(status=VersionStatus.DRAFT).first()
    if existing:
        return existing
    base = latest_published(initiative)
    copied = (
        {f: getattr(base, f) for f in (*AgendaVersion.TEXT_SECTIONS, "guiding_principles", "kind")}
        if base
        else {}
    )
    draft = AgendaVersion.objects.create(
        initiative=initiative,
        status=VersionStatus.DRAFT,
        based_on=base,
        created_by=by,
        updated_by=by,
        **copied,
    )
    if base:
        ProblemFigure.objects.bulk_create(
            ProblemFigure(version=draft, order=f.order, statement=f.statement, source=f.source, year=f.year)
            for f in base.figures.all()
        )
        StrategyItem.objects.bulk_create(
            StrategyItem(
                version=draft, strategy_id=s.strategy_id, order=s.order, title=s.title, rationale=s.rationale
            )
            for s in base.strategy_items.all()
        )
    return draft


@transaction.atomic
def agenda_draft_save(
    *,
    draft: AgendaVersion,
    by,
    revision: int,
    fields: dict,
    figures: list[dict],
    strategies: list[dict],
    principles: list[str],
) -> AgendaVersion:
    """Save the whole draft. `revision` is the one the editor started from: if someone saved in
    between, DraftConflict is raised and nothing is written."""
    require(by, permissions.MANAGE, draft.initiative)
    locked = AgendaVersion.objects.select_for_update().get(pk=draft.pk)
    if locked.status != VersionStatus.DRAFT:
        raise ValidationError(_("This draft was published in the meantime; start a new draft."))
    if locked.revision != revision:
        raise DraftConflict(locked)
    allowed = {*AgendaVersion.TEXT_SECTIONS, "kind"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(f"not a draft field: {name}")
        setattr(locked, name, value)
    locked.guiding_principles = [p.strip() for p in principles if p and p.strip()]
    locked.revision += 1
    locked.updated_by = by
    locked.save()

    known = set(Strategy.objects.filter(initiative=draft.initiative).values_list("pk", flat=True))
    seen: set[int] = set()
    items = []
    for order, entry in enumerate(strategies):
        strategy_id = entry.get("strategy_id")
        if strategy_id is None:
            strategy_id = Strategy.objects.create(initiative=draft.initiative).pk
        elif strategy_id not in known or strategy_id in seen:
            raise ValidationError(_("A strategy does not belong to this initiative or appears twice."))
        seen.add(strategy_id)
        items.append(
            StrategyItem(
                version=locked,
                strategy_id=strategy_id,
                order=order,
                title=entry["title"],
                rationale=entry.get("rationale", ""),
            )
        )
    locked.strategy_items.all().delete()
    StrategyItem.objects.bulk_create(items)
    locked.figures.all().delete()
    ProblemFigure.objects.bulk_create(
        ProblemFigure(
            version=locked, order=order, statement=f["statement"], source=f["source"], year=f.get("year")
        )
        for order, f in enumerate(figures)
    )
    return locked


@transaction.atomic
def agenda_draft_discard(*, draft: AgendaVersion, by) -> None:
    require(by, permissions.MANAGE, draft.initiative)
    if draft.status == VersionStatus.DRAFT:
        draft.delete()


@transaction.atomic
def agenda_publish(
    *, draft: AgendaVersion, by, change_summary: str, kind: str | None = None
) -> AgendaVersion:
    """Freeze the draft as the next numbered version."""
    initiative = draft.initiative
    require(by, permissions.MANAGE, initiative)
    locked = AgendaVersion.objects.select_for_update().get(pk=draft.pk)
    if locked.status != VersionStatus.DRAFT:
        raise ValidationError(_("This draft is already published."))
    problems = []
    if not locked.problem_statement.strip():
        problems.append(_("Describe the problem."))
    if not locked.goal.strip():
        problems.append(_("State the goal."))
    if not locked.strategy_items.exists():
        problems.append(_("Add at least one key strategy."))
    if problems:
        raise ValidationError([_("An empty or incomplete agenda cannot be published."), *problems])
    if not change_summary.strip() and locked.based_on_id:
        raise ValidationError({"change_summary": _("Say what changed since the previous version.")})
    last = initiative.agenda_versions.aggregate(n=Max("number"))["n"] or 0
    locked.number = last + 1
    locked.status = VersionStatus.PUBLISHED
    locked.change_summary = change_summary.strip()
    if kind:
        locked.kind = kind
    locked.published_by = by
    locked.published_at = timezone.now()
    locked.save()
    from communication.services import notify_agenda_published

    notify_agenda_published(locked)
    from webhooks.services import event_emit  # webhooks, queued on commit

    event_emit(initiative=initiative, type="agenda.published", subject=locked)
    return locked


@transaction.atomic
def agenda_endorse(*, version: AgendaVersion, by, decision: str, comment: str = "") -> Endorsement:
    """Endorse or decline the current version. Endorsing a superseded version is refused."""
    initiative = version.initiative
    require(by, permissions.ENDORSE, initiative)
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose to endorse or to decline.")})
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("Only a published version can be endorsed."))
    current = latest_published(initiative)
    if current is None or current.pk != version.pk:
        raise ValidationError(
            _("Version %(old)s was superseded by %(new)s: endorse the current version instead.")
            % {"old": version.label, "new": current.label if current else "?"}
        )
    if decision == Decision.DECLINE and not comment.strip():
        raise ValidationError({"comment": _("Say why you decline, so that the next version can address it.")})
    membership = permissions.membership_of(by, initiative)
    if membership is None:  # require() above let only members through
        raise PermissionDenied
    endorsement, _created = Endorsement.objects.update_or_create(
        version=version,
        user=by,
        defaults={
            "organization": membership.organization,
            "role": membership.role,
            "decision": decision,
            "comment": comment.strip(),
        },
    )
    _record_adoption(version)
    return endorsement


def adoption_state(version: AgendaVersion) -> dict:
    """How far the steering committee is from adopting this version under the initiative's rule."""
    initiative = version.initiative
    rule = agenda_settings(initiative).adoption_rule
    steering = set(initiative.memberships.filter(role=Role.STEERING).values_list("user_id", flat=True))
    decisions = dict(version.endorsements.filter(user_id__in=steering).values_list("user_id", "decision"))
    endorsed = sum(1 for d in decisions.values() if d == Decision.ENDORSE)
    total = len(steering)
    needed = total if rule == AdoptionRule.ALL else total // 2 + 1
    return {
        "rule": rule,
        "steering_total": total,
        "endorsed": endorsed,
        "declined": sum(1 for d in decisions.values() if d == Decision.DECLINE),
        "needed": needed,
        "met": total > 0 and endorsed >= needed,
    }


def _record_adoption(version: AgendaVersion) -> None:
    if version.adopted_at is None and adoption_state(version)["met"]:
        version.adopted_at = timezone.now()
        version.save(update_fields=["adopted_at"])
