from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = _("Charte")

    def ready(self):
        # procurement shows the charter contacts to SMEs without importing charter (README).
        from procurement import contacts

        from .selectors import contacts_by_organisation

        contacts.register(contacts_by_organisation)
