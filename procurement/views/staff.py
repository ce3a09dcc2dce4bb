"""Programme staff: campaigns, their dashboard, export and reminders."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import programme_staff_required

from .. import disputes, selectors, services
from ..forms import (
    CampaignAccountFilter,
    CampaignForm,
)
from .common import _csv_response, _error_text, _fr_decimal


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
            "disputes": disputes.time_to_resolve(campaign),
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
                org.excess_justification or "",
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
            "Justification (achats PME > achats informatiques)",
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
