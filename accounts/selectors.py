"""Reading accounts: memberships, the active organisation, scoped look-ups."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest

from audit import selectors as audit_selectors
from audit.models import AuditEvent

from .models import Invitation, Membership, Organisation

SESSION_KEY = "active_organisation_id"


def memberships_for(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def request_memberships(request: HttpRequest) -> list[Membership]:
    """The person's memberships, read once per request (the middleware, the page header and the
    view all ask)."""
    memberships = getattr(request, "_pacte_memberships", None)
    if memberships is None:
        memberships = memberships_for(request.user)
        request._pacte_memberships = memberships
        if request.user.is_authenticated:
            # The request's user object: `membership_in` reads them there (services get `by`).
            request.user._pacte_memberships = memberships
    return memberships


def membership_in(user, organisation: Organisation) -> Membership | None:
    """The user's membership of the organisation, or None: from the memberships the request
    already read when `user` is the request's user (services are given it), else one query."""
    if not user.is_authenticated:
        return None
    known = getattr(user, "_pacte_memberships", None)
    if known is not None:
        return next((m for m in known if m.organisation_id == organisation.pk), None)
    return Membership.objects.filter(user=user, organisation=organisation).first()


def active_membership(request: HttpRequest) -> Membership | None:
    """The membership the person acts through: the one chosen in the session, else the first."""
    memberships = request_memberships(request)
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


def can_manage(user, organisation: Organisation) -> bool:
    """Administrators of the organisation, and programme staff, manage its members."""
    return bool(user.is_authenticated and user.is_programme_staff) or is_admin_of(
        user, organisation
    )


def members_of(organisation: Organisation) -> list[Membership]:
    return list(
        organisation.memberships.select_related("user").order_by(
            "user__last_name", "user__first_name", "user__email"
        )
    )


def invitations_of(organisation: Organisation) -> list[Invitation]:
    return list(organisation.invitations.select_related("invited_by").order_by("-created_at"))


def large_accounts(
    *, query: str = "", kind: str = Organisation.Kind.LARGE_ACCOUNT
) -> QuerySet[Organisation]:
    """Large accounts (or, by ``kind``, federators) for staff, with how many members and
    administrators each has."""
    accounts = Organisation.objects.filter(kind=kind).annotate(
        member_count=Count("memberships"),
        admin_count=Count("memberships", filter=Q(memberships__role="admin")),
    )
    query = query.strip()
    if query:
        digits = query.replace(" ", "")
        condition = Q(name__icontains=query)
        if digits.isdigit():
            condition |= Q(siren__startswith=digits)
        accounts = accounts.filter(condition)
    return accounts.order_by("name", "pk")


# --- The staff journal ----------------------------------------------------------------------


def organisations_matching(text: str) -> QuerySet:
    """Ids of organisations whose name contains ``text`` or whose SIREN starts with it."""
    text = text.strip()
    digits = text.replace(" ", "")
    condition = Q(name__icontains=text)
    if digits.isdigit():
        condition |= Q(siren__startswith=digits)
    return Organisation.objects.filter(condition).values("pk")


@dataclass(frozen=True)
class JournalRow:
    event: AuditEvent
    action: str
    kind: str
    organisation: Organisation | None
    changes: list


def journal(*, organisation: str = "", **filters) -> QuerySet[AuditEvent]:
    return audit_selectors.events(
        organisation_ids=organisations_matching(organisation) if organisation.strip() else None,
        **filters,
    )


def journal_rows(events) -> list[JournalRow]:
    """One page of the journal with the organisations' names (one query for the page)."""
    events = list(events)
    organisations = Organisation.objects.in_bulk(
        {event.organisation_id for event in events if event.organisation_id}
    )
    return [
        JournalRow(
            event=event,
            action=audit_selectors.action_label(event.action),
            kind=audit_selectors.target_kind(event),
            organisation=organisations.get(event.organisation_id),
            changes=audit_selectors.changes_of(event),
        )
        for event in events
    ]
