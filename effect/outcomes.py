"""The Pacte effect: did a meeting, a shortlisted answer or a mission lead to an order?

A *contact* is one large account meeting one SME (by SIREN) on a date, through the programme: a
business meeting held, an answer to a challenge shortlisted, a skills-sponsorship mission agreed.
It *converted* when the same large account declared, in a submitted declaration, an order line
with that SIREN dated after the contact and within the following 24 months. One SQL query
answers for any list of contacts; every page, report and export reads conversions from here."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

WINDOW_MONTHS = 24


@dataclass(frozen=True)
class Contact:
    kind: str  # "meeting", "challenge" or "mission"
    ref_id: int  # the meeting, answer or mission
    on: datetime.date
    account_id: int  # the large account
    siren: str  # the SME
    group_id: int | None = None  # the event, challenge or mission it belongs to
    label: str = ""  # the event's or challenge's title
    account_name: str = ""


@dataclass(frozen=True)
class Outcome:
    contact: Contact
    first_order_on: datetime.date | None = None
    first_order_year: int | None = None  # the campaign that declared it
    amount: Decimal = Decimal(0)  # declared within the window

    @property
    def converted(self) -> bool:
        return self.first_order_on is not None


@dataclass(frozen=True)
class Rate:
    contacts: int
    converted: int
    accounts: int  # distinct large accounts among the contacts

    @property
    def percent(self) -> Decimal | None:
        if not self.contacts:
            return None
        return (Decimal(self.converted) * 100 / self.contacts).quantize(Decimal("0.1"))


_SQL = """
WITH contact(idx, account_id, siren, on_date) AS (
    SELECT * FROM unnest(%s::integer[], %s::bigint[], %s::text[], %s::date[])
)
SELECT contact.idx, MIN(line.order_date), MIN(campaign.year), SUM(line.amount)
FROM contact
JOIN procurement_declaration declaration
  ON declaration.organisation_id = contact.account_id AND declaration.state = 'submitted'
JOIN procurement_campaign campaign ON campaign.id = declaration.campaign_id
JOIN procurement_orderline line
  ON line.declaration_id = declaration.id
 AND line.sme_siren = contact.siren
 AND line.order_date > contact.on_date
 AND line.order_date <= (contact.on_date + make_interval(months => %s))::date
GROUP BY contact.idx
"""


def outcomes(contacts: Iterable[Contact]) -> list[Outcome]:
    """Each contact with the first order that followed it (one query, whatever the number)."""
    contacts = list(contacts)
    if not contacts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _SQL,
            [
                list(range(len(contacts))),
                [c.account_id for c in contacts],
                [c.siren for c in contacts],
                [c.on for c in contacts],
                WINDOW_MONTHS,
            ],
        )
        found = {idx: (on, year, amount) for idx, on, year, amount in cursor.fetchall()}
    result = []
    for idx, contact in enumerate(contacts):
        on, year, amount = found.get(idx, (None, None, Decimal(0)))
        result.append(Outcome(contact, on, year, amount or Decimal(0)))
    return result


def rate(items: Iterable[Outcome]) -> Rate:
    items = list(items)
    return Rate(
        contacts=len(items),
        converted=sum(1 for o in items if o.converted),
        accounts=len({o.contact.account_id for o in items}),
    )


def rates_by(items: Iterable[Outcome], key: Callable[[Outcome], Hashable]) -> dict:
    groups: dict = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return {k: rate(v) for k, v in groups.items()}
