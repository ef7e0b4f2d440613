from django.contrib import admin

from ci_platform.admin import ModelAdmin, TabularInline

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


class RiskReviewInline(TabularInline):
    model = RiskReview
    extra = 0


@admin.register(Risk)
class RiskAdmin(ModelAdmin):
    list_display = ["__str__", "initiative", "likelihood", "impact", "review_on", "status"]
    list_filter = ["initiative", "status"]
    search_fields = ["title", "catalogue_key", "description"]
    raw_id_fields = ["owner"]
    inlines = [RiskReviewInline]


class LearningEntryInline(TabularInline):
    model = LearningEntry
    extra = 0
    raw_id_fields = ["measure", "period", "decision", "document"]


@admin.register(Assumption)
class AssumptionAdmin(ModelAdmin):
    list_display = ["__str__", "initiative", "status", "updated_at"]
    list_filter = ["initiative", "status"]
    search_fields = ["statement"]
    inlines = [LearningEntryInline]


class WorksheetPartnerInline(TabularInline):
    model = WorksheetPartner
    extra = 0


class WorksheetActionInline(TabularInline):
    model = WorksheetAction
    extra = 0
    raw_id_fields = ["activity"]


@admin.register(CurveWorksheet)
class CurveWorksheetAdmin(ModelAdmin):
    list_display = ["__str__", "initiative", "measure", "period", "show_on_report_card", "updated_at"]
    list_filter = ["initiative", "show_on_report_card"]
    raw_id_fields = ["measure", "period"]
    inlines = [WorksheetPartnerInline, WorksheetActionInline]


@admin.register(CurveStory)
class CurveStoryAdmin(ModelAdmin):
    list_display = ["title", "initiative", "measure", "period", "organization", "created_at"]
    list_filter = ["initiative"]
    search_fields = ["title", "text"]
    raw_id_fields = ["measure", "period"]
