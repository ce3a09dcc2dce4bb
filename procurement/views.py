"""Declarations pages: thin views that parse with a form, call a service or selector, render."""

import csv
import io
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import large_account_required, programme_staff_required, sme_required
from directory.exports import neutralise

from . import selectors, services
from .forms import (
    CampaignAccountFilter,
    CampaignForm,
    ImportConfirmForm,
    ImportUploadForm,
    ItTotalForm,
    OrderLineForm,
    ReopenForm,
    SMEResponseForm,
    SubmitForm,
)
from .imports import samples
from .imports.pipeline import get_progress
from .models import Campaign, Declaration, ImportJob, OrderLine

LINES_PER_PAGE = 50


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _hx(request) -> bool:
    return bool(getattr(request, "htmx", False))


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return response


def _fr_decimal(value) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


# --- Large account: declarations ------------------------------------------------------------


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


def _lines_page(request, declaration):
    lines = selectors.declaration_lines(declaration).order_by("-id")
    return Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))


def _detail_context(request, declaration, *, line_form=None, total_form=None) -> dict:
    user = request.user
    can_edit = services.can_edit(declaration=declaration, user=user)
    return {
        "declaration": declaration,
        "campaign": declaration.campaign,
        "totals": selectors.declaration_totals(declaration),
        "page_obj": _lines_page(request, declaration),
        "can_edit": can_edit,
        "can_submit": services.can_submit(declaration=declaration, user=user),
        "can_reopen": services.can_reopen(declaration=declaration, user=user),
        "line_form": line_form or (OrderLineForm(declaration=declaration) if can_edit else None),
        "total_form": total_form
        or ItTotalForm(initial={"it_purchases_total": _fr_decimal(declaration.it_purchases_total)}),
        "latest_import": selectors.latest_import(declaration),
        "disputed": selectors.disputed_lines(declaration)[:50],
    }


def declaration_detail(request, pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    if _hx(request) and request.GET.get("page"):
        return render(
            request, "procurement/_lines_section.html", _detail_context(request, declaration)
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
    declaration = selectors.get_declaration_for_user(request, pk)
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
                context = _detail_context(request, declaration)
                context["added"] = True
                return _lines_changed(render(request, "procurement/_lines_section.html", context))
            messages.success(request, _("Ligne ajoutée."))
            return redirect("procurement:declaration_detail", pk=declaration.pk)
    status = 400 if request.method == "POST" else 200
    if _hx(request):
        context = _detail_context(request, declaration, line_form=form)
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
    form = SubmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_declaration(
                declaration=declaration,
                by=request.user,
                attested=form.cleaned_data["attestation"],
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
            "totals": selectors.declaration_totals(declaration),
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


def _field_labels() -> dict[str, str]:
    labels = {}
    for model in (Declaration, OrderLine):
        for field in model._meta.concrete_fields:
            labels[field.name] = labels[field.attname] = str(field.verbose_name)
    return labels


def declaration_history(request, pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    page_obj = Paginator(selectors.declaration_history(declaration), 50).get_page(
        request.GET.get("page")
    )
    labels = _field_labels()
    for event in page_obj:
        event.changes = [
            (labels.get(field, field), before, after)
            for field, (before, after) in sorted((event.pgh_diff or {}).items())
        ]
    return render(
        request,
        "procurement/declaration_history.html",
        {"declaration": declaration, "page_obj": page_obj},
    )


# --- Imports --------------------------------------------------------------------------------


@require_GET
@large_account_required
def import_template(request, fmt):
    campaign = Campaign.objects.filter(state=Campaign.State.OPEN).order_by("-year").first()
    year = campaign.year if campaign else timezone.localdate().year
    if fmt == "csv":
        response = HttpResponse(samples.template_csv(year=year), content_type="text/csv")
    elif fmt == "xlsx":
        response = HttpResponse(
            samples.template_xlsx(year=year),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="modele-commandes-pme.{fmt}"'
    return response


def import_upload(request, pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    if not services.can_edit(declaration=declaration, user=request.user):
        raise Http404
    form = ImportUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = services.create_import(
                declaration=declaration, upload=form.cleaned_data["file"], by=request.user
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("procurement:import_detail", pk=declaration.pk, job_pk=job.pk)
    return render(
        request,
        "procurement/import_upload.html",
        {"declaration": declaration, "form": form},
        status=400 if form.errors else 200,
    )


def _import_context(request, declaration, job, *, form=None) -> dict:
    done, total = get_progress(job)
    percent = int(done * 100 / total) if total else 0
    errors_page = Paginator(job.errors, 100).get_page(request.GET.get("page"))
    return {
        "declaration": declaration,
        "job": job,
        "done": done,
        "total": total,
        "percent": min(percent, 100),
        "errors_page": errors_page,
        "more_errors": job.error_count - len(job.errors),
        "form": form or ImportConfirmForm(),
        "can_edit": services.can_edit(declaration=declaration, user=request.user),
        "existing_lines": selectors.declaration_totals(declaration)["lines"],
        "upload_form": ImportUploadForm(),
    }


def import_detail(request, pk, job_pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    job = selectors.get_import_job_for_declaration(declaration, job_pk)
    return render(
        request, "procurement/import_detail.html", _import_context(request, declaration, job)
    )


@require_GET
def import_progress(request, pk, job_pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    job = selectors.get_import_job_for_declaration(declaration, job_pk)
    if not job.is_running:
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return render(
        request, "procurement/_import_progress.html", _import_context(request, declaration, job)
    )


@require_POST
def import_confirm(request, pk, job_pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    job = selectors.get_import_job_for_declaration(declaration, job_pk)
    form = ImportConfirmForm(request.POST)
    if form.is_valid():
        try:
            job = services.confirm_import(job=job, mode=form.cleaned_data["mode"], by=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            if job.state == ImportJob.State.DONE:
                messages.success(
                    request,
                    _("%(count)s lignes importées.") % {"count": job.imported_rows},
                )
                return redirect("procurement:declaration_detail", pk=declaration.pk)
        return redirect("procurement:import_detail", pk=declaration.pk, job_pk=job.pk)
    return render(
        request,
        "procurement/import_detail.html",
        _import_context(request, declaration, job, form=form),
        status=400,
    )


@require_POST
def import_cancel(request, pk, job_pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    job = selectors.get_import_job_for_declaration(declaration, job_pk)
    try:
        services.cancel_import(job=job, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("procurement:declaration_detail", pk=declaration.pk)


# --- Large account: figures -----------------------------------------------------------------


def _figures_year(request, years: list[dict]) -> int | None:
    available = [row["year"] for row in years]
    try:
        wanted = int(request.GET.get("annee", ""))
    except ValueError:
        wanted = None
    if wanted in available:
        return wanted
    return available[0] if available else None


@large_account_required
def account_figures(request):
    organisation = request.organisation
    years = selectors.account_years(organisation)
    year = _figures_year(request, years)
    context = {"years": years, "year": year, "organisation": organisation}
    if year is not None:
        context |= {
            "by_region": selectors.account_by_region(organisation, year),
            "by_domain": selectors.account_by_domain(organisation, year),
            "top_smes": selectors.account_top_smes(organisation, year),
        }
    return render(request, "procurement/account_figures.html", context)


LINE_EXPORT_HEADER = [
    "SIREN",
    "Raison sociale",
    "PME inscrite",
    "Région",
    "Montant HT (€)",
    "Date de commande",
    "Domaine",
    "Référence",
    "Délai de paiement (jours)",
    "Réponse de la PME",
    "Commentaire de la PME",
]


def _line_export_rows(lines, *, decimal_as_text: bool):
    for line in lines.iterator(chunk_size=2000):
        yield [
            line.sme_siren,
            line.sme_name,
            _("oui") if line.registered else _("non"),
            line.region or "",
            _fr_decimal(line.amount) if decimal_as_text else line.amount,
            line.order_date.strftime("%d/%m/%Y") if decimal_as_text else line.order_date,
            line.domain.name,
            line.reference,
            "" if line.payment_delay_days is None else line.payment_delay_days,
            line.get_sme_status_display(),
            line.sme_comment,
        ]


@require_GET
@large_account_required
def account_figures_export(request, fmt):
    organisation = request.organisation
    years = selectors.account_years(organisation)
    year = _figures_year(request, years)
    if year is None:
        raise Http404
    lines = selectors.account_year_lines(organisation, year)
    filename = f"commandes-pme-{year}"
    if fmt == "csv":
        return _csv_response(
            f"{filename}.csv", LINE_EXPORT_HEADER, _line_export_rows(lines, decimal_as_text=True)
        )
    if fmt != "xlsx":
        raise Http404
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(_("Années"))
    summary.append(
        [_("Année"), _("Achats informatiques"), _("Achats PME"), _("Part PME (%)"), _("PME")]
    )
    for row in years:
        summary.append(
            [
                row["year"],
                row["it_purchases_total"],
                row["sme_total"],
                round(row["sme_share"], 2) if row["sme_share"] is not None else None,
                row["smes"],
            ]
        )
    for title, rows, key in (
        (_("Régions"), selectors.account_by_region(organisation, year), "region"),
        (_("Domaines"), selectors.account_by_domain(organisation, year), "domain__name"),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append([title, _("Montant HT (€)"), _("Lignes"), _("PME")])
        for row in rows:
            sheet.append([row[key] or _("Non renseignée"), row["total"], row["lines"], row["smes"]])
    sheet = workbook.create_sheet(_("Lignes %(year)s") % {"year": year})
    sheet.append(LINE_EXPORT_HEADER)
    for row in _line_export_rows(lines, decimal_as_text=False):
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# --- SME side -------------------------------------------------------------------------------


@sme_required
def sme_orders(request):
    page_obj = Paginator(selectors.sme_lines(request.organisation), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "procurement/sme_orders.html",
        {"page_obj": page_obj, "form": SMEResponseForm()},
    )


@sme_required
def sme_order_respond(request, line_pk):
    line = selectors.get_sme_line_for_user(request, line_pk)
    form = SMEResponseForm(
        request.POST if request.method == "POST" else None, initial={"comment": line.sme_comment}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.respond_to_line(
                line=line,
                by=request.user,
                status=form.cleaned_data["status"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Votre réponse est enregistrée."))
            return redirect(reverse("procurement:sme_orders") + f"#line-{line.pk}")
    return render(
        request,
        "procurement/sme_order_respond.html",
        {"line": line, "form": form},
        status=400 if form.errors else 200,
    )


# --- Staff ----------------------------------------------------------------------------------


@programme_staff_required
def staff_campaigns(request):
    return render(
        request,
        "procurement/staff_campaigns.html",
        {"campaigns": selectors.campaigns_with_counts()},
    )


@programme_staff_required
def campaign_form(request, pk=None):
    campaign = selectors.get_campaign_for_staff(request, pk) if pk else None
    form = CampaignForm(request.POST if request.method == "POST" else None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign = services.save_campaign(
            by=request.user,
            campaign=campaign,
            year=data["year"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            methodology_version=data["methodology_version"],
            methodology=data["methodology"],
            domains=list(data["domains"]),
        )
        messages.success(request, _("Campagne %(year)s enregistrée.") % {"year": campaign.year})
        return redirect("procurement:campaign_dashboard", pk=campaign.pk)
    return render(
        request,
        "procurement/campaign_form.html",
        {"form": form, "campaign": campaign},
        status=400 if form.errors else 200,
    )


@require_POST
@programme_staff_required
def campaign_state(request, pk):
    campaign = selectors.get_campaign_for_staff(request, pk)
    try:
        services.change_campaign_state(
            campaign=campaign, state=request.POST.get("state", ""), by=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("État de la campagne modifié."))
    return redirect("procurement:campaign_dashboard", pk=campaign.pk)


def _campaign_filter(request, campaign):
    return CampaignAccountFilter(
        request.GET or None, queryset=selectors.campaign_accounts(campaign)
    )


@programme_staff_required
def campaign_dashboard(request, pk):
    campaign = selectors.get_campaign_for_staff(request, pk)
    filterset = _campaign_filter(request, campaign)
    accounts = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page_obj = Paginator(accounts, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "procurement/campaign_dashboard.html",
        {
            "campaign": campaign,
            "filter": filterset,
            "page_obj": page_obj,
            "summary": selectors.campaign_summary(campaign),
            "querystring": query.urlencode(),
            "to_remind": services.accounts_to_remind(campaign).count(),
        },
    )


STATE_LABELS = {
    "not_started": "Non commencée",
    "draft": "Brouillon",
    "submitted": "Soumise",
    "reopened": "Rouverte",
}


@require_GET
@programme_staff_required
def campaign_export(request, pk):
    campaign = selectors.get_campaign_for_staff(request, pk)
    filterset = _campaign_filter(request, campaign)
    accounts = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset

    def rows():
        for org in accounts.iterator(chunk_size=500):
            share = (org.sme_total or Decimal(0)) * 100 / org.it_total if org.it_total else None
            rate = org.disputed_count * 100 / org.line_count if org.line_count else None
            yield [
                org.name,
                org.siren,
                STATE_LABELS.get(org.declaration_state, org.declaration_state),
                timezone.localtime(org.last_activity).strftime("%d/%m/%Y %H:%M")
                if org.last_activity
                else "",
                _fr_decimal(org.it_total),
                _fr_decimal(org.sme_total),
                _fr_decimal(share),
                org.line_count,
                org.disputed_count,
                _fr_decimal(rate),
            ]

    return _csv_response(
        f"campagne-{campaign.year}-declarations.csv",
        [
            "Grand compte",
            "SIREN",
            "État",
            "Dernière activité",
            "Achats informatiques (€ HT)",
            "Achats PME (€ HT)",
            "Part PME (%)",
            "Lignes",
            "Lignes contestées",
            "Taux de contestation (%)",
        ],
        rows(),
    )


@require_POST
@programme_staff_required
def campaign_remind(request, pk):
    campaign = selectors.get_campaign_for_staff(request, pk)
    try:
        count = services.request_reminders(campaign=campaign, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _(
                "Relance envoyée en arrière-plan aux administrateurs de %(count)s comptes "
                "(une seule relance par compte et par jour)."
            )
            % {"count": count},
        )
    return HttpResponseRedirect(reverse("procurement:campaign_dashboard", args=[campaign.pk]))
