"""Spreadsheet import of order lines: template, upload, preview, progress, confirmation, and the
lines a replace archived."""

import csv
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import large_account_required
from directory.models import Domain
from spreadsheets import csv_cell

from .. import selectors, services
from ..forms import (
    DomainMappingForm,
    ImportConfirmForm,
    ImportMappingForm,
    ImportUploadForm,
)
from ..imports import MAX_FILE_BYTES, jobs, samples
from ..imports import messages as import_messages
from ..imports.domains import campaign_domains
from ..imports.pipeline import get_progress
from ..imports.uploads import limit_upload_size
from ..models import Campaign, ImportJob
from .common import _error_text


@require_GET
@large_account_required
def import_template(request, fmt):
    campaign = Campaign.objects.filter(state=Campaign.State.OPEN).order_by("-year").first()
    year = campaign.year if campaign else timezone.localdate().year
    domains = selectors.import_domain_names(campaign)
    if fmt == "csv":
        response = HttpResponse(
            samples.template_csv(year=year, domains=domains), content_type="text/csv"
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            samples.template_xlsx(year=year, domains=domains),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="modele-commandes-pme.{fmt}"'
    return response


@csrf_exempt  # checked by csrf_protect below, once the size limit is installed
def import_upload(request, pk):
    # Installed before anything reads the body (the CSRF check reads request.POST).
    limit_upload_size(request, limit=MAX_FILE_BYTES)
    return _import_upload(request, pk)


@csrf_protect
def _import_upload(request, pk):
    declaration = selectors.get_declaration_for_user(request, pk)
    if not services.can_edit(declaration=declaration, user=request.user):
        raise Http404
    form = ImportUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and request.upload_too_large:
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", _("Ce fichier dépasse 20 Mo : découpez-le en plusieurs fichiers."))
        return render(
            request,
            "procurement/import_upload.html",
            {"declaration": declaration, "form": form},
            status=413,
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
        {
            "declaration": declaration,
            "form": form,
            "domain_names": selectors.import_domain_names(declaration.campaign),
        },
        status=400 if form.errors else 200,
    )


def _import_context(request, declaration, job, *, form=None, mapping_form=None) -> dict:
    done, total = get_progress(job)
    percent = int(done * 100 / total) if total else 0
    errors_page = Paginator(job.errors, 100).get_page(request.GET.get("page"))
    warning = _replace_warning(declaration)
    silent_since = timezone.now() - datetime.timedelta(seconds=jobs.STALE_AFTER_S)
    if mapping_form is None and job.unmapped and job.state == ImportJob.State.INVALID:
        mapping_form = ImportMappingForm(
            unmapped=job.unmapped, domains=campaign_domains(declaration)
        )
    return {
        "error_rows": import_messages.error_rows(errors_page.object_list),
        "error_groups": import_messages.error_group_rows(job.error_groups),
        "warnings": import_messages.warning_rows(job.warnings),
        "mapping_form": mapping_form,
        "domain_names": selectors.import_domain_names(declaration.campaign),
        "declaration": declaration,
        "job": job,
        "done": done,
        "total": total,
        "percent": min(percent, 100),
        "errors_page": errors_page,
        "more_errors": job.error_count - len(job.errors),
        "form": form or ImportConfirmForm(replace_warning=warning),
        "can_edit": services.can_edit(declaration=declaration, user=request.user),
        "existing_lines": selectors.declaration_line_count(declaration),
        "upload_form": ImportUploadForm(),
        "stalled": bool(
            job.state in {ImportJob.State.VALIDATING, ImportJob.State.IMPORTING}
            and job.claimed_attempt
            and job.claimed_attempt == job.attempts
            and job.heartbeat_at
            and job.heartbeat_at < silent_since
        ),
    }


def _replace_warning(declaration) -> str:
    """What replacing the declaration's lines would lose (empty when no line has an answer)."""
    answered, disputed = selectors.answered_lines(declaration)
    return services.replace_warning(answered=answered, disputed=disputed) if answered else ""


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
    form = ImportConfirmForm(request.POST, replace_warning=_replace_warning(declaration))
    if form.is_valid():
        try:
            job = services.confirm_import(
                job=job,
                mode=form.cleaned_data["mode"],
                by=request.user,
                replace_answers=form.cleaned_data.get("replace_answers", False),
            )
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


def import_replaced_lines(request, pk, job_pk):
    """The lines a "replace" import removed, with the SME's answers (staff and the account)."""
    declaration = selectors.get_declaration_for_user(request, pk)
    job = selectors.get_import_job_for_declaration(declaration, job_pk)
    if job.mode != ImportJob.Mode.REPLACE or job.state != ImportJob.State.DONE:
        raise Http404
    page_obj = Paginator(selectors.replaced_lines(job), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/import_replaced_lines.html",
        {
            "declaration": declaration,
            "job": job,
            "page_obj": page_obj,
            "summary": selectors.replaced_lines_summary(job),
        },
    )


@require_POST
def import_map(request, pk, job_pk):
    """The buyer's words mapped to portal domains: remembered, and the file checked again."""
    declaration = selectors.get_declaration_for_user(request, pk)
    job = selectors.get_import_job_for_declaration(declaration, job_pk)
    form = ImportMappingForm(
        request.POST, unmapped=job.unmapped, domains=campaign_domains(declaration)
    )
    if form.is_valid():
        try:
            services.map_import_domains(job=job, choices=form.choices(), by=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        return redirect("procurement:import_detail", pk=declaration.pk, job_pk=job.pk)
    return render(
        request,
        "procurement/import_detail.html",
        _import_context(request, declaration, job, mapping_form=form),
        status=400,
    )


@require_GET
def import_errors_csv(request, pk, job_pk):
    """Every stored error as a CSV to fix the file in the ERP: line, column, value, message."""
    declaration = selectors.get_declaration_for_user(request, pk)
    job = selectors.get_import_job_for_declaration(declaration, job_pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="erreurs-import-{job.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Ligne"), _("Colonne"), _("Valeur"), _("Erreur")])
    for row in import_messages.error_rows(job.errors):
        writer.writerow([row["line"] or "", row["column"], csv_cell(row["value"]), row["message"]])
    return response


@large_account_required
def domain_mappings(request):
    """The account's own domain words, as remembered from import previews: change or remove."""
    organisation = request.organisation
    form = DomainMappingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_domain_mapping(
                organisation=organisation,
                source_text=form.cleaned_data["source_text"],
                domain=form.cleaned_data["domain"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("source_text", error)
        else:
            messages.success(request, _("Correspondance enregistrée."))
            return redirect("procurement:domain_mappings")
    return render(
        request,
        "procurement/domain_mappings.html",
        {
            "organisation": organisation,
            "mappings": selectors.domain_mappings(organisation),
            "domains": Domain.objects.filter(is_active=True).order_by("position", "name"),
            "form": form,
        },
        status=400 if form.errors else 200,
    )
