"""The SME side: orders declared in its name, confirmed or disputed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.decorators import sme_required

from .. import selectors, services
from ..forms import SMEResponseForm


@sme_required
def sme_orders(request):
    page_obj = Paginator(selectors.sme_lines(request.organisation), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "procurement/sme_orders.html",
        {"page_obj": page_obj, "form": SMEResponseForm()},
    )


@sme_required
def sme_order_respond(request, line_pk):
    line = selectors.get_sme_line_for_user(request, line_pk)
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
        {"line": line, "form": form},
        status=400 if form.errors else 200,
    )
