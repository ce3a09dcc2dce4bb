from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditionsConfig(AppConfig):
    name = "editions"
    verbose_name = _("Éditions")

    def ready(self):
        # directory (below editions) scopes its moderation pages to a federator's editions
        # without importing editions (README).
        from directory import scope

        from .selectors import directory_scope

        scope.register(directory_scope)
