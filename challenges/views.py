"""Pages of the open-innovation challenges (/defis/) and their staff review (/pilotage/defis/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import large_account_required, programme_staff_required
from accounts.models import Organisation
from accounts.selectors import SESSION_KEY

from . import selectors, services
from .forms import AnswerForm, ChallengeForm, ResearchRegistrationForm, SendBackForm
from .models import Answer, Challenge

PER_PAGE = 20


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def challenge_list(request):
    organisation = request.organisation or None
    page = _page(request, selectors.list_for(request))
    return render(
        request,
        "challenges/list.html",
        {
            "page": page,
            "is_buyer": bool(organisation and organisation.is_large_account),
            "can_answer": services.can_answer(organisation),
            "respondent": bool(organisation and (organisation.is_sme or organisation.is_research)),
        },
    )


@large_account_required
def challenge_create(request):
    return _edit(request, None)


@large_account_required
def challenge_edit(request, pk):
    challenge = selectors.get_challenge_for_user(request, pk)
    if challenge.state != Challenge.State.DRAFT:
        raise Http404
    return _edit(request, challenge)


def _edit(request, challenge):
    form = ChallengeForm(request.POST or None, instance=challenge)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.save_challenge(
                challenge=challenge,
                buyer=request.organisation,
                by=request.user,
                data=form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Le brouillon du défi est enregistré."))
            return redirect("challenges:detail", challenge.pk)
    return render(request, "challenges/form.html", {"form": form, "challenge": challenge})


def challenge_detail(request, pk):
    challenge = selectors.get_challenge_for_user(request, pk)
    is_buyer = selectors.is_buyer(request, challenge)
    own = selectors.own_answer(request, challenge)
    answers = None
    if is_buyer or request.user.is_programme_staff:
        answers = selectors.answers_of_challenge(challenge)
    return render(
        request,
        "challenges/detail.html",
        {
            "challenge": challenge,
            "domains": challenge.domains.all(),
            "is_buyer": is_buyer,
            "own_answer": own,
            "answers": answers,
            "show_confidential": selectors.shows_confidential(request, challenge, own),
            "can_answer": own is None
            and challenge.is_open
            and services.can_answer(request.organisation or None),
        },
    )


def _act(request, action, *args, **kwargs):
    try:
        return action(*args, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None


@large_account_required
@require_POST
def challenge_submit(request, pk):
    challenge = selectors.get_challenge_for_user(request, pk)
    if _act(request, services.submit_challenge, challenge=challenge, by=request.user):
        messages.success(request, _("Le défi est envoyé à l'équipe du programme pour relecture."))
    return redirect("challenges:detail", challenge.pk)


@large_account_required
@require_POST
def challenge_close(request, pk):
    challenge = selectors.get_challenge_for_user(request, pk)
    if _act(request, services.close_challenge, challenge=challenge, by=request.user):
        messages.success(request, _("Le défi est clos : il ne reçoit plus de réponses."))
    return redirect("challenges:detail", challenge.pk)


def answer_create(request, pk):
    challenge = selectors.get_challenge_for_user(request, pk)
    organisation = request.organisation or None
    if not services.can_answer(organisation):
        raise PermissionDenied
    form = AnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_answer(
                challenge=challenge,
                organisation=organisation,
                by=request.user,
                text=form.cleaned_data["text"],
                upload=form.cleaned_data["document"],
            )
        except ValidationError as error:
            field = "document" if error.code in ("empty", "too_large", "not_pdf") else None
            if field and not form.cleaned_data["document"]:
                field = None
            form.add_error(field, error)
        else:
            messages.success(request, _("Votre réponse est envoyée au grand compte."))
            return redirect("challenges:detail", challenge.pk)
    return render(request, "challenges/answer_form.html", {"form": form, "challenge": challenge})


DECISIONS = {
    "retenir": Answer.State.SHORTLISTED,
    "decliner": Answer.State.DECLINED,
    "attribuer": Answer.State.AWARDED,
}


@large_account_required
@require_POST
def answer_decide(request, pk, decision):
    answer = selectors.get_answer_for_user(request, pk)
    if decision not in DECISIONS:
        raise Http404
    if _act(
        request, services.decide_answer, answer=answer, by=request.user, state=DECISIONS[decision]
    ):
        messages.success(
            request, _("La réponse de %(who)s est mise à jour.") % {"who": answer.organisation.name}
        )
    return redirect("challenges:detail", answer.challenge_id)


def answer_document(request, pk):
    answer = selectors.get_answer_for_user(request, pk)
    if not answer.document:
        raise Http404
    return FileResponse(
        answer.document.open("rb"),
        as_attachment=True,
        filename=answer.document_name or "reponse.pdf",
        content_type="application/pdf",
    )


def my_answers(request):
    organisation = request.organisation or None
    if organisation is None or not (organisation.is_sme or organisation.is_research):
        raise PermissionDenied
    answers = (
        selectors.answers_for(request)
        .select_related("challenge", "challenge__buyer")
        .order_by("-created_at", "-pk")
    )
    return render(request, "challenges/my_answers.html", {"page": _page(request, answers)})


@login_not_required
def awarded_list(request):
    page = _page(request, selectors.publicly_awarded())
    names = selectors.laureate_names([c.pk for c in page.object_list])
    for challenge in page.object_list:
        challenge.laureate_list = names.get(challenge.pk, [])
    return render(request, "challenges/awarded.html", {"page": page})


def research_register(request):
    form = ResearchRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.register_research(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("siren" if error.code == "siren_taken" else None, error)
        else:
            request.session[SESSION_KEY] = organisation.pk
            messages.success(
                request,
                _(
                    "Votre organisme est inscrit. L'équipe du programme le vérifie : vous pourrez "
                    "ensuite répondre aux défis."
                ),
            )
            return redirect("challenges:list")
    return render(request, "challenges/research_register.html", {"form": form})


# --- programme staff ---------------------------------------------------------------------------


@programme_staff_required
def staff_list(request):
    return render(
        request,
        "challenges/staff_list.html",
        {
            "queue": selectors.review_queue(),
            "page": _page(request, selectors.list_for(request)),
            "research": selectors.research_to_verify(),
        },
    )


@programme_staff_required
def staff_review(request, pk):
    challenge = selectors.get_challenge_for_user(request, pk)
    form = SendBackForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("decision") == "approve":
            if _act(request, services.approve_challenge, challenge=challenge, by=request.user):
                messages.success(request, _("Le défi est publié."))
                return redirect("challenges:staff_list")
        elif form.is_valid():
            try:
                services.send_back_challenge(
                    challenge=challenge, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Le défi est renvoyé au grand compte."))
                return redirect("challenges:staff_list")
    return render(
        request,
        "challenges/staff_review.html",
        {"challenge": challenge, "domains": challenge.domains.all(), "form": form},
    )


@programme_staff_required
def staff_research(request):
    return render(
        request, "challenges/staff_research.html", {"research": selectors.research_to_verify()}
    )


@programme_staff_required
@require_POST
def staff_research_verify(request, pk):
    try:
        organisation = Organisation.objects.get(
            pk=int(pk), kind=Organisation.Kind.RESEARCH, verified_at__isnull=True
        )
    except (Organisation.DoesNotExist, ValueError):
        raise Http404 from None
    if _act(request, services.verify_research, organisation=organisation, by=request.user):
        messages.success(request, _("%(name)s est vérifié.") % {"name": organisation.name})
    return redirect("challenges:staff_research")
