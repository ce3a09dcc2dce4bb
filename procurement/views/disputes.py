"""Disputes: the account answers, the SME accepts or escalates, staff settle."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.decorators import large_account_required, programme_staff_required, sme_required

from .. import disputes
from ..models import Dispute


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=gettext_lazy("Votre réponse"),
        choices=Dispute.Answer.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Commentaire pour la PME"), widget=forms.Textarea(attrs={"rows": 3})
    )


class SettleForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Conclusion de la médiation"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@large_account_required
def account_disputes(request):
    return render(
        request,
        "procurement/disputes.html",
        {"disputes": disputes.account_disputes(request.organisation)},
    )


@large_account_required
def dispute_answer(request, pk):
    dispute = disputes.get_dispute_for_account(request, pk)
    form = None
    if dispute.state == Dispute.State.OPEN:
        form = AnswerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                disputes.answer_dispute(
                    dispute=dispute,
                    by=request.user,
                    answer=form.cleaned_data["answer"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Votre réponse est envoyée à la PME."))
                return redirect("procurement:dispute_answer", pk=dispute.pk)
    elif request.method == "POST":
        return render(
            request, "procurement/dispute.html", {"dispute": dispute, "form": None}, status=409
        )
    return render(
        request,
        "procurement/dispute.html",
        {"dispute": dispute, "form": form, "side": "account"},
        status=400 if form is not None and form.errors else 200,
    )


@sme_required
def sme_dispute(request, pk):
    dispute = disputes.get_dispute_for_sme(request, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                disputes.accept_answer(dispute=dispute, by=request.user)
                messages.success(
                    request, _("Vous avez accepté la réponse : la contestation est close.")
                )
            elif action == "escalate":
                disputes.escalate(dispute=dispute, by=request.user)
                messages.success(request, _("La contestation est portée au médiateur."))
            else:
                raise ValidationError(_("Action inconnue."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return render(
                request,
                "procurement/dispute.html",
                {"dispute": dispute, "form": None, "side": "sme"},
                status=409,
            )
        return redirect("procurement:sme_dispute", pk=dispute.pk)
    return render(
        request, "procurement/dispute.html", {"dispute": dispute, "form": None, "side": "sme"}
    )


@programme_staff_required
def staff_disputes(request):
    return render(
        request, "procurement/staff_disputes.html", {"disputes": disputes.escalated_disputes()}
    )


@programme_staff_required
def staff_dispute_settle(request, pk):
    dispute = disputes.get_dispute_for_staff(request, pk)
    form = SettleForm(request.POST or None) if dispute.state == Dispute.State.ESCALATED else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            disputes.settle(dispute=dispute, by=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("La contestation est close."))
            return redirect("procurement:staff_disputes")
    return render(
        request,
        "procurement/dispute.html",
        {"dispute": dispute, "form": form, "side": "staff"},
        status=400 if form is not None and form.errors else 200,
    )
