"""Template tags other pages may use, e.g. the dashboard: {% load directory_tags %}
{% sme_profile_card organisation %} shows an SME's profile state and completeness meter."""

from django import template

from ..selectors import profile_of
from ..services import completeness

register = template.Library()


@register.inclusion_tag("directory/_profile_card.html")
def sme_profile_card(organisation):
    profile = profile_of(organisation) if organisation is not None else None
    return {
        "profile": profile,
        "completeness": completeness(profile) if profile else None,
    }
