"""Pages of the business meetings: the public list, an event for its participants (apply,
register buyers, request and answer meetings, agenda), a meeting, and the organisers' pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from editions.decorators import edition_staff_required

from . import ics, selectors, services
from .forms import (
    ApplicationForm,
    BuyerForm,
    DecisionForm,
    EventForm,
    NextStepForm,
    RequestForm,
    SessionForm,
    SlotForm,
    StateForm,
)
from .models import Event, Meeting, NextStep, Participant


def _organisation(request):
    membership = request.membership or None
    return membership.organisation if membership else None


def _participant_event(request, pk) -> tuple[Event, object]:
    """A launched event, for a member of an SME or a large account."""
    organisation = _organisation(request)
    if organisation is None or not (organisation.is_sme or organisation.is_large_account):
        raise PermissionDenied
    return selectors.get_public_event(pk), organisation


def _errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- public and participants -------------------------------------------------------------------


@login_not_required
def index(request):
    page = Paginator(selectors.upcoming_events(), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/index.html",
        {
            "page": page,
            "organiser": request.user.is_authenticated and selectors.is_organiser(request),
        },
    )


def event(request, pk):
    event, organisation = _participant_event(request, pk)
    mine = list(selectors.my_participants(event, organisation))
    validated = any(p.is_validated for p in mine)
    meetings = list(selectors.meetings_of(organisation).filter(event=event).order_by("pk"))
    can_book = event.state == Event.State.BOOKING and validated
    others = selectors.counterparts(event, organisation) if can_book else None
    asked = {(m.sme_id, m.buyer_id) for m in meetings if m.state != Meeting.State.DECLINED}
    page = Paginator(others, 30).get_page(request.GET.get("page")) if others is not None else None
    return render(
        request,
        "meetings/event.html",
        {
            "event": event,
            "organisation": organisation,
            "domains": list(event.domains.all()),
            "mine": mine,
            "meetings": meetings,
            "page": page,
            "asked_ids": {sme if organisation.is_large_account else buyer for sme, buyer in asked},
            "can_register": event.state in (Event.State.REGISTRATION, Event.State.BOOKING),
            "has_application": bool(mine) and organisation.is_sme,
        },
    )


def apply(request, pk):
    event, organisation = _participant_event(request, pk)
    if not organisation.is_sme:
        raise PermissionDenied
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.apply(
                event=event,
                organisation=organisation,
                by=request.user,
                pitch=form.cleaned_data["pitch"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Votre candidature est envoyée aux organisateurs."))
            return redirect("meetings:event", event.pk)
    return render(
        request,
        "meetings/form.html",
        {
            "event": event,
            "form": form,
            "title": _("Candidater"),
            "submit": _("Envoyer ma candidature"),
        },
    )


def register_buyer(request, pk):
    event, organisation = _participant_event(request, pk)
    if not organisation.is_large_account:
        raise PermissionDenied
    form = BuyerForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_buyer(
                event=event,
                organisation=organisation,
                user=form.cleaned_data["user"],
                needs=form.cleaned_data["needs"],
                by=request.user,
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("L'acheteur est inscrit."))
            return redirect("meetings:event", event.pk)
    return render(
        request,
        "meetings/form.html",
        {"event": event, "form": form, "title": _("Inscrire un acheteur"), "submit": _("Inscrire")},
    )


def request_meeting(request, pk, participant_pk):
    event, organisation = _participant_event(request, pk)
    other = selectors.get_counterpart(event, organisation, participant_pk)
    mine = selectors.my_participants(event, organisation).filter(state=Participant.State.VALIDATED)
    buyers = mine if organisation.is_large_account else None
    if organisation.is_sme and not mine.exists():
        raise Http404
    form = RequestForm(request.POST or None, buyers=buyers)
    if request.method == "POST" and form.is_valid():
        if organisation.is_sme:
            sme, buyer, side = mine.get(), other, Participant.Side.SME
        else:
            sme, buyer, side = other, form.cleaned_data["buyer"], Participant.Side.BUYER
        try:
            meeting = services.request_meeting(
                event=event,
                sme=sme,
                buyer=buyer,
                side=side,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Votre demande de rendez-vous est envoyée."))
            return redirect("meetings:meeting", meeting.pk)
    return render(
        request,
        "meetings/request.html",
        {"event": event, "form": form, "other": other},
    )


def meeting(request, pk):
    meeting = selectors.get_meeting_for_member(request, pk)
    organisation = _organisation(request)
    side = selectors.side_of(meeting, organisation)
    booking_open = meeting.event.state == Event.State.BOOKING
    may_answer = (
        meeting.state == Meeting.State.REQUESTED
        and side != meeting.requested_by_side
        and booking_open
    )
    may_place = meeting.state == Meeting.State.ACCEPTED and not meeting.is_placed and booking_open
    slots = selectors.free_slots(meeting) if (may_answer or may_place) else None
    slot_form = SlotForm(slots=slots, required=may_place) if slots is not None else None
    step_form = NextStepForm(prefix="step") if meeting.state == Meeting.State.HELD else None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("accept", "decline") and may_answer:
                slot_form = SlotForm(request.POST, slots=slots)
                if action == "decline" or slot_form.is_valid():
                    services.answer_request(
                        meeting=meeting,
                        side=side,
                        accept=action == "accept",
                        by=request.user,
                        slot=slot_form.cleaned_data.get("slot") if action == "accept" else None,
                    )
                    return redirect("meetings:meeting", meeting.pk)
            elif action == "place" and may_place:
                slot_form = SlotForm(request.POST, slots=slots, required=True)
                if slot_form.is_valid():
                    services.place(meeting=meeting, slot=slot_form.cleaned_data["slot"])
                    return redirect("meetings:meeting", meeting.pk)
            elif action == "step" and step_form is not None:
                step_form = NextStepForm(request.POST, prefix="step")
                if step_form.is_valid():
                    services.record_next_step(
                        meeting=meeting,
                        side=side,
                        step=step_form.cleaned_data["step"],
                        by=request.user,
                    )
                    messages.success(request, _("La suite du rendez-vous est enregistrée."))
                    return redirect("meetings:meeting", meeting.pk)
            else:
                raise PermissionDenied
        except ValidationError as error:
            target = slot_form if slot_form is not None else step_form
            if target is None:
                messages.error(request, " ".join(error.messages))
                return redirect("meetings:meeting", meeting.pk)
            _errors(target, error)
    my_step = meeting.sme_next_step if side == Participant.Side.SME else meeting.buyer_next_step
    return render(
        request,
        "meetings/meeting.html",
        {
            "meeting": meeting,
            "side": side,
            "other": meeting.buyer if side == Participant.Side.SME else meeting.sme,
            "may_answer": may_answer,
            "may_place": may_place,
            "slot_form": slot_form,
            "step_form": step_form,
            "my_step": NextStep(my_step).label if my_step else "",
        },
    )


def _ics_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def meeting_ics(request, pk):
    meeting = selectors.get_meeting_for_member(request, pk)
    if not meeting.is_placed:
        raise Http404
    return _ics_response(
        ics.calendar([selectors.calendar_event(meeting, _organisation(request))]),
        f"rendez-vous-{meeting.pk}.ics",
    )


def agenda(request, pk):
    event, organisation = _participant_event(request, pk)
    meetings = list(selectors.agenda(event, organisation))
    for item in meetings:
        side = selectors.side_of(item, organisation)
        item.other = item.buyer if side == Participant.Side.SME else item.sme
        item.mine = item.sme if side == Participant.Side.SME else item.buyer
    return render(request, "meetings/agenda.html", {"event": event, "meetings": meetings})


def agenda_ics(request, pk):
    event, organisation = _participant_event(request, pk)
    meetings = selectors.agenda(event, organisation)
    return _ics_response(
        ics.calendar([selectors.calendar_event(m, organisation) for m in meetings]),
        f"agenda-{event.pk}.ics",
    )


# --- organisers --------------------------------------------------------------------------------


@edition_staff_required
def organiser_list(request):
    events = selectors.organiser_events(request).select_related("edition").order_by("-date", "pk")
    page = Paginator(events, 30).get_page(request.GET.get("page"))
    return render(request, "meetings/organiser_list.html", {"page": page})


@edition_staff_required
def organiser_create(request):
    form = EventForm(request.POST or None, editions=selectors.editions_scope(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        domains = data.pop("domains")
        try:
            event = services.create_event(by=request.user, domains=domains, **data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("La rencontre est créée. Ajoutez ses sessions."))
            return redirect("meetings:organiser_event", event.pk)
    return render(
        request,
        "meetings/organiser_form.html",
        {"form": form, "title": _("Nouvelle rencontre"), "submit": _("Créer la rencontre")},
    )


@edition_staff_required
def organiser_edit(request, pk):
    event = selectors.get_event_for_organiser(request, pk)
    form = EventForm(
        request.POST or None, instance=event, editions=selectors.editions_scope(request)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        domains = data.pop("domains")
        try:
            services.update_event(event=event, by=request.user, domains=domains, **data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("La rencontre est modifiée."))
            return redirect("meetings:organiser_event", event.pk)
    return render(
        request,
        "meetings/organiser_form.html",
        {
            "form": form,
            "event": event,
            "title": _("Modifier la rencontre"),
            "submit": _("Enregistrer"),
        },
    )


def _organiser_page(request, event, *, session_form=None, state_form=None, unplaced=None):
    participants = list(selectors.applications(event))
    return render(
        request,
        "meetings/organiser_event.html",
        {
            "event": event,
            "sessions": list(event.sessions.all()),
            "session_form": session_form or SessionForm(),
            "state_form": state_form or StateForm(initial={"state": _next_state(event)}),
            "next_state": _next_state(event),
            "smes": [p for p in participants if p.side == Participant.Side.SME],
            "buyers": [p for p in participants if p.side == Participant.Side.BUYER],
            "meetings": list(selectors.organiser_meetings(event)),
            "unplaced": unplaced,
            "decision_form": DecisionForm(),
            "attendance_open": event.reached(Event.State.DAY),
        },
    )


def _next_state(event: Event) -> str | None:
    index = Event.ORDER.index(event.state)
    return Event.ORDER[index + 1] if index + 1 < len(Event.ORDER) else None


@edition_staff_required
def organiser_event(request, pk):
    event = selectors.get_event_for_organiser(request, pk)
    return _organiser_page(request, event)


@edition_staff_required
@require_POST
def organiser_session(request, pk):
    event = selectors.get_event_for_organiser(request, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        starts_at, ends_at = form.moments(event.date)
        try:
            services.add_session(
                event=event,
                starts_at=starts_at,
                ends_at=ends_at,
                slot_minutes=form.cleaned_data["slot_minutes"],
                tables=form.cleaned_data["tables"],
                by=request.user,
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("La session est ajoutée."))
            return redirect("meetings:organiser_event", event.pk)
    return _organiser_page(request, event, session_form=form)


@edition_staff_required
@require_POST
def organiser_state(request, pk):
    event = selectors.get_event_for_organiser(request, pk)
    form = StateForm(request.POST)
    if form.is_valid():
        try:
            services.set_state(event=event, state=form.cleaned_data["state"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("L'étape de la rencontre est changée."))
    return redirect("meetings:organiser_event", event.pk)


@edition_staff_required
@require_POST
def organiser_schedule(request, pk):
    event = selectors.get_event_for_organiser(request, pk)
    placed, unplaced = services.schedule_event(event=event, by=request.user)
    messages.success(
        request,
        _("%(placed)s rendez-vous placé(s), %(left)s sans créneau.")
        % {"placed": placed, "left": len(unplaced)},
    )
    return _organiser_page(request, event, unplaced=unplaced)


@edition_staff_required
def organiser_tables(request, pk):
    event = selectors.get_event_for_organiser(request, pk)
    return render(
        request,
        "meetings/organiser_tables.html",
        {"event": event, "schedule": selectors.table_schedule(event)},
    )


@edition_staff_required
@require_POST
def organiser_decide(request, pk):
    try:
        participant = Participant.objects.select_related("event").get(
            pk=int(pk), event__in=selectors.organiser_events(request)
        )
    except Participant.DoesNotExist:
        raise Http404 from None
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_application(
                participant=participant,
                validate=form.cleaned_data["decision"] == "validate",
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("La décision est enregistrée et la PME prévenue."))
    return redirect("meetings:organiser_event", participant.event_id)


@edition_staff_required
@require_POST
def organiser_attendance(request, pk):
    try:
        meeting = Meeting.objects.get(pk=int(pk), event__in=selectors.organiser_events(request))
    except Meeting.DoesNotExist:
        raise Http404 from None
    held = request.POST.get("held") == "1"
    try:
        services.mark_attendance(meeting=meeting, held=held, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{_organiser_url(meeting.event_id)}#rendez-vous")


def _organiser_url(pk: int) -> str:
    return reverse("meetings:organiser_event", args=[pk])
