"""Managing editions under /pilotage/editions/: programme staff see every edition, a federator
(acting for its organisation) the editions it runs under a convention in force, 404 on others.
And a large account's request to join an edition (/editions/<slug>/adherer/)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import large_account_admin_required, programme_staff_required
from accounts.french import elide
from accounts.models import Organisation

from . import selectors, services
from .decorators import edition_staff_required
from .forms import (
    AccountSearchForm,
    AddAccountForm,
    ConventionForm,
    DecisionForm,
    EditionForm,
    EmailAccountsForm,
    JoinRequestForm,
)
from .models import Convention, Edition, EditionAccount


def _is_staff(request) -> bool:
    return bool(request.user.is_authenticated and request.user.is_programme_staff)


# --- Editions -------------------------------------------------------------------------------


@edition_staff_required
def edition_list(request):
    page = Paginator(selectors.managed_editions(request), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "editions/edition_list.html",
        {
            "page": page,
            "is_staff": _is_staff(request),
            "federator": selectors.acting_federator(request),
        },
    )


@edition_staff_required
def edition_manage(request, slug):
    edition = selectors.get_edition_for_staff(request, slug)
    members = Paginator(selectors.memberships(edition, EditionAccount.State.MEMBER), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "editions/edition_manage.html",
        {
            "edition": edition,
            "members": members,
            "requests": selectors.memberships(edition, EditionAccount.State.REQUESTED),
            "conventions": selectors.conventions_visible(request, edition),
            "is_staff": _is_staff(request),
            "scope": selectors.scope_labels(edition),
        },
    )


def _edition_form(request, edition: Edition | None):
    form = EditionForm(request.POST or None, request.FILES or None, instance=edition)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_edition(
                edition=form.instance,
                form_fields=form.plain_fields(),
                m2m=form.m2m(),
                logo=form.cleaned_data.get("logo_upload") or None,
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, elide(_("Édition « %(name)s » enregistrée.") % {"name": saved.name})
            )
            return redirect("editions:manage", slug=saved.slug)
    return render(request, "editions/edition_form.html", {"form": form, "edition": edition})


@programme_staff_required
@require_http_methods(["GET", "POST"])
def edition_create(request):
    return _edition_form(request, None)


@programme_staff_required
@require_http_methods(["GET", "POST"])
def edition_edit(request, slug):
    return _edition_form(request, selectors.get_edition_for_staff(request, slug))


# --- Large accounts of an edition ---------------------------------------------------------------


@edition_staff_required
@require_http_methods(["GET", "POST"])
def account_add(request, slug):
    edition = selectors.get_edition_for_staff(request, slug)
    if request.method == "POST":
        form = AddAccountForm(request.POST)
        if form.is_valid():
            organisation = (
                Organisation.objects.large_accounts()
                .filter(pk=form.cleaned_data["organisation"])
                .first()
            )
            if organisation is None:
                raise Http404
            try:
                services.add_account(edition=edition, organisation=organisation, by=request.user)
            except services.EditionsError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    elide(
                        _("%(org)s fait désormais partie de l'édition.")
                        % {"org": organisation.name}
                    ),
                )
                return redirect("editions:manage", slug=edition.slug)
        return redirect("editions:account_add", slug=edition.slug)
    search = AccountSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    page = Paginator(selectors.addable_accounts(edition, query=query), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "editions/account_add.html",
        {"edition": edition, "form": search, "query": query, "page": page},
    )


@edition_staff_required
@require_http_methods(["GET", "POST"])
def account_remove(request, slug, pk):
    edition = selectors.get_edition_for_staff(request, slug)
    membership = selectors.get_membership(edition, pk, state=EditionAccount.State.MEMBER)
    if request.method == "POST":
        services.remove_account(membership=membership, by=request.user)
        messages.success(
            request,
            elide(
                _("%(org)s ne fait plus partie de l'édition.")
                % {"org": membership.organisation.name}
            ),
        )
        return redirect("editions:manage", slug=edition.slug)
    return render(
        request, "editions/account_remove.html", {"edition": edition, "membership": membership}
    )


@edition_staff_required
@require_http_methods(["GET", "POST"])
def request_decide(request, slug, pk):
    edition = selectors.get_edition_for_staff(request, slug)
    membership = selectors.get_membership(edition, pk, state=EditionAccount.State.REQUESTED)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.decide_request(
                membership=membership,
                accept=accept,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except services.EditionsError as error:
            messages.error(request, str(error))
        else:
            message = (
                _("Demande de %(org)s acceptée ; ses administrateurs sont prévenus.")
                if accept
                else _("Demande de %(org)s refusée ; ses administrateurs sont prévenus.")
            )
            messages.success(request, elide(message % {"org": membership.organisation.name}))
        return redirect("editions:manage", slug=edition.slug)
    return render(
        request,
        "editions/request_decide.html",
        {"edition": edition, "membership": membership, "form": form},
    )


@edition_staff_required
@require_http_methods(["GET", "POST"])
def email_accounts(request, slug):
    edition = selectors.get_edition_for_staff(request, slug)
    form = EmailAccountsForm(request.POST or None, accounts=selectors.accounts(edition))
    if request.method == "POST" and form.is_valid():
        sent = services.email_account_admins(
            edition=edition,
            organisations=form.cleaned_data["organisations"],
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            by=request.user,
        )
        messages.success(request, _("%(n)s e-mail(s) envoyé(s).") % {"n": sent})
        return redirect("editions:manage", slug=edition.slug)
    return render(request, "editions/email_accounts.html", {"edition": edition, "form": form})


# --- Conventions ------------------------------------------------------------------------------


def _convention_form(request, edition: Edition, convention: Convention):
    form = ConventionForm(request.POST or None, request.FILES or None, instance=convention)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_convention(
                convention=form.instance,
                form_fields=form.plain_fields(),
                document=form.cleaned_data.get("document") or None,
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except services.EditionsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Convention enregistrée."))
            return redirect("editions:convention", slug=edition.slug, pk=saved.pk)
    return render(
        request,
        "editions/convention_form.html",
        {"edition": edition, "convention": convention, "form": form},
    )


@programme_staff_required
@require_http_methods(["GET", "POST"])
def convention_create(request, slug):
    edition = selectors.get_edition_for_staff(request, slug)
    return _convention_form(request, edition, Convention(edition=edition))


@programme_staff_required
@require_http_methods(["GET", "POST"])
def convention_edit(request, slug, pk):
    edition = selectors.get_edition_for_staff(request, slug)
    return _convention_form(request, edition, selectors.get_convention(request, edition, pk))


@edition_staff_required
def convention_detail(request, slug, pk):
    edition = selectors.get_edition_for_staff(request, slug)
    convention = selectors.get_convention(request, edition, pk)
    return render(
        request,
        "editions/convention_detail.html",
        {"edition": edition, "convention": convention, "is_staff": _is_staff(request)},
    )


@edition_staff_required
def convention_document(request, slug, pk):
    """The signed convention: programme staff and the members of its federator, 404 otherwise."""
    edition = selectors.get_edition_for_staff(request, slug)
    convention = selectors.get_convention(request, edition, pk)
    if not convention.signed_document:
        raise Http404
    response = FileResponse(
        convention.signed_document.open("rb"),
        content_type="application/pdf",
        filename=f"convention-{edition.slug}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- A large account asks to join ---------------------------------------------------------------


@large_account_admin_required
@require_http_methods(["GET", "POST"])
def join(request, slug):
    edition = selectors.get_public_edition(slug)
    organisation = request.organisation
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_to_join(
                edition=edition,
                organisation=organisation,
                message=form.cleaned_data["message"],
                by=request.user,
            )
        except services.EditionsError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                elide(
                    _(
                        "Demande envoyée : l'équipe de l'édition « %(edition)s » vous répondra "
                        "par e-mail."
                    )
                    % {"edition": edition.name}
                ),
            )
        return redirect("accounts:dashboard")
    current = EditionAccount.objects.filter(edition=edition, organisation=organisation).first()
    return render(
        request,
        "editions/join.html",
        {
            "edition": edition,
            "organisation": organisation,
            "form": form,
            "current": current,
            "conventions": edition.conventions.in_force().select_related("federator"),
        },
    )
