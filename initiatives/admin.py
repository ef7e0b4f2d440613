from django.contrib import admin

from ci_platform.admin import ModelAdmin, TabularInline

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


class MembershipInline(TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organization"]


class ParticipationInline(TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(Initiative)
class InitiativeAdmin(ModelAdmin):
    list_display = ["name", "slug", "place", "topic", "phase", "updated_at"]
    list_filter = ["phase", "topic"]
    search_fields = ["name", "slug", "place", "issue"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ParticipationInline, MembershipInline]


@admin.register(Organization)
class OrganizationAdmin(ModelAdmin):
    list_display = ["name", "sector", "website"]
    list_filter = ["sector"]
    search_fields = ["name"]


@admin.register(Participation)
class ParticipationAdmin(ModelAdmin):
    list_display = ["organization", "initiative", "joined_at"]
    list_filter = ["initiative"]
    autocomplete_fields = ["organization", "initiative"]


@admin.register(Membership)
class MembershipAdmin(ModelAdmin):
    list_display = ["user", "initiative", "organization", "role", "created_at"]
    list_filter = ["role", "initiative"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["user", "organization", "initiative"]


@admin.register(Invitation)
class InvitationAdmin(ModelAdmin):
    list_display = ["email", "initiative", "role", "organization", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "initiative"]
    search_fields = ["email"]
    readonly_fields = ["token_hash", "accepted_at", "accepted_by", "invited_by"]


@admin.register(Milestone)
class MilestoneAdmin(ModelAdmin):
    list_display = ["initiative", "phase", "area", "status", "updated_at"]
    list_filter = ["initiative", "phase", "area", "status"]


@admin.register(PhaseTransition)
class PhaseTransitionAdmin(ModelAdmin):
    list_display = ["initiative", "from_phase", "to_phase", "by", "at"]
    list_filter = ["initiative"]


@admin.register(ReadinessAssessment)
class ReadinessAssessmentAdmin(ModelAdmin):
    list_display = ["initiative", "champion", "funding", "urgency", "assessed_by", "assessed_at"]
    list_filter = ["initiative"]


@admin.register(FitAssessment)
class FitAssessmentAdmin(ModelAdmin):
    list_display = [
        "initiative",
        "questionnaire",
        "verdict",
        "complexity",
        "nature",
        "assessed_by",
        "assessed_at",
    ]
    list_filter = ["initiative", "questionnaire", "verdict", "complexity", "nature"]


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    """Tokens are issued in the initiative (Members → API tokens) or by `manage.py issue_token`,
    where the secret can be shown once; here they can be looked at and revoked, not created."""

    list_display = [
        "label",
        "initiative",
        "scope",
        "organization",
        "prefix",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope", "initiative"]
    search_fields = ["label", "prefix"]
    fields = [
        "initiative",
        "label",
        "scope",
        "organization",
        "prefix",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    readonly_fields = [str(f) for f in fields if f not in ("label", "expires_at", "revoked_at")]

    def has_add_permission(self, request):
        return False
