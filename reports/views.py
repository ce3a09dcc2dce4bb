"""Report pages: the public list, the staff generation page, a large account's own reports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import large_account_required, programme_staff_required

from . import selectors, services
from .forms import CampaignChoiceForm, GenerateForm, UnpublishForm
from .models import ReportVersion

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _file_response(version: ReportVersion, fmt: str, *, inline: bool = False) -> FileResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404
    field = version.pdf if fmt == "pdf" else version.xlsx
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    name = field.name.rsplit("/", 1)[-1]
    response = FileResponse(
        handle, content_type=CONTENT_TYPES[fmt], as_attachment=not inline, filename=name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- public -----------------------------------------------------------------------------------


@login_not_required
@require_GET
def public_list(request):
    return render(
        request, "reports/public_list.html", {"versions": selectors.published_programme_versions()}
    )


@login_not_required
@require_GET
def public_download(request, pk: int, fmt: str):
    return _file_response(selectors.get_public_version(pk), fmt)


# --- programme staff --------------------------------------------------------------------------


def _campaign_from(request):
    choices = selectors.campaigns()
    form = CampaignChoiceForm(request.GET or None)
    if request.GET.get("annee") and form.is_valid():
        return form.cleaned_data["annee"], choices
    return selectors.default_campaign(choices), choices


def _panel_context(campaign) -> dict:
    if campaign is None:
        return {"campaign": None, "jobs": [], "active": False}
    counts = selectors.job_counts(campaign)
    return {
        "campaign": campaign,
        "jobs": selectors.staff_jobs(campaign),
        "counts": counts,
        "active": counts["active"] > 0,
        "programme_versions": selectors.programme_versions(campaign),
        "member_versions": selectors.member_versions(campaign),
    }


def _back_to(campaign) -> str:
    url = reverse("reports:staff_reports")
    return f"{url}?annee={campaign.year}" if campaign else url


@programme_staff_required
@require_GET
def staff_reports(request):
    campaign, choices = _campaign_from(request)
    context = _panel_context(campaign)
    context.update(
        choices=choices,
        form=CampaignChoiceForm(initial={"annee": campaign.year if campaign else None}),
        accounts_count=services.member_report_accounts(campaign).count() if campaign else 0,
    )
    return render(request, "reports/staff_reports.html", context)


@programme_staff_required
@require_GET
def staff_panel(request):
    """The jobs and versions panel, polled by htmx while a generation runs."""
    campaign, _choices = _campaign_from(request)
    return render(request, "reports/_staff_panel.html", _panel_context(campaign))


@programme_staff_required
@require_POST
def staff_generate(request):
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez une campagne et un type de rapport."))
        return redirect("reports:staff_reports")
    campaign = form.cleaned_data["annee"]
    if form.cleaned_data["kind"] == "programme":
        services.request_programme_report(campaign=campaign, by=request.user)
        messages.success(request, _("La génération du rapport du programme a commencé."))
    else:
        jobs = services.request_member_reports(campaign=campaign, by=request.user)
        if jobs:
            messages.success(
                request,
                _("%(count)s rapports de membres sont en cours de génération.")
                % {"count": len(jobs)},
            )
        else:
            messages.warning(request, _("Aucun grand compte n'a soumis de déclaration."))
    return redirect(_back_to(campaign))


@programme_staff_required
@require_POST
def staff_retry(request, pk: int):
    job = selectors.get_job_for_staff(pk)
    try:
        services.retry_job(job=job, by=request.user)
        messages.success(request, _("Nouvelle tentative lancée."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_back_to(job.campaign))


@programme_staff_required
@require_GET
def staff_download(request, pk: int, fmt: str):
    version = selectors.get_version_for_staff(pk)
    return _file_response(version, fmt, inline=request.GET.get("apercu") == "1")


@programme_staff_required
@require_http_methods(["GET", "POST"])
def staff_publish(request, pk: int):
    """GET: what publishing means (public at once, replaces the version shown); POST: publish."""
    version = selectors.get_version_for_staff(pk)
    if request.method == "GET":
        replaced = selectors.version_replaced_by(version)
        return render(
            request, "reports/staff_publish.html", {"version": version, "replaced": replaced}
        )
    try:
        services.publish_version(version=version, by=request.user)
        messages.success(
            request,
            _("La version %(number)s est publiée sur la page publique des rapports.")
            % {"number": version.number},
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_back_to(version.campaign))


@programme_staff_required
@require_http_methods(["GET", "POST"])
def staff_unpublish(request, pk: int):
    version = selectors.get_version_for_staff(pk)
    if not version.is_published:
        messages.error(request, _("Cette version n'est pas publiée."))
        return redirect(_back_to(version.campaign))
    form = UnpublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.unpublish_version(
            version=version, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request, _("La version %(number)s est dépubliée.") % {"number": version.number}
        )
        return redirect(_back_to(version.campaign))
    return render(request, "reports/staff_unpublish.html", {"version": version, "form": form})


# --- a large account's own reports ------------------------------------------------------------


@large_account_required
@require_GET
def member_reports(request):
    return render(
        request,
        "reports/member_reports.html",
        {
            "organisation": request.organisation,
            "versions": selectors.organisation_versions(request.organisation),
            "published": selectors.published_programme_versions(),
        },
    )


@large_account_required
@require_GET
def member_download(request, pk: int, fmt: str):
    version = selectors.get_member_version_for_organisation(request.organisation, pk)
    return _file_response(version, fmt)
