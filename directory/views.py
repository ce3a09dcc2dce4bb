from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors


def can_search(request) -> bool:
    """Large-account members and programme staff search the directory; SMEs do not."""
    if request.user.is_programme_staff:
        return True
    membership = request.membership or None
    return membership is not None and membership.organisation.is_large_account


@require_GET
def autocomplete(request):
    """htmx fragment: published SMEs whose name or SIREN starts like `q`."""
    if not can_search(request):
        raise PermissionDenied
    query = request.GET.get("q", "")
    profiles = selectors.autocomplete_profiles(query=query, limit=10)
    return render(
        request,
        "directory/_autocomplete.html",
        {"profiles": profiles, "query": query, "min_chars": selectors.AUTOCOMPLETE_MIN_CHARS},
    )


def search(request):
    return render(request, "placeholder.html", {"title": "Annuaire"})


@login_not_required
def public_map(request):
    return render(request, "placeholder.html", {"title": "Cartographie"})


def detail(request, siren: str):
    profile = selectors.get_profile_for_user(request.user, siren)
    return render(request, "directory/detail.html", {"profile": profile})


def my_profile(request):
    return render(request, "placeholder.html", {"title": "Mon profil"})


def register(request):
    return render(request, "placeholder.html", {"title": "Inscrire ma PME"})


def moderation(request):
    return render(request, "placeholder.html", {"title": "Modération"})
