"""Admin for programme staff: the taxonomy (domains, labels) is edited here; profiles are
moderated in the portal (directory:moderation), so the admin shows them read-only."""

from django.contrib import admin
from django.db import transaction

from . import selectors, services
from .models import Domain, JoinRequest, Label, ProfileChange, SMEProfile


class TaxonomyAdmin(admin.ModelAdmin):
    """Domains and labels: the directory page keeps them in the cache; forget them on change."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(selectors.forget_reference)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(selectors.forget_reference)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(selectors.forget_reference)


@admin.register(Domain)
class DomainAdmin(TaxonomyAdmin):
    list_display = ["name", "slug", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["position", "name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            services.refresh_domain_names(domain=obj)


@admin.register(Label)
class LabelAdmin(TaxonomyAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["position", "name"]


@admin.register(SMEProfile)
class SMEProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "siren", "state", "region", "updated_at"]
    list_filter = ["state", "region"]
    search_fields = ["name", "siren"]
    list_select_related = ["region"]
    ordering = ["name", "id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "state", "created_at", "decided_at"]
    list_filter = ["state"]
    list_select_related = ["user", "organisation"]
    ordering = ["-created_at"]


@admin.register(ProfileChange)
class ProfileChangeAdmin(admin.ModelAdmin):
    list_display = ["profile", "kind", "by", "at"]
    list_filter = ["kind"]
    list_select_related = ["profile", "by"]
    ordering = ["-at"]

    def has_change_permission(self, request, obj=None):
        return False
