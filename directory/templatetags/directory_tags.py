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


@register.filter
def any_selected(items) -> bool:
    """True when one of a facet group's values is chosen (the group is then shown open)."""
    return any(item.get("selected") for item in items or ())
