"""Reading accounts: memberships, the active organisation, scoped look-ups."""

from django.http import Http404, HttpRequest

from .models import Membership, Organisation

SESSION_KEY = "active_organisation_id"


def memberships_for(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def active_membership(request: HttpRequest) -> Membership | None:
    """The membership the person acts through: the one chosen in the session, else the first."""
    memberships = memberships_for(request.user)
    if not memberships:
        return None
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.organisation_id == chosen:
            return membership
    return memberships[0]


def get_organisation_for_user(request: HttpRequest, pk: int) -> Organisation:
    """The organisation ``pk`` if the user belongs to it (staff: any), else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    try:
        return Organisation.objects.visible_to(request.user).distinct().get(pk=pk)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def is_admin_of(user, organisation: Organisation) -> bool:
    return Membership.objects.filter(user=user, organisation=organisation, role="admin").exists()
