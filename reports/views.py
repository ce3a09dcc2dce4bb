"""Report pages: the public list, the staff generation page, a large account's own reports.

The staff pages serve programme staff (the national report, members' reports, any edition's
report with `?edition=<slug>`) and federators (their editions' reports only, at
`/pilotage/rapports/editions/<slug>/`): `editions.selectors` decides who runs which edition."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import large_account_required
from directory.maps import region_map_svg
from editions import selectors as edition_selectors

from . import selectors, services
from .figures import territory_regions
from .forms import CampaignChoiceForm, GenerateForm, UnpublishForm
from .logos import LOGO_MAX_BYTES, logo_content_type
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


# --- public edition pages ---------------------------------------------------------------------

EDITIONS_PER_PAGE = 20


@login_not_required
@require_GET
def public_editions(request):
    page = Paginator(selectors.public_editions(), EDITIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "reports/public_editions.html", {"page_obj": page})


@login_not_required
@require_GET
def public_edition(request, slug: str):
    edition = edition_selectors.get_public_edition(slug)
    counts = selectors.edition_sme_counts(edition)
    return render(
        request,
        "reports/public_edition.html",
        {
            "edition": edition,
            "key_figures": selectors.edition_key_figures(edition),
            "map_svg": region_map_svg(
                counts,
                title=_("PME de l'édition publiées dans l'annuaire, par région"),
                selected=frozenset(territory_regions(edition)),
            ),
            "sme_total": sum(counts.values()),
            "named_accounts": selectors.named_accounts(edition),
            "versions": selectors.published_edition_versions(edition),
        },
    )


@login_not_required
@require_GET
def edition_logo(request, slug: str):
    """The logo of a public edition, from private storage, with the content type of what the
    file is (PNG, JPEG or SVG, read from its first bytes, not from its name). An SVG gets a
    Content-Security-Policy that forbids any script or external resource."""
    edition = edition_selectors.get_public_edition(slug)
    if not edition.logo:
        raise Http404
    try:
        with edition.logo.open("rb") as handle:
            data = handle.read(LOGO_MAX_BYTES + 1)
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    content_type = logo_content_type(data)
    if content_type is None or len(data) > LOGO_MAX_BYTES:
        raise Http404
    response = HttpResponse(data, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "public, max-age=3600"
    if content_type == "image/svg+xml":
        response["Content-Security-Policy"] = "default-src 'none'"
    return response


# --- programme staff and federators ----------------------------------------------------------


def report_staff_required(view):
    """Programme staff, or a federator running at least one edition (acting for it)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated or not edition_selectors.runs_any_edition(request):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _edition_from(request, slug=None):
    """The edition the page is about (404 if the person does not run it), or None for the
    national reports, which only programme staff see (a federator is sent to its edition)."""
    slug = slug or request.GET.get("edition") or request.POST.get("edition")
    if slug:
        return edition_selectors.get_edition_for_staff(request, slug)
    if edition_selectors.staff_editions(request) is not None:
        raise Http404  # a federator has no national reports
    return None


def _campaign_from(request):
    choices = selectors.campaigns()
    form = CampaignChoiceForm(request.GET or None)
    if request.GET.get("annee") and form.is_valid():
        return form.cleaned_data["annee"], choices
    return selectors.default_campaign(choices), choices


def _panel_context(campaign, edition=None) -> dict:
    if campaign is None:
        return {"campaign": None, "jobs": [], "active": False, "edition": edition}
    counts = selectors.job_counts(campaign, edition=edition)
    return {
        "campaign": campaign,
        "edition": edition,
        "jobs": selectors.staff_jobs(campaign, edition=edition),
        "counts": counts,
        "active": counts["active"] > 0,
        "programme_versions": selectors.programme_versions(campaign, edition=edition),
        "member_versions": [] if edition else selectors.member_versions(campaign),
    }


def _back_to(campaign, edition=None) -> str:
    if edition is not None:
        url = reverse("reports:staff_edition_reports", args=[edition.slug])
    else:
        url = reverse("reports:staff_reports")
    return f"{url}?annee={campaign.year}" if campaign else url


@report_staff_required
@require_GET
def staff_reports(request, slug=None):
    scope = edition_selectors.staff_editions(request)
    if slug is None and not request.GET.get("edition") and scope is not None:
        # A federator: the reports of its (first) edition.
        return redirect("reports:staff_edition_reports", slug=scope.order_by("name")[0].slug)
    edition = _edition_from(request, slug)
    campaign, choices = _campaign_from(request)
    context = _panel_context(campaign, edition)
    context.update(
        choices=choices,
        form=CampaignChoiceForm(initial={"annee": campaign.year if campaign else None}),
        editions=selectors.staff_edition_choices(request),
        is_programme_staff=scope is None,
        accounts_count=(
            services.member_report_accounts(campaign, edition=edition).count() if campaign else 0
        ),
    )
    return render(request, "reports/staff_reports.html", context)


@report_staff_required
@require_GET
def staff_panel(request):
    """The jobs and versions panel, polled by htmx while a generation runs."""
    edition = _edition_from(request)
    campaign, _choices = _campaign_from(request)
    return render(request, "reports/_staff_panel.html", _panel_context(campaign, edition))


@report_staff_required
@require_POST
def staff_generate(request):
    edition = _edition_from(request)
    form = GenerateForm(request.POST)
    if not form.is_valid() or (edition is not None and form.cleaned_data["kind"] != "programme"):
        messages.error(request, _("Choisissez une campagne et un type de rapport."))
        return redirect(_back_to(None, edition))
    campaign = form.cleaned_data["annee"]
    if edition is not None:
        services.request_programme_report(campaign=campaign, by=request.user, edition=edition)
        messages.success(
            request,
            _("La génération du rapport de l'édition %(edition)s a commencé.")
            % {"edition": edition.name},
        )
    elif form.cleaned_data["kind"] == "programme":
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
    return redirect(_back_to(campaign, edition))


@report_staff_required
@require_POST
def staff_retry(request, pk: int):
    job = selectors.get_job_for_staff(pk, request=request)
    try:
        services.retry_job(job=job, by=request.user)
        messages.success(request, _("Nouvelle tentative lancée."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_back_to(job.campaign, job.edition))


@report_staff_required
@require_GET
def staff_download(request, pk: int, fmt: str):
    version = selectors.get_version_for_staff(pk, request=request)
    return _file_response(version, fmt, inline=request.GET.get("apercu") == "1")


@report_staff_required
@require_http_methods(["GET", "POST"])
def staff_publish(request, pk: int):
    """GET: what publishing means (public at once, replaces the version shown); POST: publish."""
    version = selectors.get_version_for_staff(pk, request=request)
    if request.method == "GET":
        replaced = selectors.version_replaced_by(version)
        return render(
            request,
            "reports/staff_publish.html",
            {
                "version": version,
                "replaced": replaced,
                "back": _back_to(version.campaign, version.edition),
            },
        )
    try:
        services.publish_version(version=version, by=request.user)
        if version.edition_id:
            text = _("La version %(number)s est publiée sur la page publique de l'édition.")
        else:
            text = _("La version %(number)s est publiée sur la page publique des rapports.")
        messages.success(request, text % {"number": version.number})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_back_to(version.campaign, version.edition))


@report_staff_required
@require_http_methods(["GET", "POST"])
def staff_unpublish(request, pk: int):
    version = selectors.get_version_for_staff(pk, request=request)
    back = _back_to(version.campaign, version.edition)
    if not version.is_published:
        messages.error(request, _("Cette version n'est pas publiée."))
        return redirect(back)
    form = UnpublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.unpublish_version(
            version=version, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request, _("La version %(number)s est dépubliée.") % {"number": version.number}
        )
        return redirect(back)
    return render(
        request, "reports/staff_unpublish.html", {"version": version, "form": form, "back": back}
    )


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
