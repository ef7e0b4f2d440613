from django.contrib import admin

from ci_platform.admin import ModelAdmin, TabularInline

from .models import AgendaSettings, AgendaVersion, Endorsement, ProblemFigure, Strategy, StrategyItem


class ProblemFigureInline(TabularInline):
    model = ProblemFigure
    extra = 0


class StrategyItemInline(TabularInline):
    model = StrategyItem
    extra = 0


@admin.register(AgendaVersion)
class AgendaVersionAdmin(ModelAdmin):
    list_display = ["initiative", "number", "status", "kind", "published_at", "adopted_at"]
    search_fields = ["initiative__name", "problem_statement"]
    list_filter = ["initiative", "status", "kind"]
    inlines = [ProblemFigureInline, StrategyItemInline]

    def has_change_permission(self, request, obj=None):
        # Published versions are frozen, in the admin too.
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_published)


@admin.register(Strategy)
class StrategyAdmin(ModelAdmin):
    list_display = ["__str__", "initiative", "created_at"]
    search_fields = ["items__title"]
    list_filter = ["initiative"]


@admin.register(Endorsement)
class EndorsementAdmin(ModelAdmin):
    list_display = ["version", "user", "organization", "role", "decision", "updated_at"]
    list_filter = ["decision", "version__initiative"]


@admin.register(AgendaSettings)
class AgendaSettingsAdmin(ModelAdmin):
    list_display = ["initiative", "adoption_rule"]
