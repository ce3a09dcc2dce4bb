from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.selectors import action_choices

from . import services
from .decorators import programme_staff_required
from .forms import (
    AcceptInvitationForm,
    InvitationForm,
    JournalFilterForm,
    PublicNamingForm,
    RoleForm,
    SearchForm,
    StaffOrganisationForm,
)
from .french import elide
from .models import Invitation, Organisation, Role, User
from .selectors import (
    SESSION_KEY,
    can_manage,
    get_organisation_for_user,
    invitations_of,
    journal_rows,
    large_accounts,
    members_of,
    memberships_for,
)
from .selectors import (
    journal as journal_events,
)


def dashboard(request):
    membership = request.membership or None
    recommend = bool(
        membership is not None
        and membership.is_admin
        and membership.organisation.is_large_account
        and not is_mfa_enabled(request.user)
    )
    return render(request, "accounts/dashboard.html", {"recommend_second_factor": recommend})


@require_POST
def switch_organisation(request):
    """Act for another of one's organisations; ids one does not belong to are ignored."""
    wanted = request.POST.get("organisation", "")
    for membership in memberships_for(request.user):
        if str(membership.organisation_id) == wanted:
            request.session[SESSION_KEY] = membership.organisation_id
            break
    else:
        messages.error(request, _("Vous ne pouvez agir que pour vos propres organisations."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "accounts:dashboard"
    return redirect(next_url)


@programme_staff_required
def staff_home(request):
    return render(request, "accounts/staff_home.html")


# --- Organisation page ------------------------------------------------------------------------


def _managed_organisation(request, pk) -> Organisation:
    """The organisation ``pk`` (404 unless visible) when the user may manage it (else 403)."""
    organisation = get_organisation_for_user(request, pk)
    if not can_manage(request.user, organisation):
        raise PermissionDenied
    return organisation


def my_organisation(request):
    membership = request.membership or None  # a lazy object: compare its truth, not identity
    if membership is None:
        messages.info(request, _("Vous n'agissez pour aucune organisation."))
        return redirect("accounts:dashboard")
    return redirect("accounts:organisation", pk=membership.organisation_id)


def organisation_detail(request, pk):
    organisation = get_organisation_for_user(request, pk)
    manager = can_manage(request.user, organisation)
    return render(
        request,
        "accounts/organisation.html",
        {
            "organisation": organisation,
            "members": members_of(organisation),
            "can_manage": manager,
            "invitations": invitations_of(organisation) if manager else [],
            "invitation_form": InvitationForm(),
            "role_choices": Role.choices,
            "naming_form": PublicNamingForm(initial={"public_naming": organisation.public_naming}),
        },
    )


@require_http_methods(["GET", "POST"])
def invite(request, pk):
    organisation = _managed_organisation(request, pk)
    initial = {"role": Role.ADMIN} if request.GET.get("role") == Role.ADMIN else {}
    form = InvitationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except services.InvitationError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s.") % {"email": invitation.email},
            )
            return redirect("accounts:organisation", pk=organisation.pk)
    return render(request, "accounts/invite.html", {"organisation": organisation, "form": form})


@require_POST
def change_role(request, pk, membership_pk):
    organisation = _managed_organisation(request, pk)
    membership = get_object_or_404(organisation.memberships, pk=membership_pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un rôle valide."))
    else:
        try:
            services.change_role(
                membership=membership, role=form.cleaned_data["role"], by=request.user
            )
        except services.AccountsError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                elide(_("Rôle de %(person)s modifié.") % {"person": membership.user}),
            )
    return redirect("accounts:organisation", pk=organisation.pk)


@require_http_methods(["GET", "POST"])
def remove_member(request, pk, membership_pk):
    organisation = _managed_organisation(request, pk)
    membership = get_object_or_404(
        organisation.memberships.select_related("user"), pk=membership_pk
    )
    if request.method == "POST":
        try:
            services.remove_member(membership=membership, by=request.user)
        except services.AccountsError as error:
            messages.error(request, str(error))
            return redirect("accounts:organisation", pk=organisation.pk)
        messages.success(
            request,
            elide(
                _("%(person)s ne fait plus partie de %(organisation)s.")
                % {"person": membership.user, "organisation": organisation.name}
            ),
        )
        if membership.user_id == request.user.pk and not request.user.is_programme_staff:
            return redirect("accounts:dashboard")
        return redirect("accounts:organisation", pk=organisation.pk)
    return render(
        request,
        "accounts/remove_member.html",
        {"organisation": organisation, "membership": membership},
    )


@require_http_methods(["GET", "POST"])
def revoke_invitation(request, pk, invitation_pk):
    organisation = _managed_organisation(request, pk)
    invitation = get_object_or_404(organisation.invitations, pk=invitation_pk)
    if request.method == "POST":
        try:
            services.revoke_invitation(invitation=invitation, by=request.user)
        except services.AccountsError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Invitation de %(email)s révoquée : son lien ne fonctionne plus.")
                % {"email": invitation.email},
            )
        return redirect("accounts:organisation", pk=organisation.pk)
    return render(
        request,
        "accounts/revoke_invitation.html",
        {"organisation": organisation, "invitation": invitation},
    )


@require_POST
def resend_invitation(request, pk, invitation_pk):
    organisation = _managed_organisation(request, pk)
    invitation = get_object_or_404(organisation.invitations, pk=invitation_pk)
    try:
        services.resend_invitation(invitation=invitation, by=request.user)
    except services.AccountsError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Nouveau lien envoyé à %(email)s ; l'ancien ne fonctionne plus.")
            % {"email": invitation.email},
        )
    return redirect("accounts:organisation", pk=organisation.pk)


@require_POST
def public_naming(request, pk):
    organisation = _managed_organisation(request, pk)
    if not organisation.is_large_account:
        raise PermissionDenied
    form = PublicNamingForm(request.POST)
    if form.is_valid():
        services.set_public_naming(
            organisation=organisation,
            public_naming=form.cleaned_data["public_naming"],
            by=request.user,
        )
        messages.success(request, _("Votre choix de publication est enregistré."))
    return redirect("accounts:organisation", pk=organisation.pk)


# --- Staff: the journal of staff actions -----------------------------------------------------


@programme_staff_required
def journal(request):
    form = JournalFilterForm(request.GET or None, action_choices=action_choices())
    page = Paginator(journal_events(**form.filters()), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/journal.html",
        {"form": form, "page": page, "rows": journal_rows(page.object_list)},
    )


# --- Staff: large accounts and federators ----------------------------------------------------

# The kinds of organisation staff create, with their list page and create page.
STAFF_KINDS = {
    Organisation.Kind.LARGE_ACCOUNT: ("accounts:large_accounts", "accounts:large_account_create"),
    Organisation.Kind.FEDERATOR: ("accounts:federators", "accounts:federator_create"),
}


def _staff_organisation_list(request, kind: str):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(large_accounts(query=query, kind=kind), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/large_account_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "kind": kind,
            "create_url": STAFF_KINDS[kind][1],
        },
    )


def _staff_organisation_create(request, kind: str):
    form = StaffOrganisationForm(request.POST or None, kind=kind)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation, invitation = services.create_staff_organisation(
                kind=kind,
                name=data["name"],
                siren=data["siren"],
                sector=data["sector"],
                joined_on=data["joined_on"],
                public_naming=data.get("public_naming", False),
                admin_email=data["admin_email"],
                by=request.user,
            )
        except services.SirenConflictError as error:
            form.add_error("siren", str(error))
            conflict = error.organisation
        except services.InvitationError as error:
            form.add_error("admin_email", str(error))
        else:
            if kind == Organisation.Kind.FEDERATOR:
                message = _("Fédérateur %(name)s créé ; invitation envoyée à %(email)s.")
            else:
                message = _("Grand compte %(name)s créé ; invitation envoyée à %(email)s.")
            messages.success(
                request, message % {"name": organisation.name, "email": invitation.email}
            )
            return redirect("accounts:organisation", pk=organisation.pk)
    return render(
        request,
        "accounts/large_account_form.html",
        {
            "form": form,
            "conflict": conflict,
            "kind": kind,
            "list_url": STAFF_KINDS[kind][0],
            "create_url": STAFF_KINDS[kind][1],
        },
    )


@programme_staff_required
def large_account_list(request):
    return _staff_organisation_list(request, Organisation.Kind.LARGE_ACCOUNT)


@programme_staff_required
@require_http_methods(["GET", "POST"])
def large_account_create(request):
    return _staff_organisation_create(request, Organisation.Kind.LARGE_ACCOUNT)


@programme_staff_required
def federator_list(request):
    return _staff_organisation_list(request, Organisation.Kind.FEDERATOR)


@programme_staff_required
@require_http_methods(["GET", "POST"])
def federator_create(request):
    return _staff_organisation_create(request, Organisation.Kind.FEDERATOR)


# --- Accepting an invitation (public) ---------------------------------------------------------


def _invitation_gone(request, invitation: Invitation | None):
    status = 404 if invitation is None else 410
    return render(
        request,
        "accounts/invitation_invalid.html",
        {"invitation": invitation, "state": invitation.status if invitation else "unknown"},
        status=status,
    )


def _welcome(request, membership):
    request.session[SESSION_KEY] = membership.organisation_id
    return redirect("accounts:organisation", pk=membership.organisation_id)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    invitation = services.usable_invitation(token)
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        return _invitation_gone(request, invitation)
    context = {"invitation": invitation, "organisation": invitation.organisation}
    here = reverse("accounts:accept_invitation", args=[token])

    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email.lower():
            return render(request, "accounts/invitation_other_user.html", context, status=403)
        if request.method == "POST":
            try:
                membership = services.accept_invitation(invitation=invitation, user=request.user)
            except services.InvitationError as error:
                messages.error(request, str(error))
                return redirect(here)
            messages.success(
                request,
                elide(
                    _("Bienvenue : vous faites partie de %(organisation)s.")
                    % {"organisation": membership.organisation.name}
                ),
            )
            return _welcome(request, membership)
        context["already_member"] = invitation.organisation.memberships.filter(
            user=request.user
        ).exists()
        return render(request, "accounts/invitation_accept_existing.html", context)

    if User.objects.filter(email__iexact=invitation.email).exists():
        context["login_url"] = f"{reverse('account_login')}?next={here}"
        return render(request, "accounts/invitation_sign_in.html", context)

    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.accept_invitation_as_new_user(
                invitation=invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationError as error:
            messages.error(request, str(error))
            return redirect(here)
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            elide(
                _("Bienvenue : votre compte est créé et vous faites partie de %(organisation)s.")
                % {"organisation": membership.organisation.name}
            ),
        )
        return _welcome(request, membership)
    context["form"] = form
    return render(request, "accounts/invitation_accept_new.html", context)
