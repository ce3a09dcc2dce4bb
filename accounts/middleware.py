from django.utils.functional import SimpleLazyObject

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
