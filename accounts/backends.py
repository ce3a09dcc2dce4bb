"""Programme staff is a role of its own: it grants the portal's model permissions (and so the
Django admin) without making the person a superuser.

What would let staff raise their own power stays with superusers (created from the command line
with ``createsuperuser``): creating or deleting accounts, editing e-mail addresses (allauth's
``account`` app is read-only to staff), second factors (``mfa``), groups and permissions (``auth``).
The user admin (accounts/admin.py) further keeps rights, passwords and e-mails to superusers."""

from django.contrib.auth.backends import BaseBackend

STAFF_APPS = {"accounts", "directory", "procurement", "reports", "sites"}
READ_ONLY_APPS = {"account"}
SUPERUSER_ONLY_PERMS = {"accounts.add_user", "accounts.delete_user"}


class ProgrammeStaffBackend(BaseBackend):
    """Authenticates nobody; answers permission checks for active programme staff."""

    def _is_programme_staff(self, user_obj) -> bool:
        return bool(user_obj.is_active and getattr(user_obj, "is_programme_staff", False))

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        if not self._is_programme_staff(user_obj) or perm in SUPERUSER_ONLY_PERMS:
            return False
        app_label, _, codename = perm.partition(".")
        if app_label in READ_ONLY_APPS:
            return codename.startswith("view_")
        return app_label in STAFF_APPS

    def has_module_perms(self, user_obj, app_label) -> bool:
        return self._is_programme_staff(user_obj) and app_label in STAFF_APPS | READ_ONLY_APPS
