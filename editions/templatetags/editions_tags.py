"""The editions' cards on a person's dashboard (accounts' template, which cannot import this app):
a federator's editions with their links, a large account's editions and join requests."""

from django import template

from .. import selectors

register = template.Library()

CARD_LIMIT = 20


@register.inclusion_tag("editions/_federator_card.html", takes_context=True)
def federator_editions_card(context):
    request = context["request"]
    editions = list(selectors.managed_editions(request)[:CARD_LIMIT])
    return {"editions": editions, "federator": selectors.acting_federator(request)}


@register.inclusion_tag("editions/_account_card.html", takes_context=True)
def account_editions_card(context):
    request = context["request"]
    organisation = request.organisation
    membership = request.membership or None
    return {
        "memberships": list(selectors.account_requests(organisation)),
        "joinable": list(selectors.joinable_editions(organisation).order_by("name")[:CARD_LIMIT]),
        "is_admin": bool(membership and membership.is_admin),
    }


@register.simple_tag
def editions_run_by(organisation):
    """The editions a federator runs under a convention in force (for its organisation page)."""
    return list(selectors.editions_run_by(organisation).order_by("name"))
