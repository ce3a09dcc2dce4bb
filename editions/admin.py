from django.contrib import admin

from .models import Convention, Edition, EditionAccount


class ConventionInline(admin.StackedInline):
    model = Convention
    extra = 0
    autocomplete_fields = ["federator"]


class EditionAccountInline(admin.TabularInline):
    model = EditionAccount
    extra = 0
    autocomplete_fields = ["organisation"]
    readonly_fields = ["requested_by", "decided_by", "decided_at", "created_at"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "status", "starts_on", "ends_on"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["regions", "departements", "domains", "naf_codes"]
    inlines = [ConventionInline, EditionAccountInline]
