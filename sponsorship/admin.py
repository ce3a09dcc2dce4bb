from django.contrib import admin

from .models import Mission, Need, Offer


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["title", "sme", "category", "estimated_days", "state"]
    list_filter = ["state", "category"]
    raw_id_fields = ["sme", "created_by"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["account", "category", "days", "starts_on", "ends_on", "state"]
    list_filter = ["state", "category"]
    raw_id_fields = ["account", "created_by"]


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = ["need", "account", "sme", "days", "state", "agreed_at", "done_at"]
    list_filter = ["state"]
    raw_id_fields = ["need", "offer", "account", "sme", "proposed_by"]
