"""Role check for the edition-scoped staff pages (campaign dashboard, reminders, moderation):
programme staff, and members of a federator running at least one edition (a convention in force).
Everyone else gets 403; which objects such a person then sees is the selectors' business (404)."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from .selectors import runs_any_edition


def edition_staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated or not runs_any_edition(request):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
