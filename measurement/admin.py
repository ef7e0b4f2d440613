from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from ci_platform.admin import ModelAdmin, TabularInline

from . import services
from .models import (
    Assignment,
    AuditEntry,
    DataValue,
    Dimension,
    DimensionMember,
    FormulaVersion,
    MeasureDimension,
    ReportingPeriod,
    SharedMeasure,
    Submission,
    Target,
    ValidationRule,
)


class DimensionMemberInline(TabularInline):
    model = DimensionMember
    extra = 0


@admin.register(Dimension)
class DimensionAdmin(ModelAdmin):
    list_display = ["code", "name_en", "name_he", "initiative"]
    search_fields = ["code", "name_en", "name_he"]
    list_filter = ["initiative"]
    inlines = [DimensionMemberInline]


@admin.register(DimensionMember)
class DimensionMemberAdmin(ModelAdmin):
    list_display = ["code", "name_en", "dimension"]
    search_fields = ["code", "name_en", "name_he", "dimension__code"]
    list_filter = ["dimension"]


class MeasureDimensionInline(TabularInline):
    model = MeasureDimension
    extra = 0


class TargetInline(TabularInline):
    model = Target
    extra = 0


class FormulaVersionInline(TabularInline):
    """The formula's history: written by measure_save, read here."""

    model = FormulaVersion
    extra = 0
    can_delete = False
    fields = readonly_fields = ("number", "formula", "created_by", "created_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class SharedMeasureAdminForm(forms.ModelForm):
    """A calculated measure's formula is checked here as the platform's form has it checked (the
    service's formula check: unknown codes, itself, cycles, frequencies, breakdowns), not only
    parsed by the model's clean. The admin gives it its model and fields (ModelAdmin.get_form)."""

    def _post_clean(self):
        # As auth's UserCreationForm checks a password: after the instance is built and clean()ed.
        super()._post_clean()  # type: ignore[misc]  # ModelForm's own hook, not in the stubs
        measure = self.instance
        if measure.is_calculated and measure.initiative_id and not self.has_error("formula"):
            try:
                services._formula_check(measure)
            except ValidationError as exc:
                self._update_errors(exc)  # type: ignore[attr-defined]  # ModelForm's, as _post_clean


@admin.register(SharedMeasure)
class SharedMeasureAdmin(ModelAdmin):
    form = SharedMeasureAdminForm
    list_display = ["code", "name_en", "initiative", "level", "frequency", "kind", "aggregation"]
    list_filter = ["initiative", "level", "frequency", "kind"]
    search_fields = ["code", "name_en", "name_he"]
    inlines = [MeasureDimensionInline, TargetInline, FormulaVersionInline]


@admin.register(MeasureDimension)
class MeasureDimensionAdmin(ModelAdmin):
    list_display = ["measure", "dimension", "position"]


@admin.register(Target)
class TargetAdmin(ModelAdmin):
    list_display = ["measure", "period_code", "value"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ModelAdmin):
    list_display = ["code", "frequency", "initiative", "start", "end", "due_on"]
    search_fields = ["code"]
    list_filter = ["initiative", "frequency"]


@admin.register(Assignment)
class AssignmentAdmin(ModelAdmin):
    list_display = ["organization", "measure", "initiative"]
    list_filter = ["initiative"]


@admin.register(Submission)
class SubmissionAdmin(ModelAdmin):
    list_display = ["organization", "period", "status", "submitted_at", "reviewed_at"]
    list_filter = ["initiative", "status"]


@admin.register(DataValue)
class DataValueAdmin(ModelAdmin):
    # The largest table: no counting of all rows on the list page.
    list_display = ["measure", "period", "organization", "member1", "member2", "value", "updated_at"]
    list_select_related = ["measure", "period", "organization", "member1", "member2"]
    show_full_result_count = False
    raw_id_fields = ["submission", "measure", "period", "organization", "member1", "member2", "entered_by"]


@admin.register(ValidationRule)
class ValidationRuleAdmin(ModelAdmin):
    list_display = ["name", "left", "operator", "right", "initiative"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ModelAdmin):
    list_display = ["at", "action", "organization", "measure", "old_value", "new_value", "by"]
    list_filter = ["action"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False  # the audit trail is append-only

    def has_delete_permission(self, request, obj=None):
        return False
