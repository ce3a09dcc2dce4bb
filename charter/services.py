"""Changing the charter's state: publish a version, sign it, name contacts, set targets, remind
the signatories of an earlier version. Each service checks who may act and the transition."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mail import send_later
from accounts.models import Membership, Organisation, Role, User
from audit.services import record
from directory.reference import PROVIDERS_CHARTER_LABEL
from directory.services import set_granted_label
from procurement.models import Campaign, Declaration

from . import selectors
from .models import MAX_ACTIONS, CharterVersion, Contacts, Signature, Targets


class TransitionError(ValidationError):
    pass


def _is_admin(user: User, organisation: Organisation) -> bool:
    return Membership.objects.filter(user=user, organisation=organisation, role=Role.ADMIN).exists()


def admin_emails(organisation: Organisation) -> list[str]:
    return list(
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


# --- versions ---------------------------------------------------------------------------------


def publish_version(
    *, version: CharterVersion, by: User, renewal_deadline: datetime.date | None = None
) -> CharterVersion:
    """Staff publish a draft version; from then on it never changes. Signatories of an earlier
    version become « à renouveler » (computed from their latest signed version)."""
    if not by.is_programme_staff:
        raise PermissionDenied
    with transaction.atomic():
        version = CharterVersion.objects.select_for_update().get(pk=version.pk)
        if version.is_published:
            raise TransitionError(_("Cette version est déjà publiée."))
        if not version.commitments.exists():
            raise TransitionError(_("Une charte sans engagement ne peut pas être publiée."))
        latest = (
            CharterVersion.objects.filter(kind=version.kind, published_at__isnull=False)
            .order_by("-number")
            .first()
        )
        if latest is not None and latest.number > version.number:
            raise TransitionError(_("Une version plus récente est déjà publiée."))
        version.published_at = timezone.now()
        version.published_by = by
        version.renewal_deadline = renewal_deadline
        version.save(update_fields=["published_at", "published_by", "renewal_deadline"])
        record(
            actor=by,
            action="charter.version_published",
            target=version,
            changes={"published_at": (None, version.published_at.isoformat())},
        )
    return version


def set_renewal_deadline(
    *, version: CharterVersion, by: User, deadline: datetime.date | None
) -> CharterVersion:
    """Staff set (or move) the date by which signatories of earlier versions renew."""
    if not by.is_programme_staff:
        raise PermissionDenied
    with transaction.atomic():
        before = version.renewal_deadline
        version.renewal_deadline = deadline
        version.save(update_fields=["renewal_deadline"])
        record(
            actor=by,
            action="charter.renewal_deadline_set",
            target=version,
            changes={"renewal_deadline": (str(before or ""), str(deadline or ""))},
        )
    return version


# --- signing ----------------------------------------------------------------------------------


def sign(
    *,
    organisation: Organisation,
    version: CharterVersion,
    by: User,
    signer_name: str,
    signer_role: str,
    commitment_ids: list[int],
) -> Signature:
    """An administrator of the organisation signs the version in force, every commitment
    ticked. A large account signs the members' charter; a verified SME the providers' one."""
    if not _is_admin(by, organisation):
        raise PermissionDenied
    expected_kind = selectors.kind_for(organisation)
    if version.kind != expected_kind:
        raise PermissionDenied
    if organisation.is_sme and not organisation.is_verified:
        raise TransitionError(
            _("L'identité de votre entreprise doit être vérifiée avant de signer la charte.")
        )
    current = selectors.current_version(version.kind)
    if current is None or current.pk != version.pk:
        raise TransitionError(_("Cette version de la charte n'est plus celle en vigueur."))
    expected = set(version.commitments.values_list("pk", flat=True))
    if set(commitment_ids) != expected:
        raise TransitionError(_("Cochez chacun des engagements pour signer."))
    if not signer_name.strip() or not signer_role.strip():
        raise TransitionError(_("Indiquez votre nom et votre fonction."))
    with transaction.atomic():
        if Signature.objects.filter(organisation=organisation, version=version).exists():
            raise TransitionError(_("Votre organisation a déjà signé cette version."))
        signature = Signature.objects.create(
            organisation=organisation,
            version=version,
            signed_by=by,
            signer_name=signer_name.strip(),
            signer_role=signer_role.strip(),
            signed_at=timezone.now(),
            commitment_ids=sorted(expected),
        )
        if version.kind == CharterVersion.Kind.MEMBERS and organisation.charter_signed_on is None:
            # "Signataire depuis": the date of the first signature, kept on the organisation.
            organisation.charter_signed_on = timezone.localdate(signature.signed_at)
            organisation.save(update_fields=["charter_signed_on"])
        if version.kind == CharterVersion.Kind.PROVIDERS:
            # A badge in the directory and a facet to filter on: a label the programme grants.
            set_granted_label(siren=organisation.siren, slug=PROVIDERS_CHARTER_LABEL, granted=True)
        signature_id = signature.pk
        transaction.on_commit(lambda: _enqueue_certificate(signature_id))
    return signature


def _enqueue_certificate(signature_id: int) -> None:
    from .tasks import render_certificate

    if settings.EMAIL_SEND_INLINE:  # tests without a worker: rendered in this process
        from .certificates import issue_certificate

        issue_certificate(signature_id=signature_id)
    else:
        render_certificate.delay(signature_id)


# --- contacts ---------------------------------------------------------------------------------


def save_contacts(
    *,
    organisation: Organisation,
    by: User,
    correspondent_name: str,
    correspondent_email: str,
    mediator_name: str,
    mediator_email: str,
) -> Contacts:
    """An administrator of a large account names its SME correspondent and internal mediator."""
    if not _is_admin(by, organisation) or organisation.is_sme:
        raise PermissionDenied
    with transaction.atomic():
        contacts, _created = Contacts.objects.update_or_create(
            organisation=organisation,
            defaults={
                "correspondent_name": correspondent_name.strip(),
                "correspondent_email": correspondent_email.strip().lower(),
                "mediator_name": mediator_name.strip(),
                "mediator_email": mediator_email.strip().lower(),
            },
        )
    return contacts


# --- targets ----------------------------------------------------------------------------------


def can_set_targets(organisation: Organisation, campaign: Campaign) -> bool:
    """Targets are set while the campaign is not closed and before the year's declaration is
    submitted (afterwards they are compared with the figures, not changed)."""
    if campaign.state == Campaign.State.CLOSED:
        return False
    return not Declaration.objects.filter(
        organisation=organisation, campaign=campaign, state=Declaration.State.SUBMITTED
    ).exists()


def save_targets(
    *,
    organisation: Organisation,
    campaign: Campaign,
    by: User,
    sme_share: Decimal | None = None,
    registered_share: Decimal | None = None,
    median_payment_delay: int | None = None,
    paid_within_60_share: Decimal | None = None,
    smes_met: int | None = None,
    actions: list[str] | None = None,
) -> Targets:
    if not _is_admin(by, organisation) or organisation.is_sme:
        raise PermissionDenied
    if not can_set_targets(organisation, campaign):
        raise TransitionError(
            _(
                "Les objectifs de cette campagne ne se modifient plus (déclaration soumise ou "
                "campagne close)."
            )
        )
    actions = [a.strip() for a in (actions or []) if a and a.strip()]
    if len(actions) > MAX_ACTIONS:
        raise TransitionError(_("Cinq actions au plus."))
    with transaction.atomic():
        targets, _created = Targets.objects.update_or_create(
            organisation=organisation,
            campaign=campaign,
            defaults={
                "sme_share": sme_share,
                "registered_share": registered_share,
                "median_payment_delay": median_payment_delay,
                "paid_within_60_share": paid_within_60_share,
                "smes_met": smes_met,
                "actions": actions,
                "updated_by": by,
            },
        )
    return targets


# --- renewal reminders ------------------------------------------------------------------------


def send_renewal_reminders(*, today: datetime.date | None = None) -> int:
    """Email the administrators of each signatory « à renouveler », at most once a day each
    (the day is written on the superseded signature in the same transaction as the email)."""
    today = today or timezone.localdate()
    current = selectors.current_version(CharterVersion.Kind.MEMBERS)
    if current is None:
        return 0
    sent = 0
    pending = list(
        selectors.organisations_to_renew(CharterVersion.Kind.MEMBERS).values_list("pk", flat=True)
    )
    url = settings.SITE_URL + reverse("charter:sign")
    for pk in pending:
        with transaction.atomic():
            signature = (
                Signature.objects.select_for_update(skip_locked=True)
                .select_related("organisation", "version")
                .filter(pk=pk)
                .first()
            )
            if signature is None or signature.reminded_on == today:
                continue
            deadline = (
                _("avant le %(date)s") % {"date": current.renewal_deadline.strftime("%d/%m/%Y")}
                if current.renewal_deadline
                else _("dès que possible")
            )
            send_later(
                to=admin_emails(signature.organisation),
                subject=_("Charte Pacte PME : nouvelle version à signer"),
                body=_(
                    "Bonjour,\n\n%(org)s a signé la version %(old)s de la charte Pacte PME. "
                    "La version %(new)s est en vigueur : merci de la relire et de la signer "
                    "%(deadline)s.\n\n%(url)s\n"
                )
                % {
                    "org": signature.organisation.name,
                    "old": signature.version.number,
                    "new": current.number,
                    "deadline": deadline,
                    "url": url,
                },
            )
            signature.reminded_on = today
            signature.save(update_fields=["reminded_on"])
            sent += 1
    return sent
