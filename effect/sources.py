"""Where contacts come from: the apps that bring large accounts and SMEs together, each exposing
a selector of its contacts (meetings held, SME answers shortlisted, missions agreed), turned
here into `Contact`s. The effect sits above them all and above procurement."""

from collections.abc import Collection

from accounts.models import Organisation
from challenges.selectors import retained_sme_answers
from meetings.selectors import held_meetings
from sponsorship.selectors import agreed_missions

from .outcomes import Contact


def contacts(
    *, account_ids: Collection[int] | None = None, siren: str | None = None
) -> list[Contact]:
    """Every contact, or those of some large accounts, or those of one SME."""
    found = [
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
        for row in held_meetings(account_ids=account_ids, siren=siren)
    ]
    answers = retained_sme_answers(account_ids=account_ids, siren=siren)
    missions = agreed_missions(account_ids=account_ids, siren=siren)
    names = dict(
        Organisation.objects.filter(
            pk__in={row.account_id for row in [*answers, *missions]}
        ).values_list("pk", "name")
    )
    found += [
        Contact(
            kind="challenge",
            ref_id=row.answer_id,
            on=row.date,
            account_id=row.account_id,
            siren=row.siren,
            group_id=row.challenge_id,
            label=row.title,
            account_name=names.get(row.account_id, ""),
        )
        for row in answers
    ]
    found += [
        Contact(
            kind="mission",
            ref_id=row.mission_id,
            on=row.date,
            account_id=row.account_id,
            siren=row.siren,
            group_id=row.mission_id,
            label=row.title,
            account_name=names.get(row.account_id, ""),
        )
        for row in missions
    ]
    return found
