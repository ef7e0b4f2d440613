"""Writes of learning. One function per state change, atomic; the permission is checked here,
whatever calls (page, API, shell), through initiatives.permissions.require."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agenda.models import Strategy
from communication import selectors as communication_selectors
from communication.models import Decision, Document
from initiatives.models import Initiative, Membership, Organization
from initiatives.permissions import require
from measurement.models import ReportingPeriod, SharedMeasure
from workgroups.models import Activity

from . import permissions as perms
from .catalogue import BY_KEY
from .choices import AssumptionStatus, Impact, Likelihood, RiskStatus
from .models import (
    Assumption,
    CurveStory,
    CurveWorksheet,
    LearningEntry,
    Risk,
    RiskReview,
    WorksheetAction,
    WorksheetPartner,
)

# A risk taken from the starting list is looked at again in three months unless told otherwise.
FIRST_REVIEW_AFTER = timedelta(days=90)


# --- Checks that an object given by id belongs to the initiative ----------------------------------


def _same_initiative(initiative: Initiative, field: str, obj, initiative_id: int | None) -> None:
    if obj is not None and initiative_id != initiative.pk:
        raise ValidationError({field: _("This belongs to another initiative.")})


def _participating(initiative: Initiative, field: str, organizations: Iterable[Organization | None]) -> None:
    inside = set(initiative.participations.values_list("organization_id", flat=True))
    outside = sorted(o.name for o in organizations if o is not None and o.pk not in inside)
    if outside:
        raise ValidationError(
            {field: _("%(names)s is not part of this initiative.") % {"names": ", ".join(outside)}}
        )


def _scores(likelihood: int, impact: int) -> None:
    errors = {}
    if likelihood not in Likelihood.values:
        errors["likelihood"] = _("Choose a likelihood from 1 to 5.")
    if impact not in Impact.values:
        errors["impact"] = _("Choose an impact from 1 to 5.")
    if errors:
        raise ValidationError(errors)


# --- The risk register ----------------------------------------------------------------------------


def _check_risk(initiative: Initiative, *, title: str, catalogue_key: str, owner, likelihood, impact, status):
    if not title.strip() and not catalogue_key:
        raise ValidationError({"title": _("Name the risk.")})
    if owner is not None:
        _same_initiative(initiative, "owner", owner, owner.initiative_id)
    _scores(likelihood, impact)
    if status not in RiskStatus.values:
        raise ValidationError({"status": _("Unknown status.")})


@transaction.atomic
def risk_create(
    *,
    initiative: Initiative,
    by,
    title: str,
    review_on: date,
    description: str = "",
    owner: Membership | None = None,
    likelihood: int = Likelihood.POSSIBLE,
    impact: int = Impact.MODERATE,
    mitigation: str = "",
) -> Risk:
    """A risk of the initiative's own (the starting list is taken with `risks_adopt`)."""
    require(by, perms.KEEP, initiative)
    _check_risk(
        initiative,
        title=title,
        catalogue_key="",
        owner=owner,
        likelihood=likelihood,
        impact=impact,
        status=RiskStatus.OPEN,
    )
    return Risk.objects.create(
        initiative=initiative,
        title=title.strip(),
        description=description,
        owner=owner,
        likelihood=likelihood,
        impact=impact,
        mitigation=mitigation,
        review_on=review_on,
        created_by=by,
    )


@transaction.atomic
def risks_adopt(
    *,
    initiative: Initiative,
    by,
    keys: Iterable[str],
    owner: Membership | None = None,
    review_on: date | None = None,
) -> list[Risk]:
    """Take entries of the source's starting list into the register. An entry already taken is
    left as it is; its wording stays the list's, shown in each reader's language."""
    require(by, perms.KEEP, initiative)
    keys = list(dict.fromkeys(keys))
    unknown = [k for k in keys if k not in BY_KEY]
    if unknown or not keys:
        raise ValidationError({"keys": _("Choose one or more risks of the starting list.")})
    if owner is not None:
        _same_initiative(initiative, "owner", owner, owner.initiative_id)
    taken = set(initiative.risks.filter(catalogue_key__in=keys).values_list("catalogue_key", flat=True))
    review_on = review_on or timezone.localdate() + FIRST_REVIEW_AFTER
    return Risk.objects.bulk_create(
        Risk(initiative=initiative, catalogue_key=key, owner=owner, review_on=review_on, created_by=by)
        for key in keys
        if key not in taken
    )


RISK_FIELDS = ("title", "description", "owner", "likelihood", "impact", "mitigation", "review_on", "status")


@transaction.atomic
def risk_update(*, risk: Risk, by, **fields) -> Risk:
    initiative = risk.initiative
    require(by, perms.KEEP, initiative)
    unknown = set(fields) - set(RISK_FIELDS)
    if unknown:
        raise ValueError(f"not a field of a risk: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(risk, name, value.strip() if name == "title" else value)
    _check_risk(
        initiative,
        title=risk.title,
        catalogue_key=risk.catalogue_key,
        owner=risk.owner,
        likelihood=risk.likelihood,
        impact=risk.impact,
        status=risk.status,
    )
    risk.save(update_fields=[*fields, "updated_at"])
    return risk


@transaction.atomic
def risk_review(
    *,
    risk: Risk,
    by,
    note: str,
    next_review_on: date,
    likelihood: int | None = None,
    impact: int | None = None,
    status: str | None = None,
) -> RiskReview:
    """Record a look at a risk: what was found, the scores it leaves, and when to look again."""
    require(by, perms.KEEP, risk.initiative)
    likelihood = risk.likelihood if likelihood is None else likelihood
    impact = risk.impact if impact is None else impact
    status = status or risk.status
    if not note.strip():
        raise ValidationError({"note": _("Say what the review found.")})
    _scores(likelihood, impact)
    if status not in RiskStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    today = timezone.localdate()
    if status == RiskStatus.OPEN and next_review_on <= today:
        raise ValidationError({"next_review_on": _("The next review of an open risk is after today.")})
    review = RiskReview.objects.create(
        risk=risk,
        note=note.strip(),
        likelihood=likelihood,
        impact=impact,
        status=status,
        next_review_on=next_review_on,
        by=by,
    )
    risk.likelihood, risk.impact, risk.status, risk.review_on = likelihood, impact, status, next_review_on
    risk.save(update_fields=["likelihood", "impact", "status", "review_on", "updated_at"])
    return review


# --- The learning log -----------------------------------------------------------------------------


@transaction.atomic
def assumption_create(
    *, initiative: Initiative, by, statement: str, strategy: Strategy | None = None
) -> Assumption:
    require(by, perms.KEEP, initiative)
    if not statement.strip():
        raise ValidationError({"statement": _("State the assumption.")})
    if strategy is not None:
        _same_initiative(initiative, "strategy", strategy, strategy.initiative_id)
    return Assumption.objects.create(
        initiative=initiative, statement=statement.strip(), strategy=strategy, created_by=by
    )


@transaction.atomic
def assumption_update(
    *, assumption: Assumption, by, statement: str, strategy: Strategy | None = None
) -> Assumption:
    """Reword an assumption or link it to another strategy; its status moves only through the log."""
    initiative = assumption.initiative
    require(by, perms.KEEP, initiative)
    if not statement.strip():
        raise ValidationError({"statement": _("State the assumption.")})
    if strategy is not None:
        _same_initiative(initiative, "strategy", strategy, strategy.initiative_id)
    assumption.statement, assumption.strategy = statement.strip(), strategy
    assumption.save(update_fields=["statement", "strategy", "updated_at"])
    return assumption


@transaction.atomic
def learning_record(
    *,
    assumption: Assumption,
    by,
    note: str,
    status: str,
    measure: SharedMeasure | None = None,
    period: ReportingPeriod | None = None,
    decision: Decision | None = None,
    document: Document | None = None,
) -> LearningEntry:
    """What was learned about an assumption, with the evidence that moved it and the status it
    leaves. The assumption's status changes only here, so the log tells how it got there."""
    initiative = assumption.initiative
    require(by, perms.KEEP, initiative)
    if not note.strip():
        raise ValidationError({"note": _("Say what was learned.")})
    if status not in AssumptionStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    for field, obj in (
        ("measure", measure),
        ("period", period),
        ("decision", decision),
        ("document", document),
    ):
        _same_initiative(initiative, field, obj, getattr(obj, "initiative_id", None))
    if period is not None and measure is None:
        raise ValidationError({"period": _("A period is evidence together with a shared measure.")})
    if measure is not None and period is not None and period.frequency != measure.frequency:
        raise ValidationError({"period": _("Choose a period of the measure's frequency.")})
    if document is not None and not (
        communication_selectors.documents_visible_to(by, initiative).filter(pk=document.pk).exists()
    ):
        raise ValidationError({"document": _("This belongs to another initiative.")})
    locked = Assumption.objects.select_for_update().get(pk=assumption.pk)
    entry = LearningEntry.objects.create(
        assumption=locked,
        note=note.strip(),
        previous_status=locked.status,
        status=status,
        measure=measure,
        period=period,
        decision=decision,
        document=document,
        by=by,
    )
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    assumption.status = status
    return entry


# --- Turn the curve -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerRole:
    organization: Organization
    role: str


@dataclass(frozen=True)
class PlannedAction:
    description: str
    activity: Activity | None = None
    due_on: date | None = None


def _check_worksheet_subject(initiative: Initiative, measure: SharedMeasure, period: ReportingPeriod) -> None:
    _same_initiative(initiative, "measure", measure, measure.initiative_id)
    _same_initiative(initiative, "period", period, period.initiative_id)
    if period.frequency != measure.frequency:
        raise ValidationError({"period": _("Choose a period of the measure's frequency.")})


@transaction.atomic
def worksheet_save(
    *,
    initiative: Initiative,
    by,
    measure: SharedMeasure,
    period: ReportingPeriod,
    revision: int | None,
    story: str = "",
    what_works: str = "",
    what_works_evidence: str = "",
    show_on_report_card: bool = False,
    partners: Iterable[PartnerRole] = (),
    actions: Iterable[PlannedAction] = (),
) -> CurveWorksheet:
    """Write the worksheet of a measure and period: a new period's worksheet is a new version,
    started (by the caller) from the last one; a save made on a copy changed meanwhile is
    refused, so that nobody's words are lost. Partners and actions replace the previous ones."""
    require(by, perms.KEEP, initiative)
    _check_worksheet_subject(initiative, measure, period)
    partners, actions = list(partners), [a for a in actions if a.description.strip()]
    _participating(initiative, "partners", [p.organization for p in partners])
    organizations = [p.organization.pk for p in partners]
    if len(set(organizations)) != len(organizations):
        raise ValidationError({"partners": _("Name each partner once.")})
    if any(not p.role.strip() for p in partners):
        raise ValidationError({"partners": _("Say what role each partner can play.")})
    for action in actions:
        if action.activity is not None and action.activity.working_group.initiative_id != initiative.pk:
            raise ValidationError({"actions": _("This belongs to another initiative.")})
    worksheet = CurveWorksheet.objects.select_for_update().filter(measure=measure, period=period).first()
    if worksheet is None:
        if revision not in (None, 0):
            raise ValidationError(_("This worksheet was removed meanwhile; nothing was saved."))
        previous = (
            CurveWorksheet.objects.filter(measure=measure, period__start__lt=period.start)
            .order_by("-period__start")
            .first()
        )
        worksheet = CurveWorksheet(
            initiative=initiative, measure=measure, period=period, carried_from=previous
        )
    elif revision != worksheet.revision:
        raise ValidationError(
            _(
                "Someone else saved this worksheet while you were editing it. Your text is still in "
                "the form: compare it with the saved worksheet before saving again."
            )
        )
    else:
        worksheet.revision += 1
    worksheet.story = story
    worksheet.what_works = what_works
    worksheet.what_works_evidence = what_works_evidence
    worksheet.show_on_report_card = show_on_report_card
    worksheet.updated_by = by
    worksheet.save()
    worksheet.partners.all().delete()
    WorksheetPartner.objects.bulk_create(
        WorksheetPartner(worksheet=worksheet, organization=p.organization, role=p.role.strip())
        for p in partners
    )
    worksheet.actions.all().delete()
    WorksheetAction.objects.bulk_create(
        WorksheetAction(
            worksheet=worksheet,
            description=a.description.strip(),
            activity=a.activity,
            due_on=a.due_on,
            order=order,
        )
        for order, a in enumerate(actions)
    )
    return worksheet


@transaction.atomic
def story_tell(
    *,
    initiative: Initiative,
    by,
    measure: SharedMeasure,
    period: ReportingPeriod,
    title: str,
    text: str,
    organization: Organization | None = None,
) -> CurveStory:
    """A story beside a measure's data in a period, told for the teller's organisation (backbone
    staff may write one down for any partner)."""
    require(by, perms.TELL, initiative)
    _check_worksheet_subject(initiative, measure, period)
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the story a title.")
    if not text.strip():
        errors["text"] = _("Tell the story.")
    if errors:
        raise ValidationError(errors)
    allowed = perms.story_organization_ids(by, initiative)
    if organization is None:
        membership = initiative.memberships.filter(user_id=by.pk).first()
        organization = membership.organization if membership else None
    if allowed is not None and (organization is None or organization.pk not in allowed):
        raise PermissionDenied
    _participating(initiative, "organization", [organization])
    return CurveStory.objects.create(
        initiative=initiative,
        measure=measure,
        period=period,
        title=title.strip(),
        text=text.strip(),
        organization=organization,
        told_by=by,
    )


def risk_reviews_notify(*, today: date | None = None) -> int:
    """Tell each due risk's owner and the backbone staff that its review has come (in the app, and
    by email as each chose: weekly digest by default), once per review date. Returns how many
    risks were announced."""
    from communication import messages
    from communication.choices import NotificationKind
    from communication.services import notify
    from initiatives.choices import Role

    today = today or timezone.localdate()
    due = (
        Risk.objects.filter(status=RiskStatus.OPEN, review_on__lte=today)
        .filter(Q(reminded_for__isnull=True) | Q(reminded_for__lt=F("review_on")))
        .select_related("initiative", "owner")
    )
    told = 0
    for risk in due:
        with transaction.atomic():
            entry = risk.starting_entry
            title = risk.title or (messages.translatable(entry.title) if entry else "")
            staff = risk.initiative.memberships.filter(role=Role.BACKBONE).values_list("user_id", flat=True)
            notify(
                initiative=risk.initiative,
                kind=NotificationKind.RISK_REVIEW_DUE,
                subject=messages.message(gettext_noop("Risk due for review: %(title)s"), title=title),
                body=messages.message(
                    gettext_noop("Its review was set for %(date)s."), date=messages.day(risk.review_on)
                ),
                url=risk.get_absolute_url(),
                recipients=[*staff, *([risk.owner.user_id] if risk.owner else [])],
            )
            Risk.objects.filter(pk=risk.pk).update(reminded_for=risk.review_on)
            told += 1
    return told
