from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from .adapter import SECOND_FACTORS, needs_second_factor
from .selectors import active_membership


class ActiveOrganisationMiddleware:
    """Sets ``request.membership`` and ``request.organisation``: who the person acts for.

    Both are None for visitors and for staff without any membership.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cached = {}

        def membership():
            if "m" not in cached:
                cached["m"] = active_membership(request)
            return cached["m"]

        request.membership = SimpleLazyObject(membership)
        request.organisation = SimpleLazyObject(
            lambda: membership().organisation if membership() else None
        )
        return self.get_response(request)


class StaffSecondFactorMiddleware:
    """Programme staff, federator members (their edition-scoped staff pages are under the same
    paths) and anyone reaching the Django admin hold a second factor before any staff page: without an authenticator app they are sent to set one up.

    Signing in asks for the code after the password once an authenticator exists (allauth.mfa);
    allauth's own pages (``/compte/``, two-factor setup and sign-out included) stay reachable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith(settings.STAFF_SECOND_FACTOR_PATHS)
            and needs_second_factor(request.user)
            and not is_mfa_enabled(request.user, SECOND_FACTORS)
        ):
            messages.warning(
                request,
                _(
                    "L'espace de pilotage et l'administration demandent une double "
                    "authentification : activez une application d'authentification "
                    "pour continuer."
                ),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
