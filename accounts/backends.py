"""Programme staff is a role of its own: it grants the portal's model permissions (and so the
Django admin) without making the person a superuser."""

from django.contrib.auth.backends import BaseBackend

STAFF_APPS = {"accounts", "directory", "procurement", "reports", "account", "sites"}


class ProgrammeStaffBackend(BaseBackend):
    """Authenticates nobody; answers permission checks for active programme staff."""

    def _is_programme_staff(self, user_obj) -> bool:
        return bool(user_obj.is_active and getattr(user_obj, "is_programme_staff", False))

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return self._is_programme_staff(user_obj) and perm.split(".", 1)[0] in STAFF_APPS

    def has_module_perms(self, user_obj, app_label) -> bool:
        return self._is_programme_staff(user_obj) and app_label in STAFF_APPS
