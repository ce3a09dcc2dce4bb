"""The local-purchasing share in the reports (member, programme, edition). The figure is defined
once, in `procurement.figures.local_share`; here it is read for year N and N-1 (one query, kept on
the report's figures: `ProgrammeFigures.local_share`) and put through the same disclosure rules as
the report's other cells (`procurement.figures.local_disclosure`) before being formatted as
"n.s." or a percentage.
"""

from __future__ import annotations

from dataclasses import dataclass

from procurement.figures import (
    LOCAL_PUBLISHED,
    LocalRow,
    LocalShare,
    local_disclosure,
    local_rows,
    local_share_with_previous,
)
from procurement.models import Campaign

from . import formatting as fmt


@dataclass(frozen=True)
class LocalReport:
    """The local-purchasing share of a report's members, year N and N-1."""

    current: LocalShare
    previous: LocalShare | None


def report_local_share(
    campaign: Campaign, *, organisation_ids: list[int] | None = None, territory=None
) -> LocalReport:
    """`organisation_ids`: the members described (None: every member, the programme);
    `territory`: département codes whose share is shown too (an edition's territory)."""
    current, previous = local_share_with_previous(
        campaign, organisation_ids=organisation_ids, territory=territory
    )
    return LocalReport(current=current, previous=previous)


def edition_local_share(campaign: Campaign, *, edition_id: int, organisation_ids) -> LocalReport:
    """An edition's report: its members' local share, and for a territorial edition the share
    placed with SMEs of its territory (`editions.selectors.territory_departements`)."""
    from editions import selectors as edition_selectors
    from editions.models import Edition

    edition = Edition.objects.get(pk=edition_id)
    territory = (
        edition_selectors.territory_departements(edition) if edition.is_territorial else None
    )
    return report_local_share(campaign, organisation_ids=organisation_ids, territory=territory)


def report_rows(
    local: LocalReport,
    *,
    protect: bool = True,
    total_hidden: bool = False,
    previous_total_hidden: bool = False,
) -> list[LocalRow]:
    """The local-purchasing rows of a report (year N, N-1, change in points). `protect`: apply
    disclosure control (programme and edition reports; a member's own report shows its own
    figures as they are). `total_hidden` / `previous_total_hidden`: the report hides the total
    the shares are of (year N / N-1; every share would give it back), so the shares go too."""
    hidden: frozenset[str] = frozenset()
    hidden_previous: frozenset[str] = frozenset()
    if protect:
        everything = frozenset(LOCAL_PUBLISHED)
        hidden = everything if total_hidden else local_disclosure(local.current)
        if local.previous is not None:
            hidden_previous = (
                everything if previous_total_hidden else local_disclosure(local.previous)
            )
    return local_rows(
        local.current,
        local.previous,
        hidden=hidden,
        hidden_previous=hidden_previous,
        not_significant=fmt.not_significant(),
    )


def local_report_rows(
    campaign_id: int,
    *,
    organisation_ids: list[int] | None = None,
    territory: list[str] | None = None,
    protect: bool = True,
    total_hidden: bool = False,
    previous_total_hidden: bool = False,
) -> list[LocalRow]:
    """`report_rows` of `report_local_share` (computed now)."""
    local = report_local_share(
        Campaign.objects.get(pk=campaign_id), organisation_ids=organisation_ids, territory=territory
    )
    return report_rows(
        local,
        protect=protect,
        total_hidden=total_hidden,
        previous_total_hidden=previous_total_hidden,
    )


def member_local_rows(*, campaign_id: int, organisation_id: int) -> list[LocalRow]:
    """A member's own local-purchasing share (its submitted declarations), all shown."""
    return local_report_rows(campaign_id, organisation_ids=[organisation_id], protect=False)
