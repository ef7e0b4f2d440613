from django.contrib import admin

from ci_platform.admin import ModelAdmin, TabularInline

from .models import (
    Activity,
    ActivityUpdate,
    NetworkMetrics,
    SteeringCommitteeSeat,
    TieResponse,
    TieSurveySubmission,
    TieSurveyWave,
    WorkingGroup,
    WorkingGroupMember,
)


@admin.register(SteeringCommitteeSeat)
class SteeringCommitteeSeatAdmin(ModelAdmin):
    list_display = ["__str__", "initiative", "seat_role", "is_community_representative", "since"]
    list_filter = ["initiative", "seat_role", "is_community_representative"]
    search_fields = ["person_name", "membership__user__username", "membership__user__last_name"]
    raw_id_fields = ["membership"]


class WorkingGroupMemberInline(TabularInline):
    model = WorkingGroupMember
    extra = 0
    raw_id_fields = ["membership"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(ModelAdmin):
    list_display = ["name", "initiative", "strategy", "chair", "formed_on"]
    list_filter = ["initiative"]
    search_fields = ["name", "purpose"]
    raw_id_fields = ["chair", "strategy"]
    inlines = [WorkingGroupMemberInline]


@admin.register(WorkingGroupMember)
class WorkingGroupMemberAdmin(ModelAdmin):
    list_display = ["__str__", "group", "organization", "joined_on"]
    list_filter = ["group__initiative"]
    raw_id_fields = ["membership"]


class ActivityUpdateInline(TabularInline):
    model = ActivityUpdate
    extra = 0


@admin.register(Activity)
class ActivityAdmin(ModelAdmin):
    list_display = ["title", "working_group", "lead_organization", "status", "start_date", "end_date"]
    search_fields = ["title", "description"]
    list_filter = ["status", "working_group__initiative"]
    search_fields = ["title", "description"]
    raw_id_fields = ["strategy"]
    inlines = [ActivityUpdateInline]


@admin.register(ActivityUpdate)
class ActivityUpdateAdmin(ModelAdmin):
    list_display = ["activity", "status", "by", "at"]
    list_filter = ["status"]
    search_fields = ["note", "activity__title"]


@admin.register(TieSurveyWave)
class TieSurveyWaveAdmin(ModelAdmin):
    list_display = ["name", "initiative", "opened_at", "closed_at"]
    list_filter = ["initiative"]
    search_fields = ["name"]


@admin.register(TieSurveySubmission)
class TieSurveySubmissionAdmin(ModelAdmin):
    list_display = ["wave", "organization", "submitted_by", "submitted_at"]
    list_filter = ["wave__initiative"]
    search_fields = ["organization__name"]


@admin.register(TieResponse)
class TieResponseAdmin(ModelAdmin):
    list_display = ["wave", "from_organization", "to_organization", "contact_frequency", "trust", "value"]
    list_filter = ["wave__initiative", "wave"]
    search_fields = ["from_organization__name", "to_organization__name"]


@admin.register(NetworkMetrics)
class NetworkMetricsAdmin(ModelAdmin):
    """Computed by the task; shown here, not edited."""

    list_display = ["wave", "status", "ties", "density", "average_degree", "computed_at"]
    list_filter = ["status", "wave__initiative"]
    search_fields = ["wave__name"]
    readonly_fields = [f.name for f in NetworkMetrics._meta.fields]

    def has_add_permission(self, request):
        return False
