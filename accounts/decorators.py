"""Role checks for views. Object-level scoping is done by the selectors (404 on others' ids)."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def programme_staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.is_programme_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _kind_required(kind: str, *, admin: bool = False):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            membership = request.membership or None
            if membership is None or membership.organisation.kind != kind:
                raise PermissionDenied
            if admin and not membership.is_admin:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


large_account_required = _kind_required("large_account")
large_account_admin_required = _kind_required("large_account", admin=True)
sme_required = _kind_required("sme")
sme_admin_required = _kind_required("sme", admin=True)


def organisation_admin_required(view):
    """The active membership must be an administrator's (any kind of organisation)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        membership = request.membership or None
        if membership is None or not membership.is_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
