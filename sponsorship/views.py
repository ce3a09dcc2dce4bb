"""Pages of the skills sponsorship (/mecenat/) and its staff matching (/pilotage/mecenat/)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import large_account_required, programme_staff_required, sme_required

from . import selectors, services
from .forms import FeedbackForm, MissionProposalForm, NeedForm, OfferForm

PER_PAGE = 20


def _page(request, queryset, name="page"):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get(name))


def _act(request, action, **kwargs):
    try:
        return action(**kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None


def home(request):
    if request.user.is_programme_staff and request.organisation is None:
        return redirect("sponsorship:staff")
    organisation = request.organisation or None
    if organisation is None or organisation.is_research:
        raise PermissionDenied
    if organisation.is_federator:  # the missions of its editions' large accounts, read only
        return render(
            request,
            "sponsorship/federator.html",
            {"missions": selectors.mission_list(selectors.missions_for(request))},
        )
    if organisation.is_sme:
        items = selectors.needs_for(request).order_by("-created_at", "-pk")
    else:
        items = selectors.offers_for(request).order_by("-created_at", "-pk")
    return render(
        request,
        "sponsorship/home.html",
        {
            "is_sme": organisation.is_sme,
            "items": _page(request, items),
            "missions": selectors.mission_list(selectors.missions_for(request)),
        },
    )


@sme_required
def need_create(request):
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.create_need(sme=request.organisation, by=request.user, data=form.cleaned_data)
        messages.success(
            request, _("Votre besoin est publié : l'équipe du programme cherche un grand compte.")
        )
        return redirect("sponsorship:home")
    return render(request, "sponsorship/need_form.html", {"form": form})


@sme_required
@require_POST
def need_withdraw(request, pk):
    need = selectors.get_need_for_user(request, pk)
    if _act(request, services.withdraw_need, need=need, by=request.user):
        messages.success(request, _("Le besoin est retiré."))
    return redirect("sponsorship:home")


@large_account_required
def offer_create(request):
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.create_offer(account=request.organisation, by=request.user, data=form.cleaned_data)
        messages.success(request, _("Votre offre de jours est enregistrée."))
        return redirect("sponsorship:home")
    return render(request, "sponsorship/offer_form.html", {"form": form})


@large_account_required
@require_POST
def offer_withdraw(request, pk):
    offer = selectors.get_offer_for_user(request, pk)
    if _act(request, services.withdraw_offer, offer=offer, by=request.user):
        messages.success(request, _("L'offre est retirée."))
    return redirect("sponsorship:home")


def mission(request, pk):
    mission = selectors.get_mission_for_user(request, pk)
    organisation = request.organisation or None
    side = None
    if organisation is not None and organisation.pk == mission.account_id:
        side = "account"
    elif organisation is not None and organisation.pk == mission.sme_id:
        side = "sme"
    form = None
    if side and mission.state == mission.State.DONE:
        form = FeedbackForm(
            request.POST or None, initial={"text": getattr(mission, f"{side}_feedback")}
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.give_feedback(
                    mission=mission,
                    organisation=organisation,
                    by=request.user,
                    text=form.cleaned_data["text"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Merci pour votre retour."))
                return redirect("sponsorship:mission", mission.pk)
    return render(
        request,
        "sponsorship/mission.html",
        {
            "mission": mission,
            "side": side,
            "accepted": bool(side and getattr(mission, f"{side}_accepted_at")),
            "form": form,
        },
    )


ACTIONS = {
    "accepter": services.accept_mission,
    "demarrer": services.start_mission,
    "terminer": services.finish_mission,
    "annuler": services.cancel_mission,
}
STAFF_ACTIONS = ("demarrer", "terminer", "annuler")


@require_POST
def mission_action(request, pk, action):
    """One side of the mission acts (accept, start, finish, cancel)."""
    mission = selectors.get_mission_for_user(request, pk)
    organisation = request.organisation or None
    if action not in ACTIONS or organisation is None:
        raise Http404
    if _act(request, ACTIONS[action], mission=mission, organisation=organisation, by=request.user):
        messages.success(request, _("La mission est mise à jour."))
    return redirect("sponsorship:mission", mission.pk)


@programme_staff_required
@require_POST
def staff_mission_action(request, pk, action):
    """Programme staff move a mission for the parties (start, finish, cancel), audited; under
    /pilotage/ so that the second factor is required."""
    mission = selectors.get_mission_for_user(request, pk)
    if action not in STAFF_ACTIONS:
        raise Http404
    if _act(request, ACTIONS[action], mission=mission, organisation=None, by=request.user):
        messages.success(request, _("La mission est mise à jour."))
    return redirect("sponsorship:mission", mission.pk)


@programme_staff_required
def staff(request):
    needs = selectors.open_needs()
    offers = selectors.open_offers_with_room()
    form = MissionProposalForm(request.POST or None, needs=needs, offers=offers)
    if request.method == "POST" and form.is_valid():
        try:
            mission = services.propose_mission(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("days" if error.code == "days" else None, error)
        else:
            messages.success(request, _("La mission est proposée aux deux parties."))
            return redirect("sponsorship:mission", mission.pk)
    year = timezone.localdate().year
    return render(
        request,
        "sponsorship/staff.html",
        {
            "form": form,
            "needs": needs,
            "offers": offers,
            "missions": _page(request, selectors.mission_list(selectors.missions_for(request))),
            "year": year,
            "days_by_account": selectors.days_by_account(year),
        },
    )
