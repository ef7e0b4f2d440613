from django.contrib import admin

from ci_platform.admin import ModelAdmin

from .models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(ModelAdmin):
    list_display = ["url", "initiative", "is_active", "consecutive_failures", "created_at"]
    list_filter = ["is_active"]
    exclude = ["secret", "previous_secret"]


@admin.register(Delivery)
class DeliveryAdmin(ModelAdmin):
    list_display = ["event", "subscription", "status", "attempts", "created_at"]
    list_filter = ["status"]
    list_select_related = ["event", "subscription"]
