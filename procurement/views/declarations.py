"""A large account's declaration: its total, its lines (htmx), submission, reopening, history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import large_account_required, programme_staff_required

from .. import selectors, services
from ..forms import (
    ItTotalForm,
    OrderLineForm,
    ReopenForm,
    SubmitForm,
)
from ..history import readable_changes
from ..imports.messages import warning_rows
from ..models import OrderLine
from .common import LINES_PER_PAGE, _error_text, _fr_decimal, _hx


@large_account_required
def declaration_home(request):
    organisation = request.organisation
    return render(
        request,
        "procurement/declaration_home.html",
        {
            "rows": selectors.account_declarations(organisation),
            "is_admin": request.membership.is_admin,
        },
    )


@require_POST
@large_account_required
def declaration_start(request, campaign_pk):
    campaign = selectors.get_campaign_open_for_declaring(campaign_pk)
    try:
        declaration = services.start_declaration(
            campaign=campaign, organisation=request.organisation, by=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("procurement:declaration_home")
    return redirect("procurement:declaration_detail", pk=declaration.pk)


class CountedPaginator(Paginator):
    """A paginator told how many objects there are (the totals' aggregate already counted them)."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # the cached_property, known beforehand


def _lines_page(request, declaration, *, count: int):
    """The page's lines, newest first: their ids first (the lines' index), then those lines with
    their details, so that whether each SME is registered is looked up for the page's 50 lines
    only (on the whole declaration, PostgreSQL hashed every published profile: 0.3 s)."""
    ids = OrderLine.objects.filter(declaration=declaration).order_by("-id").values_list("pk")
    page = CountedPaginator(ids, LINES_PER_PAGE, count=count).get_page(request.GET.get("page"))
    page.object_list = list(
        selectors.declaration_lines(declaration)
        .filter(pk__in=[pk for (pk,) in page.object_list])
        .order_by("-id")
    )
    return page


def _detail_context(request, declaration, *, line_form=None, total_form=None) -> dict:
    user = request.user
    can_edit = services.can_edit(declaration=declaration, user=user)
    totals = selectors.declaration_totals(declaration)
    # A federator reading one of its editions' accounts' declarations: no link to the imports.
    reader = user.is_programme_staff or declaration.organisation_id != getattr(
        request.organisation, "pk", None
    )
    return {
        "declaration": declaration,
        "campaign": declaration.campaign,
        "totals": totals,
        "page_obj": _lines_page(request, declaration, count=totals["lines"]),
        "can_edit": can_edit,
        "can_submit": services.can_submit(declaration=declaration, user=user),
        "can_reopen": services.can_reopen(declaration=declaration, user=user),
        "line_form": line_form or (OrderLineForm(declaration=declaration) if can_edit else None),
        "total_form": total_form
        or ItTotalForm(initial={"it_purchases_total": _fr_decimal(declaration.it_purchases_total)}),
        "latest_import": (
            selectors.latest_import(declaration) if user.is_programme_staff or not reader else None
        ),
        "disputed": selectors.disputed_lines(declaration)[:50],
        "staff_reader": reader,
    }


def _lines_context(request, declaration, *, can_edit: bool, line_form=None) -> dict:
    """What the lines section alone needs (its htmx answers): the page of lines and the form,
    without the totals (the totals card reloads itself on linesChanged)."""
    count = selectors.declaration_line_count(declaration)
    return {
        "declaration": declaration,
        "page_obj": _lines_page(request, declaration, count=count),
        "can_edit": can_edit,
        "line_form": line_form or (OrderLineForm(declaration=declaration) if can_edit else None),
    }


def declaration_detail(request, pk):
    # Also read by the federators of the account's editions (read-only: they are no members).
    declaration = selectors.get_declaration_for_reader(request, pk)
    if _hx(request) and request.GET.get("page"):
        can_edit = services.can_edit(declaration=declaration, user=request.user)
        return render(
            request,
            "procurement/_lines_section.html",
            _lines_context(request, declaration, can_edit=can_edit),
        )
    return render(
        request, "procurement/declaration_detail.html", _detail_context(request, declaration)
    )


@require_POST
def declaration_total(request, pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    form = ItTotalForm(request.POST)
    if form.is_valid():
        try:
            services.set_it_purchases_total(
                declaration=declaration,
                total=form.cleaned_data["it_purchases_total"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Total des achats informatiques enregistré."))
        return redirect("procurement:declaration_detail", pk=declaration.pk)
    context = _detail_context(request, declaration, total_form=form)
    return render(request, "procurement/declaration_detail.html", context, status=400)


@require_GET
def declaration_totals(request, pk):
    declaration = selectors.get_declaration_for_reader(request, pk)
    return render(
        request,
        "procurement/_totals.html",
        {"declaration": declaration, "totals": selectors.declaration_totals(declaration)},
    )


def _lines_changed(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = "linesChanged"
    return response


def line_add(request, pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    if not services.can_edit(declaration=declaration, user=request.user):
        raise Http404
    form = OrderLineForm(
        request.POST if request.method == "POST" else None, declaration=declaration
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_line(declaration=declaration, data=form.line_data(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if _hx(request):
                context = _lines_context(request, declaration, can_edit=True)
                context["added"] = True
                return _lines_changed(render(request, "procurement/_lines_section.html", context))
            messages.success(request, _("Ligne ajoutée."))
            return redirect("procurement:declaration_detail", pk=declaration.pk)
    status = 400 if request.method == "POST" else 200
    if _hx(request):
        context = _lines_context(request, declaration, can_edit=True, line_form=form)
        return render(request, "procurement/_lines_section.html", context, status=200)
    return render(
        request,
        "procurement/line_form_page.html",
        {"declaration": declaration, "form": form, "line": None},
        status=status,
    )


def line_edit(request, pk, line_pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    line = selectors.get_line_for_declaration(declaration, line_pk)
    if not services.can_edit(declaration=declaration, user=request.user):
        raise Http404
    if request.method == "POST":
        form = OrderLineForm(request.POST, declaration=declaration)
        if form.is_valid():
            try:
                line = services.update_line(line=line, data=form.line_data(), by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if _hx(request):
                    line = selectors.declaration_lines(declaration).get(pk=line.pk)
                    return _lines_changed(
                        render(
                            request,
                            "procurement/_line_row.html",
                            {"line": line, "declaration": declaration, "can_edit": True},
                        )
                    )
                messages.success(request, _("Ligne modifiée."))
                return redirect("procurement:declaration_detail", pk=declaration.pk)
    else:
        form = OrderLineForm(initial=OrderLineForm.initial_for(line), declaration=declaration)
    template = (
        "procurement/_line_edit_row.html" if _hx(request) else "procurement/line_form_page.html"
    )
    return render(
        request,
        template,
        {"declaration": declaration, "form": form, "line": line},
        status=400 if request.method == "POST" and not _hx(request) else 200,
    )


@require_GET
def line_row(request, pk, line_pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    selectors.get_line_for_declaration(declaration, line_pk)
    line = selectors.declaration_lines(declaration).get(pk=line_pk)
    return render(
        request,
        "procurement/_line_row.html",
        {
            "line": line,
            "declaration": declaration,
            "can_edit": services.can_edit(declaration=declaration, user=request.user),
        },
    )


def line_delete(request, pk, line_pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    line = selectors.get_line_for_declaration(declaration, line_pk)
    if not services.can_edit(declaration=declaration, user=request.user):
        raise Http404
    if request.method == "POST":
        try:
            services.delete_line(line=line, by=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            if _hx(request):
                return _lines_changed(HttpResponse(""))
            messages.success(request, _("Ligne supprimée."))
        return redirect("procurement:declaration_detail", pk=declaration.pk)
    return render(
        request, "procurement/line_delete.html", {"declaration": declaration, "line": line}
    )


def sme_autocomplete(request):
    """The SME picker's suggestions (htmx fragment): published profiles by name or SIREN."""
    if not (
        request.user.is_programme_staff
        or (request.organisation and request.organisation.is_large_account)
    ):
        raise Http404
    query = (
        request.GET.get("q") or request.GET.get("sme_name") or request.GET.get("siren") or ""
    ).strip()[:100]
    return render(
        request,
        "procurement/_sme_suggestions.html",
        {"profiles": selectors.sme_autocomplete(query), "query": query},
    )


def declaration_submit(request, pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    if not services.can_submit(declaration=declaration, user=request.user):
        messages.error(
            request,
            _(
                "Seul un administrateur du compte peut soumettre, tant que la déclaration est modifiable."
            ),
        )
        return redirect("procurement:declaration_detail", pk=declaration.pk)
    totals = selectors.declaration_totals(declaration)
    form = SubmitForm(
        request.POST if request.method == "POST" else None,
        needs_justification=totals["sme_exceeds_it"],
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_declaration(
                declaration=declaration,
                by=request.user,
                attested=form.cleaned_data["attestation"],
                justification=form.cleaned_data.get("justification", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Déclaration soumise. Merci !"))
            return redirect("procurement:declaration_detail", pk=declaration.pk)
    return render(
        request,
        "procurement/declaration_submit.html",
        {
            "declaration": declaration,
            "form": form,
            "totals": totals,
            "warnings": warning_rows(selectors.declaration_warnings(declaration)),
        },
        status=400 if form.errors else 200,
    )


@programme_staff_required
def declaration_reopen(request, pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_declaration(
                declaration=declaration, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Déclaration rouverte ; le grand compte voit le motif."))
            return redirect("procurement:declaration_detail", pk=declaration.pk)
    return render(
        request,
        "procurement/declaration_reopen.html",
        {"declaration": declaration, "form": form},
        status=400 if form.errors else 200,
    )


def declaration_history(request, pk):
    declaration = selectors.get_declaration_for_reader(request, pk)
    page_obj = Paginator(selectors.declaration_history(declaration), 50).get_page(
        request.GET.get("page")
    )
    page_obj.object_list = list(page_obj.object_list)
    readable_changes(page_obj.object_list)
    return render(
        request,
        "procurement/declaration_history.html",
        {
            "declaration": declaration,
            "page_obj": page_obj,
            # A federator reading its edition's account's history does not open the imports.
            "can_open_imports": request.user.is_programme_staff
            or declaration.organisation_id == getattr(request.organisation, "pk", None),
        },
    )
