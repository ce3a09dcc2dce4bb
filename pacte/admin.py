from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class PacteAdminSite(admin.AdminSite):
    site_header = "Pacte PME"
    site_title = "Pacte PME"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_staff or getattr(user, "is_programme_staff", False))


class PacteAdminConfig(AdminConfig):
    default_site = "pacte.admin.PacteAdminSite"
