"""The Django admin of the portal: signed in through allauth (same rate limits, same second factor)
and every add, change and delete recorded in the audit log with before → after."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

MASKED = "••••••"
SENSITIVE_WORDS = ("password", "token", "secret", "seed")


def record(**kwargs) -> None:
    # Imported here: this module is loaded with the app registry (PacteAdminConfig), before models.
    from audit.services import record as audit_record

    audit_record(**kwargs)


def _organisation_id(obj) -> int | None:
    """The organisation an edited object belongs to, when it says so (for the journal's filter)."""
    if obj is None:
        return None
    if obj._meta.label_lower == "accounts.organisation":
        return obj.pk
    value = getattr(obj, "organisation_id", None)
    return value if isinstance(value, int) else None


def _shown(field: forms.Field | None, value):
    """A readable, JSON-friendly rendering of a form value (labels rather than ids)."""
    if value is None or value == "":
        return None
    if isinstance(field, forms.ModelMultipleChoiceField) or isinstance(
        value, list | tuple | models.QuerySet
    ):
        items = list(value)
        pks = [item for item in items if not isinstance(item, models.Model)]
        if pks and field is not None:
            items = [i for i in items if isinstance(i, models.Model)]
            items += list(field.queryset.filter(pk__in=pks))
        return ", ".join(sorted(str(item) for item in items))
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(field, forms.ModelChoiceField):
        found = field.queryset.filter(pk=value).first()
        return str(found) if found is not None else str(value)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def form_changes(form: forms.Form, *, masked: bool = False) -> dict:
    """``{field: (before, after)}`` for every field the form changed; secrets stay hidden."""
    changes = {}
    for name in form.changed_data:
        field = form.fields.get(name)
        if masked or any(word in name for word in SENSITIVE_WORDS):
            changes[name] = (MASKED, MASKED)
            continue
        changes[name] = (
            _shown(field, form.initial.get(name)),
            _shown(field, form.cleaned_data.get(name)),
        )
    return changes


class AuditedAdminMixin:
    """Records each add, change and delete made through the admin, inlines included."""

    def _masked(self, obj) -> bool:
        return obj._meta.app_label == "mfa"

    def save_model(self, request, obj, form, change):
        changes = form_changes(form, masked=self._masked(obj))
        super().save_model(request, obj, form, change)
        if changes or not change:
            record(
                actor=request.user,
                action="admin.change" if change else "admin.add",
                target=obj,
                organisation_id=_organisation_id(obj),
                changes=changes,
            )

    def save_formset(self, request, form, formset, change):
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                self._record_deletion(request, deleted.instance)
        edited = [
            (inline_form, form_changes(inline_form, masked=self._masked(inline_form.instance)))
            for inline_form in formset.forms
            if inline_form not in formset.deleted_forms and inline_form.has_changed()
        ]
        added = {id(f) for f, _ in edited if f.instance.pk is None}
        super().save_formset(request, form, formset, change)
        for inline_form, changes in edited:
            if inline_form.instance.pk is None:
                continue
            record(
                actor=request.user,
                action="admin.add" if id(inline_form) in added else "admin.change",
                target=inline_form.instance,
                organisation_id=_organisation_id(inline_form.instance),
                changes=changes,
            )

    def _record_deletion(self, request, obj) -> None:
        record(
            actor=request.user,
            action="admin.delete",
            target=obj,
            organisation_id=_organisation_id(obj),
        )

    def delete_model(self, request, obj):
        self._record_deletion(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._record_deletion(request, obj)
        super().delete_queryset(request, queryset)


class PacteAdminSite(admin.AdminSite):
    site_header = "Pacte PME"
    site_title = "Pacte PME"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_staff or getattr(user, "is_programme_staff", False))

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model admin, ours and third parties', records its changes in the audit log."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdminMixin, admin_class),
                {"__module__": admin_class.__module__},
            )
        return super().register(model_or_iterable, admin_class, **options)

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        """Sign in through allauth (its rate limits and second factor), then come back."""
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect("admin:index")
            raise PermissionDenied
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, {request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index")
        return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")

    def password_change(self, request, extra_context=None):
        """One place to change one's password: allauth's (it signs the change in the account)."""
        return redirect("account_change_password")


class PacteAdminConfig(AdminConfig):
    default_site = "pacte.admin.PacteAdminSite"
