from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .decorators import programme_staff_required
from .selectors import SESSION_KEY, memberships_for


def dashboard(request):
    return render(request, "accounts/dashboard.html")


@require_POST
def switch_organisation(request):
    """Act for another of one's organisations; ids one does not belong to are ignored."""
    wanted = request.POST.get("organisation", "")
    for membership in memberships_for(request.user):
        if str(membership.organisation_id) == wanted:
            request.session[SESSION_KEY] = membership.organisation_id
            break
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "accounts:dashboard"
    return redirect(next_url)


@programme_staff_required
def staff_home(request):
    return render(request, "accounts/staff_home.html")
