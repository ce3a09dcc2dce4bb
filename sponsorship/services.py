"""What changes a need, an offer or a mission: transitions checked, one transaction, emails
queued in it (accounts.mail outbox); staff actions audited."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import mail
from accounts.models import Membership, Organisation, Role, User
from audit import services as audit

from .models import Mission, Need, Offer


class TransitionError(ValidationError):
    pass


MISSION_TRANSITIONS = {
    Mission.State.PROPOSED: {Mission.State.AGREED, Mission.State.CANCELLED},
    Mission.State.AGREED: {Mission.State.RUNNING, Mission.State.CANCELLED},
    Mission.State.RUNNING: {Mission.State.DONE, Mission.State.CANCELLED},
    Mission.State.DONE: set(),
    Mission.State.CANCELLED: set(),
}


def _check(current: str, target: str) -> None:
    if target not in MISSION_TRANSITIONS[current]:
        raise TransitionError(
            _("Cette action n'est pas possible dans l'état actuel."), code="transition"
        )


def _admin_emails(*organisation_ids: int) -> list[str]:
    return list(
        Membership.objects.filter(
            organisation_id__in=organisation_ids, role=Role.ADMIN
        ).values_list("user__email", flat=True)
    )


def _tell_both(mission: Mission, subject: str, body: str) -> None:
    url = settings.SITE_URL + reverse("sponsorship:mission", args=[mission.pk])
    mail.send_later(
        to=_admin_emails(mission.account_id, mission.sme_id),
        subject=subject,
        body=f"{body}\n\n{url}",
    )


# --- needs and offers ----------------------------------------------------------------------------


def create_need(*, sme: Organisation, by: User, data: dict) -> Need:
    if not sme.is_sme:
        raise ValidationError(_("Seule une PME publie un besoin."), code="kind")
    return Need.objects.create(
        sme=sme,
        created_by=by,
        title=data["title"],
        category=data["category"],
        description=data["description"],
        estimated_days=data["estimated_days"],
    )


def withdraw_need(*, need: Need, by: User) -> Need:
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.state != Need.State.OPEN:
            raise TransitionError(_("Seul un besoin ouvert se retire."), code="transition")
        need.state = Need.State.WITHDRAWN
        need.save(update_fields=["state"])
    return need


def create_offer(*, account: Organisation, by: User, data: dict) -> Offer:
    if not account.is_large_account:
        raise ValidationError(_("Seul un grand compte offre des jours."), code="kind")
    return Offer.objects.create(
        account=account,
        created_by=by,
        category=data["category"],
        days=data["days"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        description=data["description"],
    )


def withdraw_offer(*, offer: Offer, by: User) -> Offer:
    with transaction.atomic():
        offer = Offer.objects.select_for_update().get(pk=offer.pk)
        if offer.state != Offer.State.OPEN:
            raise TransitionError(_("Cette offre est déjà retirée."), code="transition")
        offer.state = Offer.State.WITHDRAWN
        offer.save(update_fields=["state"])
    return offer


def days_committed(offer: Offer) -> int:
    """Days of the offer already promised to missions (cancelled ones give theirs back)."""
    return (
        offer.missions.exclude(state=Mission.State.CANCELLED).aggregate(total=Sum("days"))["total"]
        or 0
    )


# --- missions ------------------------------------------------------------------------------------


def propose_mission(*, need: Need, offer: Offer, days: int, by: User) -> Mission:
    """Programme staff match a need with an offer; both sides are asked to accept."""
    if days < 1:
        raise ValidationError(_("Une mission dure au moins un jour."), code="days")
    with transaction.atomic():
        offer = Offer.objects.select_for_update().select_related("account").get(pk=offer.pk)
        need = Need.objects.select_for_update().select_related("sme").get(pk=need.pk)
        if need.state != Need.State.OPEN:
            raise TransitionError(_("Ce besoin n'est plus ouvert."), code="need")
        if offer.state != Offer.State.OPEN:
            raise TransitionError(_("Cette offre est retirée."), code="offer")
        left = offer.days - days_committed(offer)
        if days > left:
            raise ValidationError(
                _("L'offre n'a plus que %(left)s jours disponibles.") % {"left": left},
                code="days",
            )
        mission = Mission.objects.create(
            need=need,
            offer=offer,
            account=offer.account,
            sme=need.sme,
            sme_siren=need.sme.siren,
            days=days,
            proposed_by=by,
        )
        need.state = Need.State.MATCHED
        need.save(update_fields=["state"])
        audit.record(
            actor=by,
            action="sponsorship.propose",
            target=mission,
            organisation_id=offer.account_id,
            changes={"need": (None, need.title), "days": (None, days)},
        )
        _tell_both(
            mission,
            _("Mission de mécénat proposée : %(title)s") % {"title": need.title},
            _(
                "L'équipe du programme propose une mission de %(days)s jours entre %(account)s "
                "et %(sme)s. Chacun l'accepte depuis la page de la mission."
            )
            % {"days": days, "account": offer.account.name, "sme": need.sme.name},
        )
    return mission


def _side(mission: Mission, organisation: Organisation | None) -> str:
    if organisation is not None and organisation.pk == mission.account_id:
        return "account"
    if organisation is not None and organisation.pk == mission.sme_id:
        return "sme"
    raise ValidationError(_("Votre organisation n'est pas partie à cette mission."), code="side")


def accept_mission(*, mission: Mission, organisation: Organisation, by: User) -> Mission:
    """One side accepts; once both have, the mission is agreed."""
    with transaction.atomic():
        mission = Mission.objects.select_for_update().get(pk=mission.pk)
        side = _side(mission, organisation)
        if mission.state != Mission.State.PROPOSED:
            raise TransitionError(
                _("Cette mission n'attend plus d'acceptation."), code="transition"
            )
        now = timezone.now()
        setattr(mission, f"{side}_accepted_at", now)
        fields = [f"{side}_accepted_at"]
        if mission.sme_accepted_at and mission.account_accepted_at:
            mission.state = Mission.State.AGREED
            mission.agreed_at = now
            fields += ["state", "agreed_at"]
            _tell_both(
                mission,
                _("Mission de mécénat acceptée"),
                _("Les deux parties ont accepté la mission « %(title)s ».")
                % {"title": mission.need.title},
            )
        mission.save(update_fields=fields)
    return mission


def _move(mission: Mission, target: str, by: User, organisation: Organisation | None) -> Mission:
    with transaction.atomic():
        mission = Mission.objects.select_for_update().get(pk=mission.pk)
        # Staff act without an organisation (from /pilotage/); anyone else as one of the sides.
        as_staff = organisation is None and by.is_programme_staff
        if not as_staff:
            _side(mission, organisation)
        _check(mission.state, target)
        now = timezone.now()
        mission.state = target
        stamp = {
            Mission.State.RUNNING: "started_at",
            Mission.State.DONE: "done_at",
            Mission.State.CANCELLED: "cancelled_at",
        }[target]
        setattr(mission, stamp, now)
        mission.save(update_fields=["state", stamp])
        if target == Mission.State.CANCELLED:
            Need.objects.filter(pk=mission.need_id, state=Need.State.MATCHED).update(
                state=Need.State.OPEN
            )
            _tell_both(
                mission,
                _("Mission de mécénat annulée"),
                _("La mission « %(title)s » est annulée.") % {"title": mission.need.title},
            )
        elif target == Mission.State.DONE:
            _tell_both(
                mission,
                _("Mission de mécénat terminée : votre retour"),
                _(
                    "La mission « %(title)s » est terminée. Dites en quelques mots ce qu'elle a apporté."
                )
                % {"title": mission.need.title},
            )
        if as_staff:
            audit.record(
                actor=by,
                action=f"sponsorship.{target}",
                target=mission,
                organisation_id=mission.account_id,
            )
    return mission


def start_mission(*, mission: Mission, by: User, organisation: Organisation | None) -> Mission:
    return _move(mission, Mission.State.RUNNING, by, organisation)


def finish_mission(*, mission: Mission, by: User, organisation: Organisation | None) -> Mission:
    return _move(mission, Mission.State.DONE, by, organisation)


def cancel_mission(*, mission: Mission, by: User, organisation: Organisation | None) -> Mission:
    return _move(mission, Mission.State.CANCELLED, by, organisation)


def give_feedback(*, mission: Mission, organisation: Organisation, by: User, text: str) -> Mission:
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Écrivez votre retour."), code="empty")
    with transaction.atomic():
        mission = Mission.objects.select_for_update().get(pk=mission.pk)
        side = _side(mission, organisation)
        if mission.state != Mission.State.DONE:
            raise TransitionError(
                _("Le retour se donne une fois la mission terminée."), code="transition"
            )
        setattr(mission, f"{side}_feedback", text)
        mission.save(update_fields=[f"{side}_feedback"])
    return mission
