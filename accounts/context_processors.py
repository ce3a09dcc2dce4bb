from .selectors import request_memberships


def organisation(request):
    """The active organisation and the others the person may switch to, for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"active_membership": None, "user_memberships": []}
    membership = request.membership or None
    return {
        "active_membership": membership,
        "user_memberships": request_memberships(request),
    }
