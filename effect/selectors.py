"""Conversion rates for staff pages and reports, from `outcomes` over `sources`."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from editions.models import Edition, EditionAccount

from . import sources
from .outcomes import WINDOW_MONTHS, Outcome, Rate, outcomes, rate, rates_by

__all__ = ["WINDOW_MONTHS", "Overview", "Row", "account_rate", "overview", "sme_outcomes"]


@dataclass(frozen=True)
class Row:
    label: str
    rate: Rate


@dataclass(frozen=True)
class Overview:
    total: Rate
    by_kind: list[Row]
    by_group: list[Row]  # per event (meetings) or per challenge
    by_account: list[Row]
    by_edition: list[Row]


KIND_LABELS = {
    "meeting": _("Rencontres d'affaires"),
    "challenge": _("Défis d'open innovation"),
    "mission": _("Mécénat de compétences"),
}


def _account_ids_in(editions: QuerySet[Edition] | None):
    if editions is None:
        return None
    return set(
        EditionAccount.objects.filter(
            edition__in=editions, state=EditionAccount.State.MEMBER
        ).values_list("organisation_id", flat=True)
    )


def overview(*, editions: QuerySet[Edition] | None = None) -> Overview:
    """Conversion rates of every contact (programme staff: `editions` None), or of the contacts
    of the large accounts of `editions` (a federator)."""
    account_ids = _account_ids_in(editions)
    items = outcomes(sources.contacts(account_ids=account_ids))
    names = dict(
        Organisation.objects.filter(pk__in={o.contact.account_id for o in items}).values_list(
            "pk", "name"
        )
    )
    memberships = EditionAccount.objects.filter(
        organisation_id__in=names, state=EditionAccount.State.MEMBER
    ).values_list("organisation_id", "edition__name")
    if editions is not None:
        memberships = memberships.filter(edition__in=editions)
    editions_of: dict[int, list[str]] = {}
    for organisation_id, edition_name in memberships:
        editions_of.setdefault(organisation_id, []).append(edition_name)

    by_edition: dict[str, list[Outcome]] = {}
    for item in items:
        for name in editions_of.get(item.contact.account_id, []):
            by_edition.setdefault(name, []).append(item)

    groups = rates_by(
        [o for o in items if o.contact.group_id is not None and o.contact.kind != "mission"],
        lambda o: (o.contact.kind, o.contact.group_id, o.contact.label),
    )
    return Overview(
        total=rate(items),
        by_kind=[
            Row(KIND_LABELS[kind], value)
            for kind, value in sorted(rates_by(items, lambda o: o.contact.kind).items())
        ],
        by_group=[Row(key[2], value) for key, value in sorted(groups.items(), key=str)],
        by_account=sorted(
            (
                Row(names.get(key, "?"), value)
                for key, value in rates_by(items, lambda o: o.contact.account_id).items()
            ),
            key=lambda row: row.label,
        ),
        by_edition=sorted(
            (Row(name, rate(values)) for name, values in by_edition.items()),
            key=lambda row: row.label,
        ),
    )


def sme_outcomes(organisation: Organisation) -> list[Outcome]:
    """An SME's contacts with what followed, newest first (what it may see: its own)."""
    items = outcomes(sources.contacts(siren=organisation.siren))
    return sorted(items, key=lambda o: o.contact.on, reverse=True)


def account_rate(organisation_id: int, *, since=None, until=None) -> Rate:
    items = outcomes(sources.contacts(account_ids={organisation_id}))
    return rate(
        o
        for o in items
        if (since is None or o.contact.on >= since) and (until is None or o.contact.on <= until)
    )
