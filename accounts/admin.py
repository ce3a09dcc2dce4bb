"""Accounts in the Django admin. Staff correct names and memberships; rights, passwords and
e-mail addresses, and their own roles, are a superuser's (see accounts/backends.py)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Invitation, Membership, Organisation, User

# Fields only a superuser may change: who may do what, and how one signs in.
SUPERUSER_FIELDS = (
    "email",
    "password",
    "is_superuser",
    "is_staff",
    "is_programme_staff",
    "groups",
    "user_permissions",
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "is_programme_staff",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_programme_staff", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name")}),
        (
            _("Droits"),
            {
                "fields": (
                    "is_active",
                    "is_programme_staff",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # The password hash widget links to the password form: not shown to staff.
        return tuple(
            (name, {**options, "fields": tuple(f for f in options["fields"] if f != "password")})
            for name, options in fieldsets
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [f for f in SUPERUSER_FIELDS if f != "password"]
            readonly += ["last_login", "date_joined"]
        return readonly

    def has_change_permission(self, request, obj=None):
        """Staff may not edit a superuser or another member of staff at all."""
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser or obj.pk == request.user.pk:
            return True
        return not (obj.is_superuser or obj.is_staff or obj.is_programme_staff)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        if obj.is_programme_staff:
            obj.is_staff = True  # programme staff reach the Django admin from their staff home
        super().save_model(request, obj, form, change)


class MembershipFormSet(BaseInlineFormSet):
    """Nobody but a superuser adds, changes or removes their own membership here."""

    request_user = None

    def clean(self):
        super().clean()
        user = self.request_user
        if user is None or user.is_superuser:
            return
        for form in self.forms:
            if not form.has_changed():
                continue
            before = form.instance.user_id if form.instance.pk else None
            after = getattr(form.cleaned_data.get("user"), "pk", None)
            if user.pk in (before, after):
                raise ValidationError(
                    gettext(
                        "Vous ne pouvez pas modifier vos propres rôles : demandez-le à un "
                        "administrateur de l'organisation ou à un super-utilisateur."
                    ),
                    code="own_membership",
                )


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request_user = request.user
        return formset


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "siren", "joined_on", "public_naming"]
    list_filter = ["kind", "public_naming"]
    search_fields = ["name", "siren"]
    # An SME's identity is verified in moderation (with evidence, a reason and the journal).
    # "Signataire depuis" follows the online signatures (charter app), never typed by staff.
    readonly_fields = ["verified_at", "verified_by", "charter_signed_on"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only to staff: invitations are sent from the portal (and recorded in the journal)."""

    list_display = [
        "email",
        "organisation",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    search_fields = ["email", "organisation__name"]
    readonly_fields = ["token_hash", "accepted_at", "accepted_by"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser
