"""Changing accounts: invitations, memberships and large accounts.

Every function is keyword-only, writes inside one transaction and sends email once it commits.
"""

import datetime
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record

from . import mail
from .french import elide
from .models import Invitation, Membership, Organisation, Role, User


class AccountsError(Exception):
    """A refused change; its message is shown to the person as is."""


class LastAdministratorError(AccountsError):
    pass


class InvitationError(AccountsError):
    pass


class SirenConflictError(AccountsError):
    """The SIREN is held by an SME registration that staff have not verified: staff look at it and
    release the SIREN (directory) before creating the large account."""

    def __init__(self, message: str, *, organisation: Organisation):
        super().__init__(message)
        self.organisation = organisation


def _record_staff_action(
    by: User | None,
    *,
    action: str,
    target,
    organisation_id: int,
    changes: dict | None = None,
) -> None:
    """Programme staff acting on an organisation they manage by their staff power: journal it."""
    if by is not None and by.is_programme_staff:
        record(
            actor=by,
            action=action,
            target=target,
            organisation_id=organisation_id,
            changes=changes,
        )


# --- Invitations ------------------------------------------------------------------------------


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("accounts:accept_invitation", args=[token])


def _send_invitation_email(*, invitation_id: int, token: str) -> None:
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(
        pk=invitation_id
    )
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "role": invitation.get_role_display(),
        "inviter": invitation.invited_by,
        "url": invitation_url(token),
        "expires_on": timezone.localdate(invitation.expires_at),
    }
    # The programme writes to people in French, whatever language the inviter browses in.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/invitation_subject.txt", context)
        body = render_to_string("accounts/email/invitation_message.txt", context)
    mail.send_later(to=[invitation.email], subject=subject, body=body)


def _schedule_email(invitation: Invitation, token: str) -> None:
    _send_invitation_email(invitation_id=invitation.pk, token=token)


def invite(*, organisation: Organisation, email: str, role: str, by: User | None) -> Invitation:
    """Invite ``email`` to join ``organisation`` with ``role``; the link goes out by email."""
    email = email.strip().lower()
    if role not in Role.values:
        raise InvitationError(_("Rôle inconnu."))
    with transaction.atomic():
        if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
            raise InvitationError(
                elide(
                    _("%(email)s est déjà membre de %(organisation)s.")
                    % {"email": email, "organisation": organisation.name}
                )
            )
        if by is not None and by.email.lower() == email:
            raise InvitationError(_("Vous ne pouvez pas vous inviter vous-même."))
        if organisation.invitations.pending().filter(email__iexact=email).exists():
            raise InvitationError(
                _(
                    "Une invitation est déjà en attente pour %(email)s : "
                    "renvoyez-la depuis la liste des invitations."
                )
                % {"email": email}
            )
        now = timezone.now()
        invitation = Invitation(
            organisation=organisation,
            email=email,
            role=role,
            invited_by=by,
            sent_at=now,
            expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        token = invitation.new_token()
        invitation.save()
        _record_staff_action(
            by,
            action="accounts.invitation_sent",
            target=invitation,
            organisation_id=organisation.pk,
            changes={"email": (None, email), "role": (None, invitation.get_role_display())},
        )
        _schedule_email(invitation, token)
    return invitation


def resend_invitation(*, invitation: Invitation, by: User | None) -> Invitation:
    """A new link with a new expiry; the previous link stops working."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise InvitationError(_("Cette invitation a déjà été acceptée."))
        if invitation.revoked_at:
            raise InvitationError(_("Cette invitation a été révoquée : invitez à nouveau."))
        now = timezone.now()
        token = invitation.new_token()
        invitation.sent_at = now
        invitation.expires_at = now + timedelta(days=settings.INVITATION_VALID_DAYS)
        if by is not None:
            invitation.invited_by = by
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "invited_by"])
        _record_staff_action(
            by,
            action="accounts.invitation_resent",
            target=invitation,
            organisation_id=invitation.organisation_id,
        )
        _schedule_email(invitation, token)
    return invitation


def revoke_invitation(*, invitation: Invitation, by: User | None) -> Invitation:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise InvitationError(_("Cette invitation a déjà été acceptée."))
        if not invitation.revoked_at:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            _record_staff_action(
                by,
                action="accounts.invitation_revoked",
                target=invitation,
                organisation_id=invitation.organisation_id,
            )
    return invitation


def usable_invitation(token: str) -> Invitation | None:
    """The invitation behind ``token`` whatever its state, or None when the token is unknown."""
    if not token:
        return None
    return Invitation.objects.for_token(token).select_related("organisation").first()


def _lock_pending(invitation: Invitation) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    )
    if invitation.status != Invitation.Status.PENDING:
        raise InvitationError(_("Cette invitation n'est plus valable."))
    return invitation


def _join(*, invitation: Invitation, user: User) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    if not created and invitation.role == Role.ADMIN and membership.role != Role.ADMIN:
        membership.role = Role.ADMIN
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    """An existing, signed-in user accepts; already a member: the invitation is simply used up."""
    with transaction.atomic():
        invitation = _lock_pending(invitation)
        if user.email.lower() != invitation.email.lower():
            raise InvitationError(_("Cette invitation est adressée à une autre adresse e-mail."))
        membership = _join(invitation=invitation, user=user)
        EmailAddress.objects.filter(user=user, email__iexact=invitation.email).update(verified=True)
    return membership


def accept_invitation_as_new_user(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> Membership:
    """A newcomer accepts: their account is created with the invited (hence proven) address."""
    with transaction.atomic():
        invitation = _lock_pending(invitation)
        UserModel = get_user_model()
        if UserModel.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError(
                _("Un compte existe déjà pour cette adresse : connectez-vous pour accepter.")
            )
        user = UserModel.objects.create_user(
            email=invitation.email,
            password=password,
            first_name=first_name,
            last_name=last_name,
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        membership = _join(invitation=invitation, user=user)
    return membership


# --- Memberships ------------------------------------------------------------------------------


def _admins_left_after(membership: Membership) -> int:
    admins = list(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .values_list("pk", flat=True)
    )
    return len(admins)


def change_role(*, membership: Membership, role: str, by: User | None) -> Membership:
    """Change a member's role; an organisation always keeps at least one administrator."""
    if role not in Role.values:
        raise AccountsError(_("Rôle inconnu."))
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        promoted = role == Role.ADMIN and membership.role != Role.ADMIN
        if promoted and by is not None and membership.user_id == by.pk:
            raise AccountsError(
                _(
                    "Vous ne pouvez pas vous attribuer un rôle : demandez-le à un autre "
                    "administrateur de l'organisation."
                )
            )
        demoted = membership.role == Role.ADMIN and role != Role.ADMIN
        if demoted and _admins_left_after(membership) == 0:
            raise LastAdministratorError(
                _(
                    "Vous êtes le dernier administrateur : nommez d'abord un autre "
                    "administrateur avant de changer ce rôle."
                )
                if by is not None and membership.user_id == by.pk
                else _(
                    "C'est le dernier administrateur de l'organisation : nommez d'abord "
                    "un autre administrateur."
                )
            )
        before = membership.get_role_display()
        membership.role = role
        membership.save(update_fields=["role"])
        _record_staff_action(
            by,
            action="accounts.role_changed",
            target=membership,
            organisation_id=membership.organisation_id,
            changes={"role": (before, membership.get_role_display())},
        )
    return membership


def remove_member(*, membership: Membership, by: User | None) -> None:
    """Remove someone from an organisation; never its last administrator."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == Role.ADMIN and _admins_left_after(membership) == 0:
            raise LastAdministratorError(
                _(
                    "Vous êtes le dernier administrateur : nommez d'abord un autre "
                    "administrateur avant de quitter l'organisation."
                )
                if by is not None and membership.user_id == by.pk
                else _(
                    "C'est le dernier administrateur de l'organisation : nommez d'abord "
                    "un autre administrateur."
                )
            )
        _record_staff_action(
            by,
            action="accounts.member_removed",
            target=membership,
            organisation_id=membership.organisation_id,
            changes={"role": (membership.get_role_display(), None)},
        )
        membership.delete()


# --- Organisations ----------------------------------------------------------------------------


def set_public_naming(*, organisation: Organisation, public_naming: bool, by: User) -> Organisation:
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = organisation.public_naming
        organisation.public_naming = public_naming
        organisation.save(update_fields=["public_naming"])
        if before != public_naming:
            _record_staff_action(
                by,
                action="accounts.public_naming_changed",
                target=organisation,
                organisation_id=organisation.pk,
                changes={"public_naming": (before, public_naming)},
            )
    return organisation


# What staff create, with the action recorded in the journal.
STAFF_CREATED_ACTIONS = {
    Organisation.Kind.LARGE_ACCOUNT: "accounts.large_account_created",
    Organisation.Kind.FEDERATOR: "accounts.federator_created",
}


def create_staff_organisation(
    *,
    kind: str,
    name: str,
    siren: str,
    sector: str = "",
    joined_on: datetime.date | None = None,
    public_naming: bool = False,
    admin_email: str,
    by: User,
) -> tuple[Organisation, Invitation]:
    """Staff create an organisation of a kind only they create (a large account, a federator)
    and invite its first administrator in one step.

    SirenConflictError when an unverified SME registration holds the SIREN (staff resolve it
    instead of being blocked); a verified organisation's SIREN is a plain validation error."""
    if kind not in STAFF_CREATED_ACTIONS:
        raise AccountsError(_("Ce type d'organisation n'est pas créé par l'équipe du programme."))
    held_by = Organisation.objects.filter(siren="".join(siren.split())).first()
    if held_by is not None and held_by.is_sme and not held_by.is_verified:
        raise SirenConflictError(
            _(
                "Ce SIREN est réclamé par une inscription de PME non vérifiée, « %(name)s ». "
                "Examinez-la : si elle n'est pas légitime, libérez le SIREN, puis créez "
                "l'organisation."
            )
            % {"name": held_by.name},
            organisation=held_by,
        )
    with transaction.atomic():
        organisation = Organisation(
            kind=kind,
            name=name,
            siren=siren,
            sector=sector,
            joined_on=joined_on,
            public_naming=public_naming,
        )
        organisation.full_clean()
        organisation.save()
        _record_staff_action(
            by,
            action=STAFF_CREATED_ACTIONS[kind],
            target=organisation,
            organisation_id=organisation.pk,
            changes={"name": (None, organisation.name), "siren": (None, organisation.siren)},
        )
        invitation = invite(organisation=organisation, email=admin_email, role=Role.ADMIN, by=by)
    return organisation, invitation


def create_large_account(**kwargs) -> tuple[Organisation, Invitation]:
    """Staff create a large account and invite its first administrator."""
    return create_staff_organisation(kind=Organisation.Kind.LARGE_ACCOUNT, **kwargs)


def transfer_administration(
    *, organisation: Organisation, to_user: User, by: User, reason: str, remove_previous: bool
) -> Membership:
    """Programme staff hand an organisation's administration to ``to_user``: they become its
    administrator; the previous administrators become members, or leave it (``remove_previous``).
    Recorded in the audit log; both sides are told by email."""
    reason = (reason or "").strip()
    if not by.is_programme_staff:
        raise AccountsError(_("Seule l'équipe du programme peut transférer une administration."))
    if not reason:
        raise AccountsError(_("Indiquez le motif du transfert."))
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        previous = list(
            Membership.objects.select_for_update()
            .filter(organisation=organisation, role=Role.ADMIN)
            .exclude(user=to_user)
            .select_related("user")
        )
        before = sorted(m.user.email for m in previous)
        membership, _created = Membership.objects.get_or_create(
            user=to_user, organisation=organisation, defaults={"role": Role.ADMIN}
        )
        if membership.role != Role.ADMIN:
            membership.role = Role.ADMIN
            membership.save(update_fields=["role"])
        for old in previous:
            if remove_previous:
                old.delete()
            else:
                old.role = Role.MEMBER
                old.save(update_fields=["role"])
        record(
            actor=by,
            action="organisation.administration_transferred",
            target=organisation,
            organisation_id=organisation.pk,
            changes={
                "administrators": (", ".join(before), to_user.email),
                "previous_administrators": (
                    "admin",
                    "removed" if remove_previous else "member",
                ),
            },
            reason=reason,
        )
        with translation.override(settings.LANGUAGE_CODE):
            mail.send_later(
                to=[to_user.email],
                subject=_("Vous administrez désormais %(org)s") % {"org": organisation.name},
                body=_(
                    "L'équipe du programme Pacte PME vous a confié l'administration de %(org)s.\n\n"
                    "Motif : %(reason)s\n\n%(url)s\n"
                )
                % {
                    "org": organisation.name,
                    "reason": reason,
                    "url": settings.SITE_URL + reverse("accounts:dashboard"),
                },
            )
            if previous:
                mail.send_later(
                    to=[m.user.email for m in previous],
                    subject=elide(
                        _("Administration de %(org)s transférée") % {"org": organisation.name}
                    ),
                    body=(
                        _(
                            "L'équipe du programme Pacte PME a confié l'administration de "
                            "%(org)s à %(who)s.\n\nMotif : %(reason)s\n\n"
                        )
                        + (
                            _("Vous n'êtes plus membre de cette organisation.\n")
                            if remove_previous
                            else _("Vous en restez membre, sans droits d'administration.\n")
                        )
                        + _("Une question ? Répondez à l'équipe du programme.\n")
                    )
                    % {"org": organisation.name, "who": to_user.email, "reason": reason},
                )
    return membership
