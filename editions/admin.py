from django import forms
from django.contrib import admin

from .models import Convention, Edition, EditionAccount
from .services import check_logo, check_signed_document


class ConventionAdminForm(forms.ModelForm):
    """The signed convention is checked as on the portal's form (a PDF of at most 5 MB)."""

    def clean_signed_document(self):
        upload = self.cleaned_data.get("signed_document")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            check_signed_document(upload)
        return upload


class EditionAdminForm(forms.ModelForm):
    """The logo is checked as on the portal's form (PNG, JPEG or SVG of at most 1 MB)."""

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if upload and hasattr(upload, "content_type"):
            check_logo(upload)
        return upload


class ConventionInline(admin.StackedInline):
    model = Convention
    form = ConventionAdminForm
    extra = 0
    autocomplete_fields = ["federator"]


class EditionAccountInline(admin.TabularInline):
    model = EditionAccount
    extra = 0
    autocomplete_fields = ["organisation"]
    readonly_fields = ["requested_by", "decided_by", "decided_at", "created_at"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    form = EditionAdminForm
    list_display = ["name", "kind", "status", "starts_on", "ends_on"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["regions", "departements", "domains", "naf_codes"]
    inlines = [ConventionInline, EditionAccountInline]
