"""Programme staff: campaigns, their dashboard, export and reminders. The list, the dashboard,
its export and the reminders are also open to federators running an edition, scoped to their
editions' member large accounts (`?edition=<slug>`, an optional filter for programme staff)."""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import programme_staff_required
from editions import selectors as edition_selectors
from editions.decorators import edition_staff_required
from editions.models import Edition
from spreadsheets import Column, add_table, workbook_bytes, write_only_workbook

from .. import disputes, selectors, services
from ..forms import (
    CampaignAccountFilter,
    CampaignForm,
)
from .common import _csv_response, _error_text, _fr_decimal


@dataclass
class EditionScope:
    """The edition a staff page is narrowed to (None: every account, programme staff only), the
    editions to choose from, and whether a federator running several must choose first."""

    edition: Edition | None
    editions: list
    programme_staff: bool

    @property
    def slug(self) -> str:
        return self.edition.slug if self.edition is not None else ""

    @property
    def must_choose(self) -> bool:
        return not self.programme_staff and self.edition is None

    @property
    def account_ids(self):
        return edition_selectors.account_ids(self.edition) if self.edition else None

    def query(self) -> str:
        return urlencode({"edition": self.edition.slug}) if self.edition else ""


def _edition_scope(request) -> EditionScope:
    """?edition=<slug> (or the form's field): optional for programme staff; for a federator, one
    of the editions it runs (404 on another), its only one by default."""
    slug = request.POST.get("edition") or request.GET.get("edition") or ""
    scope = edition_selectors.staff_editions(request)
    edition = edition_selectors.get_edition_for_staff(request, slug) if slug else None
    if scope is None:
        return EditionScope(edition, list(Edition.objects.order_by("name")), True)
    editions = list(scope.order_by("name"))
    if edition is None and len(editions) == 1:
        edition = editions[0]
    return EditionScope(edition, editions, False)


def _choose_edition(request, scope: EditionScope, campaign=None):
    """A federator running several editions picks the one to look at."""
    return render(
        request, "procurement/edition_choice.html", {"scope": scope, "campaign": campaign}
    )


@edition_staff_required
def staff_campaigns(request):
    scope = _edition_scope(request)
    if scope.must_choose:
        return _choose_edition(request, scope)
    return render(
        request,
        "procurement/staff_campaigns.html",
        {
            "campaigns": selectors.campaigns_with_counts(
                scope.edition, include_preparing=scope.programme_staff
            ),
            "scope": scope,
        },
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


def _campaign_filter(request, campaign, edition=None):
    return CampaignAccountFilter(
        request.GET or None, queryset=selectors.campaign_accounts(campaign, edition)
    )


def _dashboard_url(campaign, scope: EditionScope) -> str:
    url = reverse("procurement:campaign_dashboard", args=[campaign.pk])
    return f"{url}?{scope.query()}" if scope.edition else url


@edition_staff_required
def campaign_dashboard(request, pk):
    campaign = selectors.get_campaign_for_edition_staff(request, pk)
    scope = _edition_scope(request)
    if scope.must_choose:
        return _choose_edition(request, scope, campaign)
    filterset = _campaign_filter(request, campaign, scope.edition)
    accounts = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page_obj = Paginator(accounts, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    if scope.edition and not query.get("edition"):
        query["edition"] = scope.edition.slug  # a federator's only edition, chosen by default
    return render(
        request,
        "procurement/campaign_dashboard.html",
        {
            "campaign": campaign,
            "scope": scope,
            "filter": filterset,
            "page_obj": page_obj,
            "summary": selectors.campaign_summary(campaign, scope.edition),
            "querystring": query.urlencode(),
            "to_remind": services.accounts_to_remind(campaign, scope.edition).count(),
            "disputes": disputes.time_to_resolve(campaign, scope.account_ids),
        },
    )


STATE_LABELS = {
    "not_started": "Non commencée",
    "draft": "Brouillon",
    "submitted": "Soumise",
    "reopened": "Rouverte",
}


CAMPAIGN_EXPORT_COLUMNS = [
    Column("Grand compte", width=34),
    Column("SIREN", width=11),
    Column("État", width=14),
    Column("Dernière activité", "datetime"),
    Column("Achats informatiques (€ HT)", "money", width=18),
    Column("Achats PME (€ HT)", "money", width=18),
    Column("Part PME (%)", "percent"),
    Column("Lignes", "integer"),
    Column("Lignes contestées", "integer"),
    Column("Taux de contestation (%)", "percent"),
    Column("Justification (achats PME > achats informatiques)", width=50),
]


@require_GET
@edition_staff_required
def campaign_export(request, pk, fmt="csv"):
    """The dashboard's selection as CSV (French numbers as text) or XLSX (typed cells): the
    edition's member accounts only when an edition is chosen (always, for a federator)."""
    campaign = selectors.get_campaign_for_edition_staff(request, pk)
    scope = _edition_scope(request)
    if scope.must_choose:
        return redirect("procurement:campaign_dashboard", pk=campaign.pk)
    filterset = _campaign_filter(request, campaign, scope.edition)
    accounts = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    as_text = fmt == "csv"

    def rows():
        for org in accounts.iterator(chunk_size=500):
            share = (org.sme_total or Decimal(0)) * 100 / org.it_total if org.it_total else None
            rate = org.disputed_count * 100 / org.line_count if org.line_count else None
            activity = timezone.localtime(org.last_activity) if org.last_activity else None
            if as_text:
                activity = activity.strftime("%d/%m/%Y %H:%M") if activity else ""
                numbers = [
                    _fr_decimal(org.it_total),
                    _fr_decimal(org.sme_total),
                    _fr_decimal(share),
                ]
            else:
                numbers = [org.it_total, org.sme_total, share]
            yield [
                org.name,
                org.siren,
                STATE_LABELS.get(org.declaration_state, org.declaration_state),
                activity,
                *numbers,
                org.line_count,
                org.disputed_count,
                _fr_decimal(rate) if as_text else rate,
                org.excess_justification or "",
            ]

    name = f"campagne-{campaign.year}-declarations"
    if scope.edition:
        name += f"-{scope.edition.slug}"
    if as_text:
        return _csv_response(
            f"{name}.csv", [column.title for column in CAMPAIGN_EXPORT_COLUMNS], rows()
        )
    workbook = write_only_workbook()
    add_table(workbook, f"Campagne {campaign.year}", CAMPAIGN_EXPORT_COLUMNS, rows())
    response = HttpResponse(
        workbook_bytes(workbook),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@require_POST
@edition_staff_required
def campaign_remind(request, pk):
    """Remind the late accounts (an edition's members only, when one is chosen: always for a
    federator), at most once a day per account."""
    campaign = selectors.get_campaign_for_edition_staff(request, pk)
    scope = _edition_scope(request)
    if scope.must_choose:
        return redirect("procurement:campaign_dashboard", pk=campaign.pk)
    try:
        count = services.request_reminders(
            campaign=campaign, by=request.user, edition=scope.edition
        )
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
    return HttpResponseRedirect(_dashboard_url(campaign, scope))
