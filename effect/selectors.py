"""Conversion rates for staff pages and reports, from `outcomes` over `sources`."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from disclosure import THRESHOLD as MIN_MEMBERS
from editions.models import Edition, EditionAccount
from sponsorship.selectors import days_given

from . import sources
from .outcomes import Outcome, Rate, outcomes, rate, rates_by


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


# --- in the reports ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindRate:
    label: str
    rate: Rate
    shown: bool


@dataclass(frozen=True)
class ReportEffect:
    """The Pacte effect for a campaign year's report: contacts made during that year and the one
    before (so that each had time to lead to an order declared in the report's year), and how
    many were followed by an order declared since (snapshot at generation time)."""

    since: datetime.date
    until: datetime.date
    total: Rate
    shown: bool  # False below MIN_MEMBERS large accounts (programme report only)
    by_kind: list[KindRate]
    days_given: int | None = None  # skills sponsorship, member report only

    @property
    def empty(self) -> bool:
        return not self.total.contacts and not self.days_given


def _report_window(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year - 1, 1, 1), datetime.date(year, 12, 31)


def _in_window(items: list[Outcome], year: int) -> list[Outcome]:
    since, until = _report_window(year)
    return [o for o in items if since <= o.contact.on <= until]


def programme_report_effect(year: int, *, account_ids=None) -> ReportEffect:
    """The programme report's (or, with `account_ids`, an edition report's) Pacte effect; a rate
    resting on fewer than MIN_MEMBERS large accounts is not shown (it would give them away)."""
    items = _in_window(outcomes(sources.contacts(account_ids=account_ids)), year)
    total = rate(items)
    by_kind = rates_by(items, lambda o: o.contact.kind)
    since, until = _report_window(year)
    return ReportEffect(
        since=since,
        until=until,
        total=total,
        shown=total.accounts >= MIN_MEMBERS,
        by_kind=[
            KindRate(KIND_LABELS[kind], value, value.accounts >= MIN_MEMBERS)
            for kind, value in sorted(by_kind.items())
        ],
    )


def member_report_effect(organisation_id: int, year: int) -> ReportEffect:
    """A member's own Pacte effect (its own contacts: nothing to hide from itself) and the
    skills-sponsorship days it gave in the year (missions done that year)."""
    items = _in_window(outcomes(sources.contacts(account_ids={organisation_id})), year)
    since, until = _report_window(year)
    return ReportEffect(
        since=since,
        until=until,
        total=rate(items),
        shown=True,
        by_kind=[
            KindRate(KIND_LABELS[kind], value, True)
            for kind, value in sorted(rates_by(items, lambda o: o.contact.kind).items())
        ],
        days_given=days_given(organisation_id, year),
    )
