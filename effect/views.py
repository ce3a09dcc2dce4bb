"""The Pacte effect: conversion rates for staff and federators; an SME's own contacts."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.decorators import sme_required
from editions.selectors import staff_editions

from . import selectors
from .outcomes import WINDOW_MONTHS


@require_GET
def staff_overview(request):
    """Programme staff see every contact; a federator those of its editions' large accounts."""
    editions = staff_editions(request)
    if editions is not None and not editions.exists():
        raise PermissionDenied
    return render(
        request,
        "effect/staff_overview.html",
        {
            "overview": selectors.overview(editions=editions),
            "editions": editions,
            "window_months": WINDOW_MONTHS,
        },
    )


@require_GET
@sme_required
def sme_contacts(request):
    organisation = request.organisation
    verified = organisation.is_verified
    return render(
        request,
        "effect/sme_contacts.html",
        {
            "verified": verified,
            "items": selectors.sme_outcomes(organisation) if verified else [],
            "window_months": WINDOW_MONTHS,
        },
    )
