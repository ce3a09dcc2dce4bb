"""Template tags other pages may use, e.g. the dashboard: {% load directory_tags %}
{% sme_profile_card organisation %} shows an SME's profile state and completeness meter."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

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


@register.simple_tag
def result_cards(results):
    """The cards of a directory page's results, built in Python: the same markup as a template
    loop, about ten times cheaper for 20 to 100 cards (a page must render in a few ms)."""
    url = reverse("directory:detail", args=["000000000"])[: -len("000000000/")]
    created = gettext("créée en %(year)s")
    cards = []
    for profile in results:
        facts = [format_html("SIREN {}", profile.siren)]
        if profile.departement_id:
            facts.append(
                format_html(
                    "· {} ({})",
                    profile.departement.name,
                    profile.region.name if profile.region_id else "",
                )
            )
        if profile.founded_year:
            facts.append(format_html("· {}", created % {"year": profile.founded_year}))
        if profile.headcount_band:
            facts.append(format_html("· {}", profile.get_headcount_band_display()))
        description = ""
        if profile.description:
            description = format_html("<p>{}</p>", Truncator(profile.description).chars(240))
        tags = [format_html('<span class="badge">{}</span>', d.name) for d in profile.domain_list]
        tags += [
            format_html('<span class="badge success">{}</span>', lab.name)
            for lab in profile.label_list
        ]
        cards.append(
            format_html(
                '<li class="card result"><h2 class="result-title"><a href="{}{}/">{}</a></h2>'
                '<p class="muted small">{}</p>{}<p class="tags">{}</p></li>',
                url,
                profile.siren,
                profile.name,
                mark_safe(" ".join(facts)),  # noqa: S308 (each part escaped above)
                description,
                mark_safe("".join(tags)),  # noqa: S308 (each part escaped above)
            )
        )
    return mark_safe("".join(cards))  # noqa: S308 (each card escaped above)
