"""Template tags other pages may use, e.g. the dashboard: {% load directory_tags %}
{% sme_profile_card organisation %} shows an SME's profile state and completeness meter."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
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


DESCRIPTION_CHARS = 240


def _excerpt(text: str) -> str:
    """The description cut to DESCRIPTION_CHARS characters, ellipsis included."""
    if len(text) <= DESCRIPTION_CHARS:
        return text
    return text[: DESCRIPTION_CHARS - 1] + "…"


@register.simple_tag
def result_cards(results):
    """The cards of a directory page's results, built in Python: the same markup as a template
    loop, about ten times cheaper for 20 to 100 cards (a page must render in a few ms). Every
    value goes through `escape` (the standard library's, as Django's own `escape` does)."""
    url = reverse("directory:detail", args=["000000000"])[: -len("000000000/")]
    created = gettext("créée en %(year)s")
    bands: dict[str, str] = {}  # a headcount band's label, translated once a page
    cards = []
    for profile in results:
        facts = [f"SIREN {escape(profile.siren)}"]
        if profile.departement_id:
            region = profile.region.name if profile.region_id else ""
            facts.append(f"· {escape(profile.departement.name)} ({escape(region)})")
        if profile.founded_year:
            facts.append(f"· {escape(created % {'year': profile.founded_year})}")
        if profile.headcount_band:
            band = bands.get(profile.headcount_band)
            if band is None:
                band = bands[profile.headcount_band] = escape(
                    str(profile.get_headcount_band_display())
                )
            facts.append(f"· {band}")
        description = ""
        if profile.description:
            description = f"<p>{escape(_excerpt(profile.description))}</p>"
        tags = "".join(
            [f'<span class="badge">{escape(d.name)}</span>' for d in profile.domain_list]
            + [
                f'<span class="badge success">{escape(lab.name)}</span>'
                for lab in profile.label_list
            ]
        )
        cards.append(
            f'<li class="card result"><h2 class="result-title"><a href="{escape(url)}'
            f'{escape(profile.siren)}/">{escape(profile.name)}</a></h2>'
            f'<p class="muted small">{" ".join(facts)}</p>{description}'
            f'<p class="tags">{tags}</p></li>'
        )
    return mark_safe("".join(cards))  # noqa: S308 (every value escaped above)
