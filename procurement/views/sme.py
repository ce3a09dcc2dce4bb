"""The SME side: orders declared in its name, confirmed or disputed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.decorators import large_account_admin_required, sme_required
from accounts.models import Membership

from .. import contacts, selectors, services
from ..forms import SMEResponseForm, VouchForm


@sme_required
def sme_orders(request):
    page_obj = Paginator(selectors.sme_lines(request.organisation), 50).get_page(
        request.GET.get("page")
    )
    # The SME correspondent and mediator of each account on this page (named in the charter).
    accounts = {
        line.declaration.organisation_id: line.declaration.organisation for line in page_obj
    }
    named = contacts.for_accounts(accounts)
    account_contacts = [
        (accounts[pk], named[pk]) for pk in sorted(named, key=lambda k: accounts[k].name)
    ]
    return render(
        request,
        "procurement/sme_orders.html",
        {
            "page_obj": page_obj,
            "form": SMEResponseForm(),
            "verified": request.organisation.is_verified,
            "account_contacts": account_contacts,
        },
    )


@sme_required
def sme_order_respond(request, line_pk):
    line = selectors.get_sme_line_for_user(request, line_pk)
    if not services.can_answer(line):
        return render(
            request,
            "procurement/sme_order_respond.html",
            {"line": line, "form": None, "closed": True},
            status=409 if request.method == "POST" else 200,
        )
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
        {"line": line, "form": form, "closed": False},
        status=400 if form.errors else 200,
    )


@large_account_admin_required
def smes_to_vouch_for(request):
    return render(
        request,
        "procurement/vouch_list.html",
        {"smes": selectors.unverified_smes_named_by(request.organisation)},
    )


@large_account_admin_required
def vouch(request, siren):
    sme = selectors.get_unverified_sme_for_voucher(request, siren)
    contacts = [m.user for m in Membership.objects.filter(organisation=sme).select_related("user")]
    form = VouchForm(request.POST or None, contacts=contacts)
    if request.method == "POST" and form.is_valid():
        contact = next(u for u in contacts if str(u.pk) == form.cleaned_data["contact"])
        try:
            services.vouch_for_sme(
                sme=sme,
                contact=contact,
                by=request.user,
                voucher=request.organisation,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Merci : l'équipe du programme verra votre garantie en vérifiant la PME."),
            )
            return redirect("procurement:smes_to_vouch_for")
    return render(
        request,
        "procurement/vouch_form.html",
        {"sme": sme, "form": form},
        status=400 if form.errors else 200,
    )
