"""A large account's buying sites: members list them, administrators add, change and delete."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import large_account_admin_required, large_account_required

from .. import sites
from ..forms import SiteForm

SITES_PER_PAGE = 50


@large_account_required
def site_list(request):
    organisation = request.organisation
    page_obj = Paginator(sites.account_sites(organisation), SITES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "procurement/sites.html",
        {
            "organisation": organisation,
            "page_obj": page_obj,
            "can_manage": request.membership.is_admin,
        },
    )


def _site_form_page(request, *, site=None):
    organisation = request.organisation
    form = SiteForm(
        request.POST or None,
        organisation=organisation,
        initial=SiteForm.initial_for(site) if site else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = sites.save_site(
                organisation=organisation,
                site=site,
                by=request.user,
                **form.cleaned_data,
            )
        except sites.SiteError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Site « %(name)s » enregistré.") % {"name": saved.name})
            return redirect("procurement:site_list")
    return render(
        request,
        "procurement/site_form.html",
        {"organisation": organisation, "form": form, "site": site},
        status=400 if form.errors else 200,
    )


@large_account_admin_required
def site_add(request):
    return _site_form_page(request)


@large_account_admin_required
def site_edit(request, pk):
    return _site_form_page(request, site=sites.get_site_for_user(request, pk))


@large_account_admin_required
def site_delete(request, pk):
    site = sites.get_site_for_user(request, pk)
    line_count = site.lines.count()
    if request.method == "POST":
        try:
            sites.delete_site(site=site, by=request.user)
        except sites.SiteError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Site « %(name)s » supprimé.") % {"name": site.name})
            return redirect("procurement:site_list")
    return render(
        request,
        "procurement/site_delete.html",
        {"organisation": request.organisation, "site": site, "line_count": line_count},
        status=409 if request.method == "POST" else 200,
    )
