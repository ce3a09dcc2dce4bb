from django.contrib import admin

from .models import Campaign, Declaration, ImportJob, OrderLine, Reminder, Site


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["year", "state", "opens_on", "closes_on", "methodology_version"]
    list_filter = ["state"]
    filter_horizontal = ["domains"]


@admin.register(Declaration)
class DeclarationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "campaign", "state", "it_purchases_total", "submitted_at"]
    list_filter = ["state", "campaign"]
    list_select_related = ["organisation", "campaign"]
    search_fields = ["organisation__name", "organisation__siren"]
    raw_id_fields = ["organisation", "submitted_by", "reopened_by"]


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin):
    list_display = ["sme_name", "sme_profile_id", "amount", "order_date", "sme_status"]
    list_filter = ["sme_status", "declaration__campaign"]
    search_fields = ["sme_name", "sme_profile_id", "reference"]
    raw_id_fields = ["declaration", "sme_responded_by", "import_job", "site"]
    list_select_related = ["declaration"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "declaration",
        "state",
        "total_rows",
        "error_count",
        "created_at",
    ]
    list_filter = ["state"]
    raw_id_fields = ["declaration", "created_by"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["organisation", "campaign", "sent_on", "recipients"]
    raw_id_fields = ["organisation", "campaign", "sent_by"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    """Large accounts manage their sites themselves (/declarations/sites/); the admin checks the
    SIRET the same way (Site.clean)."""

    list_display = ["name", "siret", "departement", "organisation"]
    list_select_related = ["organisation", "departement"]
    search_fields = ["name", "siret", "organisation__name", "organisation__siren"]
    raw_id_fields = ["organisation"]
