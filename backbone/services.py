"""Writes of the backbone component. Each state change is one function: keyword-only, atomic,
permission-checked, with emails and task enqueues on commit."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from ci_platform.celery import enqueue
from initiatives.models import Initiative, Membership, Organization

from . import permissions, records, scoring
from .choices import (
    GROUP_OF_ROLE,
    Alignment,
    BackboneKind,
    FunderJoined,
    FunderType,
    FundingPurpose,
    FundingRecipient,
    PolicyKind,
    RespondentGroup,
    RunStatus,
    RunTrigger,
    WaveStatus,
)
from .models import (
    STANDARD_INDICATORS,
    Answer,
    AssessmentPeriod,
    BackboneFunction,
    BackboneProfile,
    CommunityEvent,
    FunctionScore,
    Funder,
    FundingEntry,
    Indicator,
    IndicatorLabel,
    IndicatorScore,
    PolicyEntry,
    Respondent,
    Response,
    ScoreRun,
    SurveyItem,
    SurveyWave,
)
from .periods import HalfYear, half_year_of

LINK_SALT = "backbone.survey-link"
# A reminder goes to the same person at most once in this many hours, however often it is asked for.
REMINDER_GAP_HOURS = 20
MAX_AMOUNT = Decimal("999999999999.99")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- The catalogue ------------------------------------------------------------------------------


@transaction.atomic
def indicator_relabel(
    *, initiative: Initiative, by, indicator: Indicator, name_en: str, name_he: str = ""
) -> None:
    """Word a standard indicator the initiative's way; an empty English name restores the standard."""
    _require(permissions.can_keep_records(by, initiative))
    if not indicator.is_standard:
        raise ValidationError(_("Only a standard indicator is relabelled; edit your own indicator instead."))
    name_en, name_he = name_en.strip(), name_he.strip()
    if not name_en:
        IndicatorLabel.objects.filter(initiative=initiative, indicator=indicator).delete()
        return
    IndicatorLabel.objects.update_or_create(
        initiative=initiative, indicator=indicator, defaults={"name_en": name_en, "name_he": name_he}
    )


@transaction.atomic
def indicator_create(
    *, initiative: Initiative, by, function: BackboneFunction, name_en: str, name_he: str = ""
) -> Indicator:
    """An initiative's own indicator, numbered after the standard 27 (28, 29, …)."""
    _require(permissions.can_keep_records(by, initiative))
    if not name_en.strip():
        raise ValidationError({"name_en": _("Name the indicator.")})
    Initiative.objects.select_for_update().get(pk=initiative.pk)  # two at once must not share a number
    last = initiative.backbone_indicators.aggregate(n=Max("number"))["n"] or STANDARD_INDICATORS
    return Indicator.objects.create(
        initiative=initiative,
        function=function,
        number=last + 1,
        name_en=name_en.strip(),
        name_he=name_he.strip(),
    )


@transaction.atomic
def item_create(
    *, initiative: Initiative, by, indicator: Indicator, group: str, text_en: str, text_he: str = ""
) -> SurveyItem:
    """Add a statement of the initiative's own to the item bank."""
    _require(permissions.can_keep_records(by, initiative))
    if indicator.initiative_id not in (None, initiative.pk):
        raise ValidationError({"indicator": _("Choose an indicator of this initiative.")})
    if group not in RespondentGroup.values:
        raise ValidationError({"group": _("Choose who answers this statement.")})
    if not text_en.strip():
        raise ValidationError({"text_en": _("Write the statement.")})
    Initiative.objects.select_for_update().get(pk=initiative.pk)
    count = initiative.backbone_items.count()
    return SurveyItem.objects.create(
        initiative=initiative,
        indicator=indicator,
        group=group,
        code=f"own-{count + 1}",
        text_en=text_en.strip(),
        text_he=text_he.strip(),
        order=1000 + count,
    )


# --- Survey waves -------------------------------------------------------------------------------

_HALF_YEAR = re.compile(r"^(\d{4})-H([12])$")


def period_ensure(*, initiative: Initiative, code: str) -> AssessmentPeriod:
    """The period with this code: an existing one, or a half-year (YYYY-H1 / YYYY-H2) created now."""
    existing = initiative.backbone_periods.filter(code=code).first()
    if existing:
        return existing
    match = _HALF_YEAR.match(code)
    if not match:
        raise ValidationError({"period": _("Choose a half-year, such as 2026-H1.")})
    half = half_year_of(date(int(match[1]), 1 if match[2] == "1" else 7, 1))
    return _period_for(initiative, half)


def _period_for(initiative: Initiative, half: HalfYear) -> AssessmentPeriod:
    period, _created = AssessmentPeriod.objects.get_or_create(
        initiative=initiative, code=half.code, defaults={"start": half.start, "end": half.end}
    )
    return period


@transaction.atomic
def wave_create(
    *, initiative: Initiative, by, title: str, period_code: str, closes_on: date, items: list[SurveyItem]
) -> SurveyWave:
    _require(permissions.can_run_surveys(by, initiative))
    problems = {}
    if not title.strip():
        problems["title"] = _("Give the wave a title.")
    if closes_on < timezone.localdate():
        problems["closes_on"] = _("The closing date cannot be in the past.")
    offered = {
        i.pk for i in SurveyItem.objects.filter(Q(initiative=None) | Q(initiative=initiative), active=True)
    }
    if not items:
        problems["items"] = _("Choose at least one statement from the item bank.")
    elif any(item.pk not in offered for item in items):
        problems["items"] = _("A statement is not in this initiative's item bank.")
    if problems:
        raise ValidationError(problems)
    period = period_ensure(initiative=initiative, code=period_code)
    wave = SurveyWave.objects.create(
        initiative=initiative, period=period, title=title.strip(), closes_on=closes_on, created_by=by
    )
    wave.items.set(items)
    return wave


def _check_editable(wave: SurveyWave) -> None:
    if wave.status == WaveStatus.CLOSED:
        raise ValidationError(_("This wave is closed."))


@transaction.atomic
def respondents_add(
    *,
    wave: SurveyWave,
    by,
    members: Sequence[Membership] = (),
    external: Sequence[tuple[str, str]] = (),
    group: str = "",
    organization: Organization | None = None,
    language: str = "en",
) -> tuple[int, int]:
    """Add people to a wave: members answer in the group of their role; people without an account
    (community members, policymakers, funders, partner staff) in the group chosen for them.
    Returns (added, already there). Each person gets one personal link per wave."""
    initiative = wave.initiative
    _require(permissions.can_run_surveys(by, initiative))
    _check_editable(wave)
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose English or Hebrew.")})
    if external and group not in RespondentGroup.values:
        raise ValidationError({"group": _("Choose the group the people you listed answer as.")})
    wanted: list[Respondent] = []
    for membership in members:
        if membership.initiative_id != initiative.pk:
            raise ValidationError({"members": _("Choose members of this initiative.")})
        member_group = GROUP_OF_ROLE.get(membership.role)
        if member_group is None:
            raise ValidationError(
                {"members": _("Only partners and steering committee members answer as members.")}
            )
        user = membership.user
        if not user.email:
            raise ValidationError(
                {"members": _("%(name)s has no email address.") % {"name": user.get_username()}}
            )
        wanted.append(
            Respondent(
                wave=wave,
                group=member_group,
                email=user.email.lower(),
                name=user.get_full_name(),
                user=user,
                organization=membership.organization,
                language=language,
            )
        )
    for email, name in external:
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError(
                {"external": _("“%(email)s” is not an email address.") % {"email": email}}
            ) from exc
        wanted.append(
            Respondent(
                wave=wave,
                group=group,
                email=email,
                name=name.strip(),
                organization=organization,
                language=language,
            )
        )
    existing = set(wave.respondents.values_list("email", flat=True))
    new, seen = [], set()
    for respondent in wanted:
        if respondent.email in existing or respondent.email in seen:
            continue
        seen.add(respondent.email)
        new.append(respondent)
    Respondent.objects.bulk_create(new)
    return len(new), len(wanted) - len(new)


@transaction.atomic
def wave_send(*, wave: SurveyWave, by, notify: bool = True) -> int:
    """Open the wave (if it is being prepared) and email a personal link to everyone not yet
    invited. Returns how many invitations go out. `notify=False` (the demo) marks them invited
    without sending email."""
    _require(permissions.can_run_surveys(by, wave.initiative))
    wave = SurveyWave.objects.select_for_update().get(pk=wave.pk)
    _check_editable(wave)
    if wave.closes_on < timezone.localdate():
        raise ValidationError(_("The closing date has passed; close the wave or start a new one."))
    if not wave.items.exists():
        raise ValidationError(_("The wave has no statements."))
    pending = wave.respondents.filter(invited_at=None, responded_at=None).count()
    if not pending:
        raise ValidationError(_("Everyone in this wave has been invited already; add respondents first."))
    if wave.status == WaveStatus.DRAFT:
        wave.status = WaveStatus.OPEN
        wave.opened_at = timezone.now()
        wave.save(update_fields=["status", "opened_at"])
    if not notify:
        wave.respondents.filter(invited_at=None).update(invited_at=timezone.now())
        return pending
    from .tasks import survey_invitations_send_task

    # Respondents not yet invited stay so until their email goes: if the broker is down,
    # backbone_catch_up_task queues the sending later.
    transaction.on_commit(lambda: enqueue(survey_invitations_send_task, wave.pk))
    return pending


@transaction.atomic
def wave_remind(*, wave: SurveyWave, by) -> int:
    """Remind those who were invited and have not answered (at most once per REMINDER_GAP_HOURS)."""
    _require(permissions.can_run_surveys(by, wave.initiative))
    wave = SurveyWave.objects.get(pk=wave.pk)
    if wave.status != WaveStatus.OPEN:
        raise ValidationError(_("Only an open wave sends reminders."))
    due = _reminder_queryset(wave).count()
    if not due:
        raise ValidationError(_("Nobody needs a reminder now: everyone answered or was reminded recently."))
    from .tasks import survey_reminders_send_task

    # A reminder that could not be queued leaves reminded_at as it was: asking again sends it.
    transaction.on_commit(lambda: enqueue(survey_reminders_send_task, wave.pk))
    return due


def _reminder_queryset(wave: SurveyWave):
    recent = timezone.now() - timedelta(hours=REMINDER_GAP_HOURS)
    return wave.respondents.filter(invited_at__isnull=False, responded_at=None).filter(
        Q(reminded_at=None) | Q(reminded_at__lt=recent)
    )


@transaction.atomic
def wave_close(*, wave: SurveyWave, by) -> SurveyWave:
    """Stop accepting answers; the scores are recomputed (by a worker) once the close is stored."""
    initiative = wave.initiative
    _require(permissions.can_run_surveys(by, initiative))
    wave = SurveyWave.objects.select_for_update().get(pk=wave.pk)
    if wave.status == WaveStatus.CLOSED:
        raise ValidationError(_("This wave is already closed."))
    wave.status = WaveStatus.CLOSED
    wave.closed_at = timezone.now()
    wave.save(update_fields=["status", "closed_at"])
    scores_recompute_request(initiative=initiative, by=by, trigger=RunTrigger.WAVE_CLOSED)
    return wave


# --- Personal links and responses --------------------------------------------------------------


class LinkError(ValidationError):
    """A personal link that cannot be used; `code` says why (forged, expired, closed, used, not_open)."""


def respondent_token(respondent: Respondent) -> str:
    """The signed token in the personal link: it names the respondent and proves it came from us."""
    return signing.dumps([respondent.pk, respondent.key], salt=LINK_SALT, compress=False)


def respondent_link(respondent: Respondent) -> str:
    path = reverse(
        "backbone:respond",
        kwargs={"slug": respondent.wave.initiative.slug, "token": respondent_token(respondent)},
    )
    return (
        settings.SITE_URL.rstrip("/")
        + path
        + (f"?lang={respondent.language}" if respondent.language != "en" else "")
    )


def respondent_by_token(*, slug: str, token: str, for_update: bool = False) -> Respondent:
    """The respondent the link belongs to, if it may still be used; LinkError otherwise."""
    forged = LinkError(
        _("This survey link is not valid. Check that you opened the whole link from the email."),
        code="forged",
    )
    try:
        pk, key = signing.loads(token, salt=LINK_SALT)
        pk, key = int(pk), str(key)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise forged from exc
    queryset = Respondent.objects.select_related("wave__initiative", "wave__period")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    respondent = queryset.filter(pk=pk).first()
    if (
        respondent is None
        or not constant_time_compare(respondent.key, key)
        or respondent.wave.initiative.slug != slug
    ):
        raise forged
    wave = respondent.wave
    if respondent.responded_at is not None:
        raise LinkError(
            _(
                "An answer was already sent through this link. Each link is used once; thank you for taking part."
            ),
            code="used",
        )
    if wave.status == WaveStatus.DRAFT:
        raise forged
    if wave.status == WaveStatus.CLOSED:
        raise LinkError(_("This survey is closed: answers are no longer accepted."), code="closed")
    if wave.closes_on < timezone.localdate():
        raise LinkError(
            _("This survey link has expired: answers were accepted until %(date)s.")
            % {"date": wave.closes_on.isoformat()},
            code="expired",
        )
    return respondent


def items_for_respondent(respondent: Respondent) -> list[SurveyItem]:
    return list(
        respondent.wave.items.filter(group=respondent.group)
        .select_related("indicator")
        .order_by("indicator__number", "order", "id")
    )


@transaction.atomic
def response_submit(
    *, slug: str, token: str, answers: dict[int, int | None], language: str = "en"
) -> Response:
    """Store one anonymous response through a personal link, once. `answers` maps every item of
    the respondent's form to a rating 1–5, or None for "don't know". All or nothing."""
    respondent = respondent_by_token(slug=slug, token=token, for_update=True)
    items = {item.pk: item for item in items_for_respondent(respondent)}
    problems = []
    unknown = set(answers) - set(items)
    if unknown:
        problems.append(_("The form has statements that are not part of this survey; reload the page."))
    for value in answers.values():
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5
        ):
            problems.append(
                _("“%(value)s” is not an answer: choose 1 to 5, or “Don't know”.") % {"value": value}
            )
    if set(items) - set(answers):
        problems.append(_("Answer every statement; choose “Don't know” when you cannot judge."))
    if problems:
        raise ValidationError(problems, code="invalid")
    response = Response.objects.create(
        wave=respondent.wave,
        group=respondent.group,
        language=language if language in dict(settings.LANGUAGES) else "en",
    )
    Answer.objects.bulk_create(Answer(response=response, item_id=pk, value=answers[pk]) for pk in items)
    respondent.responded_at = timezone.now()
    respondent.save(update_fields=["responded_at"])
    return response


def _email(respondent: Respondent, kind: str) -> None:
    wave = respondent.wave
    with translation.override(respondent.language):
        context = {
            "respondent": respondent,
            "wave": wave,
            "initiative": wave.initiative,
            "link": respondent_link(respondent),
            "reminder": kind == "reminder",
        }
        subject = render_to_string("backbone/email/survey_subject.txt", context).strip()
        body = render_to_string("backbone/email/survey_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [respondent.email])


def invitations_deliver(wave_id: int) -> int:
    """Email the personal link to each respondent not yet invited (the task's work). A respondent
    is marked right after their email goes, so a retried task does not email them again."""
    wave = SurveyWave.objects.select_related("initiative").get(pk=wave_id)
    if wave.status != WaveStatus.OPEN:
        return 0
    sent = 0
    for respondent in wave.respondents.filter(invited_at=None, responded_at=None).select_related(
        "wave__initiative"
    ):
        _email(respondent, "invitation")
        Respondent.objects.filter(pk=respondent.pk).update(invited_at=timezone.now())
        sent += 1
    return sent


def reminders_deliver(wave_id: int) -> int:
    wave = SurveyWave.objects.select_related("initiative").get(pk=wave_id)
    if wave.status != WaveStatus.OPEN:
        return 0
    sent = 0
    for respondent in _reminder_queryset(wave).select_related("wave__initiative"):
        _email(respondent, "reminder")
        Respondent.objects.filter(pk=respondent.pk).update(
            reminded_at=timezone.now(), reminders=respondent.reminders + 1
        )
        sent += 1
    return sent


# --- Funding ledger, policy log, community engagement ----------------------------------------------


def parse_amount(raw) -> Decimal:
    """A positive amount of money, or a ValidationError that says what is wrong with it."""
    if isinstance(raw, Decimal):
        amount = raw
    else:
        text = str(raw).strip().replace(",", "")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError({"amount": _("Enter the amount as a number, such as 25000.")}) from exc
    if not amount.is_finite():
        raise ValidationError({"amount": _("Enter the amount as a number, such as 25000.")})
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": _("The amount is too large.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("Use at most two decimal places.")})
    return amount


def _strategy_of(initiative: Initiative, strategy):
    """The key strategy `strategy` (an object or an id) of this initiative, or None when it is not one."""
    from agenda.models import Strategy

    if strategy is None or strategy == "":
        return None
    pk = strategy.pk if isinstance(strategy, Strategy) else strategy
    try:
        return Strategy.objects.filter(initiative=initiative, pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


@transaction.atomic
def funding_entry_save(
    *,
    initiative: Initiative,
    by,
    entry: FundingEntry | None = None,
    funder_name: str,
    funder_type: str,
    recipient: str,
    recipient_organization: Organization | None = None,
    kind: str,
    amount,
    year: int,
    committed_on: date,
    requires_alignment: bool = False,
    description: str = "",
    purpose: str | None = None,
    strategy=None,
    commitment: uuid.UUID | None = None,
) -> FundingEntry:
    """Record (or correct) a commitment in the funding ledger. The same commitment twice is refused.

    `purpose` is what the money funds; left out, money to the backbone funds the backbone and any
    other the initiative's work in general. A key strategy's activities name the strategy."""
    _require(permissions.can_keep_records(by, initiative))
    if entry is not None and entry.initiative_id != initiative.pk:
        raise PermissionDenied
    problems: dict[str, str] = {}
    try:
        amount = parse_amount(amount)
    except ValidationError as exc:
        problems.update({k: v[0] for k, v in exc.message_dict.items()})
    if not funder_name or not funder_name.strip():
        problems["funder_name"] = _("Name the funder.")
    if recipient == FundingRecipient.PARTNER:
        if recipient_organization is None:
            problems["recipient_organization"] = _("Choose the partner organisation that receives the money.")
        elif not initiative.participations.filter(organization=recipient_organization).exists():
            problems["recipient_organization"] = _("Choose an organisation of this initiative.")
    else:
        recipient_organization = None
    if not (1990 <= int(year) <= 2100):
        problems["year"] = _("Enter a year between 1990 and 2100.")
    if not purpose:
        purpose = (
            FundingPurpose.BACKBONE if recipient == FundingRecipient.BACKBONE else FundingPurpose.GENERAL
        )
    if purpose not in FundingPurpose.values:
        problems["purpose"] = _("Choose what the money funds.")
    strategy_obj = None
    if purpose == FundingPurpose.STRATEGY:
        strategy_obj = _strategy_of(initiative, strategy)
        if strategy_obj is None:
            problems["strategy"] = _("Choose the key strategy whose activities the money funds.")
    if problems:
        raise ValidationError(problems)
    Initiative.objects.select_for_update().get(pk=initiative.pk)  # a double submit must not slip in twice
    funder = Funder.objects.filter(initiative=initiative, name__iexact=funder_name.strip()).first()
    if funder is None:
        funder = Funder.objects.create(
            initiative=initiative, name=funder_name.strip(), funder_type=funder_type
        )
    values = {
        "funder": funder,
        "recipient": recipient,
        "recipient_organization": recipient_organization,
        "kind": kind,
        "amount": amount,
        "year": int(year),
        "committed_on": committed_on,
    }
    duplicate = FundingEntry.objects.filter(initiative=initiative, **values)
    if entry is not None:
        duplicate = duplicate.exclude(pk=entry.pk)
    if duplicate.exists():
        raise ValidationError(
            _("This commitment is already in the ledger (same funder, recipient, kind, amount and date).")
        )
    entry = entry or FundingEntry(initiative=initiative, recorded_by=by, commitment=commitment)
    for name, value in {
        **values,
        "purpose": purpose,
        "strategy": strategy_obj,
        "requires_alignment": requires_alignment,
        "description": description.strip(),
    }.items():
        setattr(entry, name, value)
    entry.full_clean(exclude=["recorded_by", "strategy"])
    entry.save()
    return entry


MAX_COMMITMENT_YEARS = 10


@transaction.atomic
def funding_commitment_save(
    *, initiative: Initiative, by, amounts: dict[int, object], **fields
) -> list[FundingEntry]:
    """A multi-year commitment: one ledger entry per year, marked as one commitment. All or none:
    a problem in any year saves no year, and says which."""
    _require(permissions.can_keep_records(by, initiative))
    amounts = {int(year): amount for year, amount in amounts.items() if str(amount).strip()}
    if len(amounts) < 2:
        raise ValidationError({"amounts": _("A multi-year commitment has amounts for two years or more.")})
    if len(amounts) > MAX_COMMITMENT_YEARS or max(amounts) - min(amounts) >= MAX_COMMITMENT_YEARS:
        raise ValidationError(
            {"amounts": _("A commitment spans at most %(n)s years.") % {"n": MAX_COMMITMENT_YEARS}}
        )
    mark = uuid.uuid4()
    entries = []
    for year in sorted(amounts):
        try:
            entries.append(
                funding_entry_save(
                    initiative=initiative, by=by, amount=amounts[year], year=year, commitment=mark, **fields
                )
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "amount" in exc.error_dict:
                exc.error_dict[f"amount_{year}"] = exc.error_dict.pop("amount")
            raise
    return entries


@transaction.atomic
def funder_update(
    *, funder: Funder, by, is_anchor: bool, joined: str = "", joined_on: date | None = None, funder_type: str
) -> Funder:
    """A funder's place in the initiative: anchor funder (one per initiative: naming another one
    moves the mark), founding or later funder, since when."""
    initiative = funder.initiative
    _require(permissions.can_keep_records(by, initiative))
    problems = {}
    if joined not in ("", *FunderJoined.values):
        problems["joined"] = _("Choose when the funder joined.")
    if funder_type not in FunderType.values:
        problems["funder_type"] = _("Choose the type of source.")
    if problems:
        raise ValidationError(problems)
    Initiative.objects.select_for_update().get(pk=initiative.pk)
    if is_anchor:
        initiative.funders.exclude(pk=funder.pk).filter(is_anchor=True).update(is_anchor=False)
    funder.is_anchor, funder.joined, funder.joined_on, funder.funder_type = (
        is_anchor,
        joined,
        joined_on,
        funder_type,
    )
    funder.save(update_fields=["is_anchor", "joined", "joined_on", "funder_type"])
    return funder


@transaction.atomic
def backbone_profile_save(
    *,
    initiative: Initiative,
    by,
    kind: str,
    neutrality: str,
    organizations=(),
    structure: str = "",
    interests: str = "",
) -> BackboneProfile:
    """Create or update the backbone's profile: its type (line 270) and how it keeps its neutrality."""
    _require(permissions.can_keep_records(by, initiative))
    problems = {}
    if kind not in BackboneKind.values:
        problems["kind"] = _("Choose the type of backbone.")
    if not (neutrality or "").strip():
        problems["neutrality"] = _(
            "Say how the backbone keeps its neutrality: the source holds that it must be free of interests."
        )
    organizations = list(organizations)
    members = set(initiative.participations.values_list("organization_id", flat=True))
    if any(org.pk not in members for org in organizations):
        problems["organizations"] = _("Choose organisations of this initiative.")
    if problems:
        raise ValidationError(problems)
    profile = BackboneProfile.objects.select_for_update().filter(initiative=initiative).first()
    profile = profile or BackboneProfile(initiative=initiative)
    profile.kind, profile.neutrality = kind, neutrality.strip()
    profile.structure, profile.interests = structure.strip(), interests.strip()
    profile.updated_by = by
    profile.save()
    profile.organizations.set(organizations)
    return profile


@transaction.atomic
def funding_entry_delete(*, entry: FundingEntry, by) -> None:
    _require(permissions.can_keep_records(by, entry.initiative))
    funder = entry.funder
    entry.delete()
    if not funder.entries.exists():
        funder.delete()


@transaction.atomic
def policy_entry_save(
    *, initiative: Initiative, by, entry: PolicyEntry | None = None, **fields
) -> PolicyEntry:
    _require(permissions.can_keep_records(by, initiative))
    if entry is not None and entry.initiative_id != initiative.pk:
        raise PermissionDenied
    if fields.get("kind") == PolicyKind.POLICY_CHANGE and fields.get("alignment") not in Alignment.values:
        raise ValidationError(
            {"alignment": _("Say whether the policy change is aligned with the initiative's goals.")}
        )
    if fields.get("kind") != PolicyKind.POLICY_CHANGE:
        fields["alignment"] = fields.get("alignment") or ""
    entry = entry or PolicyEntry(initiative=initiative, recorded_by=by)
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.full_clean(exclude=["recorded_by"])
    entry.save()
    return entry


@transaction.atomic
def policy_entry_delete(*, entry: PolicyEntry, by) -> None:
    _require(permissions.can_keep_records(by, entry.initiative))
    entry.delete()


@transaction.atomic
def community_event_save(
    *, initiative: Initiative, by, event: CommunityEvent | None = None, **fields
) -> CommunityEvent:
    _require(permissions.can_keep_records(by, initiative))
    if event is not None and event.initiative_id != initiative.pk:
        raise PermissionDenied
    for name in ("reached", "supporters", "took_action"):
        if name in fields and (fields[name] is None or int(fields[name]) < 0):
            raise ValidationError({name: _("Enter a whole number, zero or more.")})
    event = event or CommunityEvent(initiative=initiative, recorded_by=by)
    for name, value in fields.items():
        setattr(event, name, value)
    event.full_clean(exclude=["recorded_by"])
    event.save()
    return event


@transaction.atomic
def community_event_delete(*, event: CommunityEvent, by) -> None:
    _require(permissions.can_keep_records(by, event.initiative))
    event.delete()


# --- Scores ---------------------------------------------------------------------------------------


def scores_recompute_request(
    *, initiative: Initiative, by=None, trigger: str = RunTrigger.MANUAL
) -> ScoreRun:
    """Queue a recompute of the initiative's scores on a worker (after commit)."""
    if trigger == RunTrigger.MANUAL:
        _require(permissions.can_recompute(by, initiative))
        # On demand, the current half-year is scored too, from the records, before any survey.
        current_period(initiative)
    run = ScoreRun.objects.create(initiative=initiative, trigger=trigger, requested_by=by)
    from .tasks import scores_recompute_task

    # A run that could not be queued stays queued; backbone_catch_up_task queues it later.
    transaction.on_commit(lambda: enqueue(scores_recompute_task, initiative.pk, run.pk))
    return run


def _survey_evidence(initiative: Initiative) -> dict[tuple[int, int], scoring.SurveyEvidence]:
    """Every period × indicator's survey evidence, from three grouped queries whatever the size."""
    evidence: dict[tuple[int, int], scoring.SurveyEvidence] = defaultdict(scoring.SurveyEvidence)
    item_meta = {
        pk: (indicator, group, code)
        for pk, indicator, group, code in SurveyItem.objects.filter(
            Q(initiative=None) | Q(initiative=initiative)
        ).values_list("pk", "indicator_id", "group", "code")
    }
    # 1. Ratings, per period and item.
    for period_id, item_id, value, count in (
        Answer.objects.filter(response__wave__initiative=initiative)
        .values_list("response__wave__period_id", "item_id", "value")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if item_id not in item_meta:
            continue  # another initiative's own statement, put in a wave by hand: not ours to count
        indicator, group, _code = item_meta[item_id]
        ev = evidence[(period_id, indicator)]
        by_group = ev.by_group.setdefault(
            group, {"distribution": [0, 0, 0, 0, 0], "dont_know": 0, "responses": 0}
        )
        if value is None:
            ev.dont_know += count
            by_group["dont_know"] += count
        else:
            ev.distribution[value - 1] += count
            by_group["distribution"][value - 1] += count
    # 2. Respondents who rated at least one of the indicator's items (a response is in one group).
    for period_id, indicator, group, count in (
        Answer.objects.filter(response__wave__initiative=initiative, value__isnull=False)
        .values_list("response__wave__period_id", "item__indicator_id", "response__group")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    ):
        ev = evidence[(period_id, indicator)]
        ev.responses += count
        ev.by_group.setdefault(group, {"distribution": [0, 0, 0, 0, 0], "dont_know": 0, "responses": 0})[
            "responses"
        ] = count
    # 3. Who was asked: respondents of a wave in the groups its items for the indicator address.
    asked: dict[tuple[int, str], tuple[int, int]] = {
        (wave, group): (invited, responded)
        for wave, group, invited, responded in Respondent.objects.filter(wave__initiative=initiative)
        .values_list("wave_id", "group")
        .annotate(invited=Count("pk"), responded=Count("pk", filter=Q(responded_at__isnull=False)))
        .order_by()
    }
    wave_items: dict[tuple[int, int], set[str]] = defaultdict(set)
    codes: dict[tuple[int, int], set[str]] = defaultdict(set)
    Through = SurveyWave.items.through
    for wave_id, period_id, item_id in Through.objects.filter(surveywave__initiative=initiative).values_list(
        "surveywave_id", "surveywave__period_id", "surveyitem_id"
    ):
        if item_id not in item_meta:
            continue
        indicator, group, code = item_meta[item_id]
        wave_items[(wave_id, indicator)].add(group)
        codes[(period_id, indicator)].add(code)
        evidence[(period_id, indicator)]  # noqa: B018 - an asked indicator has evidence, even if empty
    period_of_wave = dict(SurveyWave.objects.filter(initiative=initiative).values_list("pk", "period_id"))
    for (wave_id, indicator), groups in wave_items.items():
        ev = evidence[(period_of_wave[wave_id], indicator)]
        for group in groups:
            invited, responded = asked.get((wave_id, group), (0, 0))
            ev.invited += invited
            ev.responded += responded
    for key, ev in evidence.items():
        ev.items = sorted(codes.get(key, ()))
    return evidence


def scores_compute(initiative: Initiative) -> tuple[list[IndicatorScore], list[FunctionScore]]:
    """Compute (without storing) every period's indicator and function scores."""
    periods = list(initiative.backbone_periods.order_by("start"))
    indicators = list(
        Indicator.objects.filter(Q(initiative=None) | Q(initiative=initiative)).select_related("function")
    )
    functions = list(BackboneFunction.objects.order_by("order"))
    survey = _survey_evidence(initiative)
    now = timezone.now()
    indicator_rows, function_rows = [], []
    for period in periods:
        signals = records.collect(initiative, period.start, period.end)
        by_function: dict[int, list[scoring.IndicatorResult]] = defaultdict(list)
        for indicator in indicators:
            found = survey.get((period.pk, indicator.pk)) or scoring.SurveyEvidence()
            own_signals = signals.get(indicator.number, []) if indicator.is_standard else []
            result = scoring.score_indicator(found, own_signals)
            by_function[indicator.function_id].append(result)
            rate = found.response_rate
            indicator_rows.append(
                IndicatorScore(
                    initiative=initiative,
                    period=period,
                    indicator=indicator,
                    score=_decimal(result.score),
                    survey_score=_decimal(result.survey_score),
                    record_score=_decimal(result.record_score),
                    confidence=result.confidence,
                    responses=found.responses,
                    invited=found.invited,
                    response_rate=_decimal(scoring._round(rate)),
                    evidence=result.evidence(),
                    computed_at=now,
                )
            )
        for function in functions:
            rolled = scoring.roll_up(by_function.get(function.pk, []))
            function_rows.append(
                FunctionScore(
                    initiative=initiative,
                    period=period,
                    function=function,
                    score=_decimal(rolled.score),
                    confidence=rolled.confidence,
                    indicators_scored=rolled.scored,
                    indicators_total=rolled.total,
                    computed_at=now,
                )
            )
    return indicator_rows, function_rows


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def scores_recompute(
    *, initiative: Initiative, run: ScoreRun | None = None, trigger: str = RunTrigger.MANUAL
) -> ScoreRun:
    """Recompute every period's scores of one initiative. Idempotent: the stored scores are
    replaced in one transaction, so readers see the old set or the new one, never a mix."""
    if run is None:
        run = ScoreRun.objects.create(initiative=initiative, trigger=trigger)
    ScoreRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=timezone.now())
    try:
        indicator_rows, function_rows = scores_compute(initiative)
        for row in indicator_rows:
            row.run = run
        for score in function_rows:
            score.run = run
        with transaction.atomic():
            # Concurrent recomputes of one initiative write one after the other.
            Initiative.objects.select_for_update().get(pk=initiative.pk)
            IndicatorScore.objects.filter(initiative=initiative).delete()
            FunctionScore.objects.filter(initiative=initiative).delete()
            IndicatorScore.objects.bulk_create(indicator_rows, batch_size=500)
            FunctionScore.objects.bulk_create(function_rows, batch_size=500)
            ScoreRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE,
                finished_at=timezone.now(),
                periods=len({r.period_id for r in indicator_rows}),
                indicators=len({r.indicator_id for r in indicator_rows}),
                error="",
            )
    except Exception as exc:
        ScoreRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        raise
    run.refresh_from_db()
    return run


def initiatives_to_score() -> list[int]:
    """For the nightly run: initiatives with at least one assessment period."""
    return list(
        Initiative.objects.filter(backbone_periods__isnull=False).distinct().values_list("pk", flat=True)
    )


def current_period(initiative: Initiative) -> AssessmentPeriod:
    """The half-year of today, created when missing (a recompute on demand scores it)."""
    return _period_for(initiative, half_year_of(timezone.localdate()))
