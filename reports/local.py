"""The local-purchasing share in the reports (member, programme; edition reports use the same
functions with their members and territory). The figure is defined once, in
`procurement.figures.local_share`; here it is read for year N and N-1 and put through the same
disclosure rules as the report's other cells (`procurement.figures.local_disclosure`) before
being formatted as "n.s." or a percentage.
"""

from __future__ import annotations

from procurement.figures import (
    LOCAL_PUBLISHED,
    LocalRow,
    local_disclosure,
    local_rows,
    local_share_with_previous,
)
from procurement.models import Campaign

from . import formatting as fmt


def local_report_rows(
    campaign_id: int,
    *,
    organisation_ids: list[int] | None = None,
    territory: list[str] | None = None,
    protect: bool = True,
    total_hidden: bool = False,
    previous_total_hidden: bool = False,
) -> list[LocalRow]:
    """The local-purchasing rows of a report (year N, N-1, change in points).

    `organisation_ids`: the members described (None: every member, the programme); `territory`:
    département codes whose share is shown too (an edition's territory). `protect`: apply
    disclosure control (programme and edition reports; a member's own report shows its own
    figures as they are). `total_hidden` / `previous_total_hidden`: the report hides its SME
    purchases of year N / N-1 (every share would give it back), so the local shares go too.
    """
    campaign = Campaign.objects.get(pk=campaign_id)
    current, previous = local_share_with_previous(
        campaign, organisation_ids=organisation_ids, territory=territory
    )
    hidden: frozenset[str] = frozenset()
    hidden_previous: frozenset[str] = frozenset()
    if protect:
        everything = frozenset(LOCAL_PUBLISHED)
        hidden = everything if total_hidden else local_disclosure(current)
        if previous is not None:
            hidden_previous = everything if previous_total_hidden else local_disclosure(previous)
    return local_rows(
        current,
        previous,
        hidden=hidden,
        hidden_previous=hidden_previous,
        not_significant=fmt.not_significant(),
    )


def member_local_rows(*, campaign_id: int, organisation_id: int) -> list[LocalRow]:
    """A member's own local-purchasing share (its submitted declarations), all shown."""
    return local_report_rows(campaign_id, organisation_ids=[organisation_id], protect=False)
