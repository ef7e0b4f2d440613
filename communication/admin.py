from django.contrib import admin

from ci_platform.admin import ModelAdmin, TabularInline

from .models import (
    ActionItem,
    Attendance,
    Comment,
    Decision,
    Document,
    Meeting,
    Notification,
    NotificationPreference,
    Post,
    ProgressReport,
)


class AttendanceInline(TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["user"]


class ActionItemInline(TabularInline):
    model = ActionItem
    extra = 0
    fk_name = "meeting"
    raw_id_fields = ["owner", "decision"]
    fields = ["title", "owner", "owner_organization", "due_on", "status", "decision"]


@admin.register(Meeting)
class MeetingAdmin(ModelAdmin):
    list_display = ["title", "initiative", "body", "body_name", "starts_at", "minutes_published_at"]
    list_filter = ["initiative", "body"]
    search_fields = ["title", "body_name", "minutes"]
    date_hierarchy = "starts_at"
    inlines = [AttendanceInline, ActionItemInline]


@admin.register(Attendance)
class AttendanceAdmin(ModelAdmin):
    list_display = ["meeting", "user", "organization", "status"]
    list_filter = ["status", "meeting__initiative"]
    raw_id_fields = ["meeting", "user"]


@admin.register(Decision)
class DecisionAdmin(ModelAdmin):
    list_display = ["title", "initiative", "body", "decided_on", "meeting"]
    list_filter = ["initiative", "body"]
    search_fields = ["title", "text"]
    date_hierarchy = "decided_on"
    raw_id_fields = ["meeting"]


@admin.register(ActionItem)
class ActionItemAdmin(ModelAdmin):
    list_display = ["title", "initiative", "owner", "due_on", "status"]
    list_filter = ["initiative", "status"]
    search_fields = ["title"]
    raw_id_fields = ["meeting", "decision", "owner"]


class CommentInline(TabularInline):
    model = Comment
    extra = 0
    raw_id_fields = ["author"]


@admin.register(Post)
class PostAdmin(ModelAdmin):
    list_display = ["title", "initiative", "kind", "author", "tag", "shared_externally", "created_at"]
    list_filter = ["initiative", "kind", "shared_externally"]
    search_fields = ["title", "body", "tag"]
    inlines = [CommentInline]


@admin.register(Comment)
class CommentAdmin(ModelAdmin):
    list_display = ["__str__", "post", "author", "created_at"]
    list_filter = ["post__initiative"]
    raw_id_fields = ["post", "author"]


@admin.register(Document)
class DocumentAdmin(ModelAdmin):
    list_display = [
        "title",
        "initiative",
        "kind",
        "visibility",
        "group_name",
        "content_type",
        "size",
        "created_at",
    ]
    list_filter = ["initiative", "kind", "visibility"]
    search_fields = ["title", "description", "original_name", "tag"]
    # The file is checked on upload by the service (size, type by content); the admin shows it only.
    readonly_fields = ["file", "original_name", "content_type", "size", "sha256", "uploaded_by"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ModelAdmin):
    list_display = ["user", "initiative", "kind", "delivery", "updated_at"]
    list_filter = ["initiative", "kind", "delivery"]
    raw_id_fields = ["user"]


@admin.register(Notification)
class NotificationAdmin(ModelAdmin):
    list_display = [
        "subject",
        "user",
        "initiative",
        "kind",
        "delivery",
        "created_at",
        "read_at",
        "emailed_at",
    ]
    list_filter = ["initiative", "kind", "delivery"]
    search_fields = ["subject", "user__username"]
    raw_id_fields = ["user"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ModelAdmin):
    list_display = ["initiative", "period_kind", "year", "quarter", "status", "generated_at", "published_at"]
    list_filter = ["initiative", "period_kind", "status"]
    readonly_fields = ["snapshot", "sections", "generated_at", "error"]

    def has_change_permission(self, request, obj=None):
        # Published reports are frozen, in the admin too.
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_published)
