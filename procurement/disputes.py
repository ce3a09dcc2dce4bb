"""Disputes that get answered (states in `Dispute`). Every step emails the other side through the
outbox, once, in the transaction of the change. The account's SME correspondent and mediator come
from the charter through `procurement.contacts` (procurement does not import charter); without
named contacts the account's administrators are written to."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import mail
from accounts.models import Membership, Organisation, Role, User
from audit.services import record

from . import contacts
from .models import Campaign, Declaration, Dispute, OrderLine


class TransitionError(ValidationError):
    pass


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _account_admins(organisation_id: int) -> list[str]:
    return list(
        Membership.objects.filter(organisation_id=organisation_id, role=Role.ADMIN).values_list(
            "user__email", flat=True
        )
    )


def _sme_members(siren: str) -> list[str]:
    return list(
        Membership.objects.filter(
            organisation__siren=siren, organisation__kind=Organisation.Kind.SME
        ).values_list("user__email", flat=True)
    )


def _staff() -> list[str]:
    return list(
        User.objects.filter(is_programme_staff=True, is_active=True).values_list("email", flat=True)
    )


def _contact(organisation_id: int):
    return contacts.for_accounts([organisation_id]).get(organisation_id)


def _describe(line: OrderLine) -> str:
    return _("%(sme)s, %(amount)s € HT, commande du %(date)s, référence %(ref)s") % {
        "sme": line.sme_name,
        "amount": line.amount,
        "date": line.order_date.strftime("%d/%m/%Y"),
        "ref": line.reference or "—",
    }


def open_dispute(*, line: OrderLine, comment: str) -> Dispute:
    """Called by `respond_to_line` when the SME disputes the line (in its transaction). The
    account's SME correspondent is emailed when the dispute opens, not when the SME only edits
    its comment on a dispute already open."""
    dispute = Dispute.objects.select_for_update().filter(line=line).first()
    if dispute is not None and dispute.state == Dispute.State.OPEN:
        return dispute
    now = timezone.now()
    if dispute is None:
        dispute = Dispute(line=line)
    dispute.state = Dispute.State.OPEN
    dispute.opened_at = now
    dispute.answer = ""
    dispute.answer_comment = ""
    dispute.answered_at = dispute.escalated_at = dispute.resolved_at = None
    dispute.answered_by = dispute.resolved_by = None
    dispute.save()
    organisation_id = line.declaration.organisation_id
    contact = _contact(organisation_id)
    to = [contact.correspondent_email] if contact else _account_admins(organisation_id)
    mail.send_later(
        to=to,
        subject=_("Une PME conteste une commande déclarée"),
        body=_(
            "Bonjour,\n\nLa PME %(sme)s conteste la commande suivante :\n%(line)s\n\n"
            "Son commentaire : « %(comment)s »\n\nRépondez-lui ici :\n%(url)s\n"
        )
        % {
            "sme": line.sme_name,
            "line": _describe(line),
            "comment": comment,
            "url": _url("procurement:dispute_answer", dispute.pk),
        },
    )
    return dispute


def close_on_confirmation(*, line: OrderLine, by: User) -> None:
    """The SME confirms a line it had disputed: the dispute is resolved."""
    Dispute.objects.filter(line=line).exclude(state=Dispute.State.RESOLVED).update(
        state=Dispute.State.RESOLVED, resolved_at=timezone.now(), resolved_by=by
    )


def answer_dispute(*, dispute: Dispute, by: User, answer: str, comment: str) -> Dispute:
    """A member of the account answers an open dispute: it stands by the line (with a comment)
    or corrects it; on a submitted declaration a correction asks staff to reopen it."""
    line = dispute.line
    declaration = line.declaration
    if not Membership.objects.filter(user=by, organisation_id=declaration.organisation_id).exists():
        raise PermissionDenied
    if answer not in Dispute.Answer.values:
        raise TransitionError(_("Réponse inconnue."))
    if not comment.strip():
        raise TransitionError(_("Expliquez votre réponse à la PME en commentaire."))
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.state != Dispute.State.OPEN:
            raise TransitionError(_("Cette contestation a déjà reçu une réponse."))
        dispute.state = Dispute.State.ANSWERED
        dispute.answer = answer
        dispute.answer_comment = comment.strip()
        dispute.answered_at = timezone.now()
        dispute.answered_by = by
        dispute.save()
        mail.send_later(
            to=_sme_members(line.sme_siren),
            subject=_("Réponse à votre contestation"),
            body=_(
                "Bonjour,\n\n%(account)s a répondu à votre contestation de la commande :\n"
                "%(line)s\n\n%(answer)s : « %(comment)s »\n\nAcceptez la réponse ou portez la "
                "contestation devant le médiateur :\n%(url)s\n"
            )
            % {
                "account": declaration.organisation.name,
                "line": _describe(line),
                "answer": dispute.get_answer_display(),
                "comment": dispute.answer_comment,
                "url": _url("procurement:sme_dispute", dispute.pk),
            },
        )
        if answer == Dispute.Answer.CORRECT and declaration.state == Declaration.State.SUBMITTED:
            mail.send_later(
                to=_staff(),
                subject=_("Demande de réouverture d'une déclaration"),
                body=_(
                    "Bonjour,\n\n%(account)s veut corriger une commande contestée par une PME "
                    "dans sa déclaration %(year)s, qui est soumise :\n%(line)s\n\n"
                    "Rouvrez la déclaration si la correction est fondée :\n%(url)s\n"
                )
                % {
                    "account": declaration.organisation.name,
                    "year": declaration.campaign.year,
                    "line": _describe(line),
                    "url": _url("procurement:declaration_detail", declaration.pk),
                },
            )
    return dispute


def _require_sme_member(dispute: Dispute, by: User) -> None:
    if not Membership.objects.filter(
        user=by,
        organisation__siren=dispute.line.sme_siren,
        organisation__kind=Organisation.Kind.SME,
        organisation__verified_at__isnull=False,
    ).exists():
        raise PermissionDenied


def accept_answer(*, dispute: Dispute, by: User) -> Dispute:
    _require_sme_member(dispute, by)
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.state != Dispute.State.ANSWERED:
            raise TransitionError(_("Il n'y a pas de réponse à accepter."))
        dispute.state = Dispute.State.RESOLVED
        dispute.resolved_at = timezone.now()
        dispute.resolved_by = by
        dispute.save()
    return dispute


def escalate(*, dispute: Dispute, by: User) -> Dispute:
    """The SME does not accept the answer: the account's mediator and programme staff are told."""
    _require_sme_member(dispute, by)
    with transaction.atomic():
        dispute = (
            Dispute.objects.select_for_update()
            .select_related("line__declaration")
            .get(pk=dispute.pk)
        )
        if dispute.state != Dispute.State.ANSWERED:
            raise TransitionError(
                _("Seule une contestation répondue peut être portée au médiateur.")
            )
        dispute.state = Dispute.State.ESCALATED
        dispute.escalated_at = timezone.now()
        dispute.save()
        line = dispute.line
        contact = _contact(line.declaration.organisation_id)
        to = _staff() + ([contact.mediator_email] if contact else [])
        mail.send_later(
            to=to,
            subject=_("Contestation portée au médiateur"),
            body=_(
                "Bonjour,\n\nLa PME %(sme)s n'accepte pas la réponse de %(account)s sur la "
                "commande :\n%(line)s\n\nRéponse du grand compte : « %(comment)s »\n\n%(url)s\n"
            )
            % {
                "sme": line.sme_name,
                "account": line.declaration.organisation.name,
                "line": _describe(line),
                "comment": dispute.answer_comment,
                "url": _url("procurement:staff_disputes"),
            },
        )
    return dispute


def settle(*, dispute: Dispute, by: User, comment: str) -> Dispute:
    """Programme staff (the mediator) settle an escalated dispute; both sides are told."""
    if not by.is_programme_staff:
        raise PermissionDenied
    if not comment.strip():
        raise TransitionError(_("Indiquez la conclusion de la médiation."))
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.state != Dispute.State.ESCALATED:
            raise TransitionError(_("Cette contestation n'est pas portée au médiateur."))
        dispute.state = Dispute.State.RESOLVED
        dispute.resolved_at = timezone.now()
        dispute.resolved_by = by
        dispute.resolution_comment = comment.strip()
        dispute.save()
        line = dispute.line
        record(
            actor=by,
            action="procurement.dispute_settled",
            target=dispute,
            organisation_id=line.declaration.organisation_id,
            changes={"state": (Dispute.State.ESCALATED.value, Dispute.State.RESOLVED.value)},
            reason=dispute.resolution_comment,
        )
        mail.send_later(
            to=_sme_members(line.sme_siren) + _account_admins(line.declaration.organisation_id),
            subject=_("Conclusion de la médiation"),
            body=_("Bonjour,\n\nLa contestation de la commande :\n%(line)s\nest close : %(c)s\n")
            % {"line": _describe(line), "c": dispute.resolution_comment},
        )
    return dispute


# --- reading ------------------------------------------------------------------------------------


def _int(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def _base():
    return Dispute.objects.select_related(
        "line__declaration__organisation", "line__declaration__campaign"
    )


def get_dispute_for_account(request: HttpRequest, pk) -> Dispute:
    organisation = request.organisation or None
    if organisation is None or organisation.is_sme:
        raise Http404
    dispute = _base().filter(pk=_int(pk), line__declaration__organisation=organisation).first()
    if dispute is None:
        raise Http404
    return dispute


def get_dispute_for_sme(request: HttpRequest, pk) -> Dispute:
    organisation = request.organisation or None
    if organisation is None or not organisation.is_sme or not organisation.is_verified:
        raise Http404
    dispute = _base().filter(pk=_int(pk), line__sme_profile_id=organisation.siren).first()
    if dispute is None:
        raise Http404
    return dispute


def get_dispute_for_staff(request: HttpRequest, pk) -> Dispute:
    if not request.user.is_programme_staff:
        raise Http404
    dispute = _base().filter(pk=_int(pk)).first()
    if dispute is None:
        raise Http404
    return dispute


def account_disputes(organisation: Organisation):
    return (
        _base().filter(line__declaration__organisation=organisation).order_by("-opened_at", "-pk")
    )


def escalated_disputes():
    return _base().filter(state=Dispute.State.ESCALATED).order_by("escalated_at", "pk")


def time_to_resolve(campaign: Campaign, account_ids=None) -> dict:
    """Disputes of the campaign by state, and the average days from opening to resolution (on
    the lines of `account_ids`' declarations only, when given: an edition's member accounts)."""
    qs = Dispute.objects.filter(line__declaration__campaign=campaign)
    if account_ids is not None:
        qs = qs.filter(line__declaration__organisation_id__in=account_ids)
    duration = ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=DurationField())
    average = qs.filter(state=Dispute.State.RESOLVED).aggregate(avg=Avg(duration))["avg"]
    counts = dict.fromkeys(Dispute.State.values, 0)
    for row in qs.values("state").annotate(n=Count("pk")).order_by("state"):
        counts[row["state"]] = row["n"]
    return {
        "counts": counts,
        "average_days": round(average.total_seconds() / 86400, 1) if average is not None else None,
    }
