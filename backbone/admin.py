from django.contrib import admin

from ci_platform.admin import ModelAdmin, TabularInline

from .models import (
    Answer,
    AssessmentPeriod,
    BackboneFunction,
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


@admin.register(BackboneFunction)
class BackboneFunctionAdmin(ModelAdmin):
    list_display = ["code", "name_en", "name_he", "order"]
    search_fields = ["name_en", "name_he"]


@admin.register(Indicator)
class IndicatorAdmin(ModelAdmin):
    list_display = ["number", "name_en", "function", "initiative"]
    list_filter = ["function", "initiative"]
    search_fields = ["name_en", "name_he"]


@admin.register(IndicatorLabel)
class IndicatorLabelAdmin(ModelAdmin):
    list_display = ["indicator", "initiative", "name_en"]
    list_filter = ["initiative"]
    search_fields = ["name_en", "name_he"]


@admin.register(SurveyItem)
class SurveyItemAdmin(ModelAdmin):
    list_display = ["code", "indicator", "group", "initiative", "active"]
    list_filter = ["group", "active", "initiative"]
    search_fields = ["code", "text_en", "text_he"]


@admin.register(AssessmentPeriod)
class AssessmentPeriodAdmin(ModelAdmin):
    list_display = ["code", "initiative", "start", "end"]
    list_filter = ["initiative"]
    search_fields = ["code"]


@admin.register(SurveyWave)
class SurveyWaveAdmin(ModelAdmin):
    list_display = ["title", "initiative", "period", "status", "closes_on"]
    list_filter = ["status", "initiative"]
    search_fields = ["title"]


@admin.register(Respondent)
class RespondentAdmin(ModelAdmin):
    list_display = ["email", "wave", "group", "invited_at", "reminders", "responded_at"]
    list_filter = ["group", "wave"]
    search_fields = ["email", "name"]
    readonly_fields = ["invited_at", "reminded_at", "reminders", "responded_at"]


class _ReadOnly(ModelAdmin):
    """Answers are evidence: nobody edits or adds them by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AnswerInline(TabularInline):
    model = Answer
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(_ReadOnly):
    list_display = ["id", "wave", "group", "language"]
    list_filter = ["group", "wave"]
    search_fields = ["id"]
    inlines = [AnswerInline]


@admin.register(Answer)
class AnswerAdmin(_ReadOnly):
    list_display = ["response", "item", "value"]
    list_filter = ["value"]
    search_fields = ["item__code"]


@admin.register(Funder)
class FunderAdmin(ModelAdmin):
    list_display = ["name", "funder_type", "initiative"]
    list_filter = ["funder_type", "initiative"]
    search_fields = ["name"]


@admin.register(FundingEntry)
class FundingEntryAdmin(ModelAdmin):
    list_display = ["committed_on", "funder", "recipient", "kind", "amount", "year", "initiative"]
    list_filter = ["recipient", "kind", "initiative"]
    search_fields = ["funder__name", "description"]


@admin.register(PolicyEntry)
class PolicyEntryAdmin(ModelAdmin):
    list_display = ["occurred_on", "kind", "title", "alignment", "initiative"]
    list_filter = ["kind", "alignment", "initiative"]
    search_fields = ["title", "description"]


@admin.register(CommunityEvent)
class CommunityEventAdmin(ModelAdmin):
    list_display = ["held_on", "kind", "title", "reached", "initiative"]
    list_filter = ["kind", "initiative"]
    search_fields = ["title"]


@admin.register(ScoreRun)
class ScoreRunAdmin(_ReadOnly):
    list_display = ["initiative", "trigger", "status", "created_at", "finished_at"]
    list_filter = ["status", "trigger"]
    search_fields = ["error"]


@admin.register(IndicatorScore)
class IndicatorScoreAdmin(_ReadOnly):
    list_display = ["indicator", "period", "score", "confidence", "responses"]
    list_filter = ["confidence", "initiative"]
    search_fields = ["period__code"]


@admin.register(FunctionScore)
class FunctionScoreAdmin(_ReadOnly):
    list_display = ["function", "period", "score", "confidence"]
    list_filter = ["confidence", "initiative"]
    search_fields = ["period__code"]
