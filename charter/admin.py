"""Staff write charter versions in the admin; a published version is read-only, and publishing
goes through the service (audited)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import CharterVersion, Commitment, Contacts, Signature, Targets


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 1

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published


@admin.register(CharterVersion)
class CharterVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "title", "published_at", "renewal_deadline"]
    list_filter = ["kind"]
    inlines = [CommitmentInline]
    actions = ["publish"]
    readonly_fields = ["published_at", "published_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            # Only the renewal deadline still moves once a version is published.
            return ["kind", "number", "title", "body", "published_at", "published_by"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    def save_model(self, request, obj, form, change):
        if change and obj.is_published and "renewal_deadline" in form.changed_data:
            services.set_renewal_deadline(
                version=obj, by=request.user, deadline=form.cleaned_data["renewal_deadline"]
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publier la version (elle ne changera plus)"))
    def publish(self, request, queryset):
        for version in queryset.order_by("number"):
            try:
                services.publish_version(
                    version=version, by=request.user, renewal_deadline=version.renewal_deadline
                )
            except ValidationError as error:
                self.message_user(request, f"{version}: {error.messages[0]}", messages.ERROR)
            else:
                self.message_user(request, _("%s publiée.") % version, messages.SUCCESS)


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["organisation", "version", "signer_name", "signed_at"]
    list_select_related = ["organisation", "version"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(Contacts)
admin.site.register(Targets)
