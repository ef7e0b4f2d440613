from django.contrib import admin

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
class SteeringCommitteeSeatAdmin(admin.ModelAdmin):
    list_display = ["__str__", "initiative", "seat_role", "is_community_representative", "since"]
    list_filter = ["initiative", "seat_role", "is_community_representative"]
    search_fields = ["person_name", "membership__user__username", "membership__user__last_name"]
    raw_id_fields = ["membership"]


class WorkingGroupMemberInline(admin.TabularInline):
    model = WorkingGroupMember
    extra = 0
    raw_id_fields = ["membership"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "initiative", "strategy", "chair", "formed_on"]
    list_filter = ["initiative"]
    search_fields = ["name", "purpose"]
    raw_id_fields = ["chair", "strategy"]
    filter_horizontal = ["focus_measures"]
    inlines = [WorkingGroupMemberInline]


@admin.register(WorkingGroupMember)
class WorkingGroupMemberAdmin(admin.ModelAdmin):
    list_display = ["__str__", "group", "organization", "joined_on"]
    list_filter = ["group__initiative"]
    raw_id_fields = ["membership"]


class ActivityUpdateInline(admin.TabularInline):
    model = ActivityUpdate
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "working_group", "lead_organization", "status", "start_date", "end_date"]
    list_filter = ["status", "working_group__initiative"]
    search_fields = ["title", "description"]
    raw_id_fields = ["strategy"]
    filter_horizontal = ["contributing_organizations", "measures"]
    inlines = [ActivityUpdateInline]


@admin.register(ActivityUpdate)
class ActivityUpdateAdmin(admin.ModelAdmin):
    list_display = ["activity", "status", "by", "at"]
    list_filter = ["status"]
    search_fields = ["note", "activity__title"]


@admin.register(TieSurveyWave)
class TieSurveyWaveAdmin(admin.ModelAdmin):
    list_display = ["name", "initiative", "opened_at", "closed_at"]
    list_filter = ["initiative"]
    search_fields = ["name"]


@admin.register(TieSurveySubmission)
class TieSurveySubmissionAdmin(admin.ModelAdmin):
    list_display = ["wave", "organization", "submitted_by", "submitted_at"]
    list_filter = ["wave__initiative"]
    search_fields = ["organization__name"]


@admin.register(TieResponse)
class TieResponseAdmin(admin.ModelAdmin):
    list_display = ["wave", "from_organization", "to_organization", "contact_frequency", "trust", "value"]
    list_filter = ["wave__initiative", "wave"]
    search_fields = ["from_organization__name", "to_organization__name"]


@admin.register(NetworkMetrics)
class NetworkMetricsAdmin(admin.ModelAdmin):
    """Computed by the task; shown here, not edited."""

    list_display = ["wave", "status", "ties", "density", "average_degree", "computed_at"]
    list_filter = ["status", "wave__initiative"]
    search_fields = ["wave__name"]
    readonly_fields = [f.name for f in NetworkMetrics._meta.fields]

    def has_add_permission(self, request):
        return False
