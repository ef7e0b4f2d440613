"""Writes: every state change of the initiative domain is one function here, atomic, with its
side effects (emails, tasks) scheduled on commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ci_platform.celery import enqueue

from . import permissions
from .choices import Area, MilestoneStatus, Phase, Role, TokenScope
from .fit import ANSWER_FIELDS, ANSWERS, Questionnaire, SolutionExists, classify_problem
from .models import (
    ApiToken,
    FitAssessment,
    Initiative,
    Invitation,
    Membership,
    Milestone,
    Organization,
    Participation,
    PhaseTransition,
    ReadinessAssessment,
)
from .permissions import require

User = get_user_model()


# --- Initiatives -------------------------------------------------------------------------------


@transaction.atomic
def initiative_create(
    *,
    by,
    name: str,
    slug: str,
    issue: str,
    place: str,
    topic: str,
    organization: Organization,
    description: str = "",
) -> Initiative:
    """Create an initiative in Pre-Launch with its 16 milestones; the creator becomes backbone staff."""
    if not permissions.can_create_initiative(by):
        raise PermissionDenied
    if Initiative.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("An initiative with this short name already exists.")})
    initiative = Initiative.objects.create(
        name=name, slug=slug, issue=issue, place=place, topic=topic, description=description
    )
    Milestone.objects.bulk_create(
        Milestone(initiative=initiative, phase=phase, area=area) for phase in Phase for area in Area
    )
    Participation.objects.create(initiative=initiative, organization=organization)
    Membership.objects.create(user=by, initiative=initiative, organization=organization, role=Role.BACKBONE)
    return initiative


@transaction.atomic
def initiative_update(*, initiative: Initiative, by, **fields) -> Initiative:
    require(by, permissions.MANAGE, initiative)
    allowed = {"name", "issue", "place", "topic", "description"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(initiative, name, value)
    initiative.save(update_fields=[*fields, "updated_at"])
    return initiative


def initiative_embed_origins_set(*, initiative: Initiative, by, origins: list[str]) -> Initiative:
    """The sites that may frame the public report card's measures (CSP frame-ancestors); each an
    origin as initiatives.origins.parse_origin gives it."""
    from .origins import validate_origins

    require(by, permissions.MANAGE, initiative)
    validate_origins(origins)
    initiative.embed_origins = list(origins)
    initiative.save(update_fields=["embed_origins", "updated_at"])
    return initiative


# --- Organisations -------------------------------------------------------------------------------


@transaction.atomic
def participation_add(*, initiative: Initiative, by, organization: Organization) -> Participation:
    require(by, permissions.MANAGE, initiative)
    participation, _created = Participation.objects.get_or_create(
        initiative=initiative, organization=organization
    )
    return participation


@transaction.atomic
def organization_create(*, initiative: Initiative, by, **fields) -> Organization:
    """Create a new organisation and add it to the initiative."""
    require(by, permissions.MANAGE, initiative)
    organization = Organization.objects.create(**fields)
    Participation.objects.create(initiative=initiative, organization=organization)
    return organization


# --- Invitations and memberships -----------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("initiative", "organization")
        .filter(token_hash=_hash_token(token))
        .first()
    )


@transaction.atomic
def invitation_create(
    *, initiative: Initiative, by, email: str, role: str, organization: Organization
) -> tuple[Invitation, str]:
    """Invite someone by email; the link carries a token whose hash alone is stored."""
    require(by, permissions.MANAGE, initiative)
    email = User.objects.normalize_email(email).strip()
    if initiative.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the initiative.")})
    # A new invitation replaces any pending one to the same address.
    initiative.invitations.filter(email__iexact=email, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    Participation.objects.get_or_create(initiative=initiative, organization=organization)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        initiative=initiative,
        email=email,
        role=role,
        organization=organization,
        token_hash=_hash_token(token),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    from .tasks import invitation_send_task

    language = translation.get_language() or settings.LANGUAGE_CODE
    # The token exists only here (the database keeps its hash): an email that cannot be queued is
    # logged; the invitation stays listed as pending, to be withdrawn and sent again.
    transaction.on_commit(lambda: enqueue(invitation_send_task, invitation.pk, token, language))
    return invitation, token


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> None:
    require(by, permissions.MANAGE, invitation.initiative)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def _check_pending(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation was withdrawn."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired. Ask the backbone staff for a new one."))


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """An existing account joins the initiative through the invitation."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_pending(invitation)
    if Membership.objects.filter(user=user, initiative=invitation.initiative).exists():
        raise ValidationError(_("You are already a member of this initiative."))
    membership = Membership.objects.create(
        user=user,
        initiative=invitation.initiative,
        organization=invitation.organization,
        role=invitation.role,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_accept_new_user(
    *, invitation: Invitation, username: str, password: str, first_name: str = "", last_name: str = ""
) -> Membership:
    """Someone without an account sets a password and joins in one step."""
    _check_pending(invitation)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username,
                email=invitation.email,
                password=password,
                first_name=first_name,
                last_name=last_name,
            )
    except IntegrityError as exc:
        raise ValidationError({"username": _("This username is taken.")}) from exc
    return invitation_accept(invitation=invitation, user=user)


def _backbone_count(initiative: Initiative) -> int:
    return initiative.memberships.filter(role=Role.BACKBONE).count()


@transaction.atomic
def membership_change(*, membership: Membership, by, role: str, organization: Organization) -> Membership:
    initiative = membership.initiative
    require(by, permissions.MANAGE, initiative)
    # Lock the initiative's backbone rows so two concurrent demotions cannot leave none.
    list(initiative.memberships.select_for_update().filter(role=Role.BACKBONE))
    if membership.role == Role.BACKBONE and role != Role.BACKBONE and _backbone_count(initiative) <= 1:
        raise ValidationError({"role": _("The initiative needs at least one backbone staff member.")})
    Participation.objects.get_or_create(initiative=initiative, organization=organization)
    membership.role = role
    membership.organization = organization
    membership.save(update_fields=["role", "organization"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by) -> None:
    initiative = membership.initiative
    require(by, permissions.MANAGE, initiative)
    list(initiative.memberships.select_for_update().filter(role=Role.BACKBONE))
    if membership.role == Role.BACKBONE and _backbone_count(initiative) <= 1:
        raise ValidationError(_("The last backbone staff member cannot be removed."))
    membership.delete()


# --- Lifecycle ---------------------------------------------------------------------------------


@transaction.atomic
def milestone_update(*, milestone: Milestone, by, status: str, evidence: str) -> Milestone:
    require(by, permissions.MANAGE, milestone.initiative)
    milestone.status = status
    milestone.evidence = evidence
    milestone.updated_by = by
    milestone.updated_at = timezone.now()
    milestone.save(update_fields=["status", "evidence", "updated_by", "updated_at"])
    return milestone


def open_milestones(initiative: Initiative, phase: int) -> list[Milestone]:
    return [
        m
        for m in initiative.milestones.filter(phase=phase).order_by("area")
        if m.status != MilestoneStatus.DONE
    ]


def unmet_preconditions(initiative: Initiative) -> list[str]:
    """The preconditions (lines 137–141) the latest readiness assessment does not show as met; all
    three when none has been made."""
    latest = initiative.readiness_assessments.first()
    return list(ReadinessAssessment.PRECONDITIONS) if latest is None else latest.unmet


@transaction.atomic
def phase_change(*, initiative: Initiative, by, to_phase: int, reason: str = "") -> PhaseTransition:
    """Move one phase forward or back. Going ahead with milestones not done, or leaving pre-launch
    with the three preconditions not all met, needs a reason."""
    require(by, permissions.MANAGE, initiative)
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    from_phase = initiative.phase
    if to_phase not in Phase.values:
        raise ValidationError({"to_phase": _("There is no such phase.")})
    if abs(to_phase - from_phase) != 1:
        raise ValidationError({"to_phase": _("An initiative moves one phase at a time.")})
    reason = reason.strip()
    undone = open_milestones(initiative, from_phase) if to_phase > from_phase else []
    if undone and not reason:
        raise ValidationError(
            {"reason": _("Some milestones of the current phase are not done: say why you go ahead anyway.")}
        )
    unmet = (
        unmet_preconditions(initiative) if from_phase == Phase.PRE_LAUNCH and to_phase > from_phase else []
    )
    if unmet and not reason:
        raise ValidationError(
            {
                "reason": _(
                    "The three preconditions are not all met, which the source calls necessary to set up an "
                    "initiative: say why you leave pre-launch anyway."
                )
            }
        )
    if to_phase < from_phase and not reason:
        raise ValidationError({"reason": _("Say why the initiative goes back a phase.")})
    initiative.phase = to_phase
    initiative.save(update_fields=["phase", "updated_at"])
    return PhaseTransition.objects.create(
        initiative=initiative,
        from_phase=from_phase,
        to_phase=to_phase,
        by=by,
        reason=reason,
        open_milestones=[m.area for m in undone],
        unmet_preconditions=unmet,
    )


@transaction.atomic
def readiness_assess(*, initiative: Initiative, by, **answers) -> ReadinessAssessment:
    require(by, permissions.MANAGE, initiative)
    return ReadinessAssessment.objects.create(initiative=initiative, assessed_by=by, **answers)


@transaction.atomic
def fit_assess(*, initiative: Initiative, by, notes: str = "", **answers) -> FitAssessment:
    """Record an answer to the source's Table 1 and the verdict derived from it. Earlier
    assessments stay as they are: the page shows them as history."""
    require(by, permissions.MANAGE, initiative)
    problems = {}
    for name in ANSWER_FIELDS:
        value = answers.get(name) or ""
        valid = set(ANSWERS[name].values)
        if name == "hard_to_implement":
            if answers.get("solution_exists") == SolutionExists.KNOWN and value not in valid:
                problems[name] = _(
                    "A solution is known: say whether it is costly or complicated to implement."
                )
            elif answers.get("solution_exists") != SolutionExists.KNOWN:
                value = ""
        elif value not in valid:
            problems[name] = _("Choose one of the two answers.")
        answers[name] = value
    unknown = set(answers) - set(ANSWER_FIELDS)
    if unknown:
        raise ValueError(f"not a question of the fit assessment: {sorted(unknown)}")
    if problems:
        raise ValidationError(problems)
    result = classify_problem(**answers)
    return FitAssessment.objects.create(
        initiative=initiative,
        assessed_by=by,
        notes=notes.strip(),
        questionnaire=Questionnaire.TABLE_1,
        verdict=result.verdict,
        complexity=result.complexity,
        nature=result.nature,
        **answers,
    )


# --- API tokens -----------------------------------------------------------------------------------

TOKEN_MAX_DAYS = 730


def api_token_secret_split(secret: str) -> tuple[str, str] | None:
    """`cit_<prefix>_<random>` -> (prefix, the whole secret); None when it cannot be one of ours."""
    parts = secret.split("_", 2)
    if len(secret) > 100 or len(parts) != 3 or parts[0] != "cit" or not parts[1] or not parts[2]:
        return None
    return parts[1], secret


@transaction.atomic
def api_token_create(
    *,
    initiative: Initiative,
    by,
    label: str,
    scope: str = TokenScope.READ,
    organization: Organization | None = None,
    days: int = 90,
) -> tuple[ApiToken, str]:
    """Issue a token; returns it with its secret, which is shown once and never stored.

    `by` is the backbone staff member issuing it, or None from a shell (`manage.py issue_token`).
    """
    if by is not None:
        require(by, permissions.MANAGE, initiative)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Say which system will use the token.")})
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise ValidationError({"days": _("A token lasts from 1 to %(max)s days.") % {"max": TOKEN_MAX_DAYS}})
    if scope == TokenScope.SUBMIT:
        if organization is None:
            raise ValidationError(
                {"organization": _("A token that submits data does so for one organization.")}
            )
        if not initiative.participations.filter(organization=organization).exists():
            raise ValidationError({"organization": _("This organization is not part of the initiative.")})
    elif scope == TokenScope.READ:
        organization = None
    else:
        raise ValidationError({"scope": _("Unknown scope.")})
    prefix = secrets.token_hex(6)
    secret = f"cit_{prefix}_{secrets.token_urlsafe(32)}"
    # The token's own principal: it belongs to no initiative and cannot sign in.
    account = User(username=f"api-token-{prefix}", first_name=f"API token: {label}"[:150], is_active=True)
    account.set_unusable_password()
    account.save()
    token = ApiToken.objects.create(
        initiative=initiative,
        label=label[:100],
        scope=scope,
        organization=organization,
        prefix=prefix,
        secret_hash=_hash_token(secret),
        user=account,
        created_by=by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, secret


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The token this secret belongs to (whatever its state), or None."""
    import hmac

    split = api_token_secret_split(secret)
    if split is None:
        return None
    # The prefix is unique: `get` (no ORDER BY), on every API call.
    try:
        token = ApiToken.objects.select_related("user", "initiative", "organization").get(prefix=split[0])
    except ApiToken.DoesNotExist:
        return None
    if not hmac.compare_digest(token.secret_hash, _hash_token(secret)):
        return None
    return token


def api_token_touch(token: ApiToken, *, every_seconds: int = 60) -> None:
    """Record the last use, at most once a minute: a busy integration must not write on every call."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= every_seconds:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    require(by, permissions.MANAGE, token.initiative)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token
