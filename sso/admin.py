from django.contrib import admin

from ci_platform.admin import ModelAdmin

from .models import SsoIdentity


@admin.register(SsoIdentity)
class SsoIdentityAdmin(ModelAdmin):
    list_display = ["email", "user", "issuer", "created_at", "last_sign_in_at"]
    search_fields = ["email", "user__username", "subject"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "last_sign_in_at"]
