"""Where contacts come from: the apps that bring large accounts and SMEs together (each exposes
a selector of its contacts), turned into `Contact`s. The effect sits above them all."""

from collections.abc import Collection

from meetings.selectors import held_meetings

from .outcomes import Contact


def _meetings() -> list[Contact]:
    return [
        Contact(
            kind="meeting",
            ref_id=row.meeting_id,
            on=row.event_date,
            account_id=row.account_id,
            siren=row.sme_siren,
            group_id=row.event_id,
            label=row.event_title,
            account_name=row.account_name,
        )
        for row in held_meetings()
    ]


def contacts(
    *, account_ids: Collection[int] | None = None, siren: str | None = None
) -> list[Contact]:
    """Every contact, or those of some large accounts, or those of one SME."""
    found = _meetings()
    if account_ids is not None:
        found = [c for c in found if c.account_id in account_ids]
    if siren is not None:
        found = [c for c in found if c.siren == siren]
    return found
