"""Changing editions: editions and conventions (programme staff), the large accounts of an edition
(staff and the edition's federators), join requests (a large account's administrator asks, staff
or a federator decide), and emails to the accounts' administrators.

Every function is keyword-only, writes inside one transaction, records staff and federator
actions in the audit log, and queues its emails in the outbox (sent once the change commits)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import mail
from accounts.french import elide
from accounts.models import Membership, Organisation, Role, User
from audit.services import record
from directory.services import check_pdf

from .models import Convention, Edition, EditionAccount

LOGO_MAX_BYTES = 1024 * 1024
# The first bytes of the logo formats an edition's page shows (checked by content, not by name).
LOGO_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


class EditionsError(Exception):
    """A refused change; its message is shown to the person as is."""


def check_logo(upload) -> None:
    """A PNG, JPEG or SVG image of at most 1 MB, judged by its content. ValidationError otherwise."""
    if upload is None or not upload.size:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(_("Le logo dépasse 1 Mo : envoyez une image plus légère."))
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if head.startswith(LOGO_SIGNATURES):
        return
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<svg", b"<?xml")) and b"<svg" in text:
        return
    raise ValidationError(_("Seules les images PNG, JPEG ou SVG sont acceptées."), code="not_image")


def check_signed_document(upload) -> None:
    """A PDF of at most 5 MB (by its first bytes, like the SMEs' identity documents)."""
    try:
        check_pdf(upload)
    except ValidationError as error:
        if error.code == "not_pdf":
            raise ValidationError(
                _("Seuls les fichiers PDF sont acceptés."), code="not_pdf"
            ) from None
        raise


def _changes(instance, before: dict, fields) -> dict:
    return {
        field: (before.get(field), getattr(instance, field))
        for field in fields
        if before.get(field) != getattr(instance, field)
    }


# --- Editions and conventions (programme staff) ---------------------------------------------


def save_edition(*, edition: Edition, form_fields: dict, m2m: dict, logo, by: User) -> Edition:
    """Create or change an edition (programme staff). `form_fields` are plain fields, `m2m` the
    territory and sector sets, `logo` a checked upload or None (keep)."""
    if not by.is_programme_staff:
        raise PermissionDenied
    created = edition.pk is None
    with transaction.atomic():
        before = {} if created else dict(Edition.objects.filter(pk=edition.pk).values()[0])
        for field, value in form_fields.items():
            setattr(edition, field, value)
        if logo is not None:
            check_logo(logo)
            edition.logo.save(logo.name.rsplit("/", 1)[-1][:100] or "logo", logo, save=False)
        edition.full_clean(exclude=["logo"])
        edition.save()
        for field, values in m2m.items():
            getattr(edition, field).set(values)
        record(
            actor=by,
            action="editions.edition_created" if created else "editions.edition_changed",
            target=edition,
            changes=_changes(edition, before, form_fields),
        )
    return edition


def save_convention(*, convention: Convention, form_fields: dict, document, by: User):
    """Create or change a convention (programme staff); `document` a signed PDF or None (keep)."""
    if not by.is_programme_staff:
        raise PermissionDenied
    created = convention.pk is None
    with transaction.atomic():
        before = {} if created else dict(Convention.objects.filter(pk=convention.pk).values()[0])
        for field, value in form_fields.items():
            setattr(convention, field, value)
        if not convention.federator.is_federator:
            raise EditionsError(_("Une convention se signe avec un fédérateur."))
        if document is not None:
            check_signed_document(document)
            convention.signed_document.save("convention.pdf", document, save=False)
        convention.full_clean(exclude=["signed_document"])
        convention.save()
        changes = _changes(convention, before, [f for f in form_fields if f != "federator"])
        if document is not None:
            changes["signed_document"] = (None, convention.signed_document.name)
        record(
            actor=by,
            action="editions.convention_created" if created else "editions.convention_changed",
            target=convention,
            organisation_id=convention.federator_id,
            changes=changes,
        )
    return convention


# --- Large accounts of an edition ----------------------------------------------------------


def _admin_emails(organisation: Organisation) -> list[str]:
    return list(
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN).values_list(
            "user__email", flat=True
        )
    )


def _deciders_emails(edition: Edition) -> list[str]:
    """Programme staff and the members of the federators running the edition today."""
    staff = User.objects.filter(is_programme_staff=True, is_active=True).values_list(
        "email", flat=True
    )
    federators = Membership.objects.filter(
        organisation__in=Convention.objects.in_force()
        .filter(edition=edition)
        .values("federator_id"),
        user__is_active=True,
    ).values_list("user__email", flat=True)
    return sorted(set(staff) | set(federators))


def _edition_url(edition: Edition, name: str = "editions:manage") -> str:
    return settings.SITE_URL + reverse(name, args=[edition.slug])


def add_account(*, edition: Edition, organisation: Organisation, by: User) -> EditionAccount:
    """Staff or a federator of the edition add a large account (accepting a pending request)."""
    if not organisation.is_large_account:
        raise EditionsError(_("Seul un grand compte peut rejoindre une édition."))
    with transaction.atomic():
        membership, created = EditionAccount.objects.select_for_update().get_or_create(
            edition=edition,
            organisation=organisation,
            defaults={"state": EditionAccount.State.MEMBER, "decided_by": by},
        )
        if not created and membership.state == EditionAccount.State.MEMBER:
            raise EditionsError(
                elide(_("%(name)s est déjà membre de l'édition.") % {"name": organisation.name})
            )
        before = None if created else membership.get_state_display()
        membership.state = EditionAccount.State.MEMBER
        membership.decided_by = by
        membership.decided_at = timezone.now()
        membership.save()
        record(
            actor=by,
            action="editions.account_added",
            target=membership,
            organisation_id=organisation.pk,
            changes={"state": (before, membership.get_state_display())},
        )
        with translation.override(settings.LANGUAGE_CODE):
            mail.send_later(
                to=_admin_emails(organisation),
                subject=elide(
                    _("%(org)s rejoint l'édition %(edition)s")
                    % {"org": organisation.name, "edition": edition.name}
                ),
                body=_(
                    "%(org)s fait désormais partie de l'édition « %(edition)s » du programme "
                    "Pacte PME : vos déclarations compteront aussi dans ses chiffres et son "
                    "rapport.\n\n%(url)s\n"
                )
                % {
                    "org": organisation.name,
                    "edition": edition.name,
                    "url": settings.SITE_URL + reverse("accounts:dashboard"),
                },
            )
    return membership


def remove_account(*, membership: EditionAccount, by: User) -> None:
    with transaction.atomic():
        membership = EditionAccount.objects.select_for_update().get(pk=membership.pk)
        record(
            actor=by,
            action="editions.account_removed",
            target=membership,
            organisation_id=membership.organisation_id,
            changes={"state": (membership.get_state_display(), None)},
        )
        membership.delete()


def request_to_join(
    *, edition: Edition, organisation: Organisation, message: str, by: User
) -> EditionAccount:
    """A large account's administrator asks to join an edition; staff and the edition's
    federators are told by email."""
    if not organisation.is_large_account:
        raise PermissionDenied
    if not Membership.objects.filter(user=by, organisation=organisation, role=Role.ADMIN).exists():
        raise PermissionDenied
    if edition.status != Edition.Status.ACTIVE:
        raise EditionsError(_("Cette édition n'accepte pas de demande d'adhésion."))
    message = (message or "").strip()
    with transaction.atomic():
        membership, created = EditionAccount.objects.select_for_update().get_or_create(
            edition=edition,
            organisation=organisation,
            defaults={
                "state": EditionAccount.State.REQUESTED,
                "message": message,
                "requested_by": by,
            },
        )
        if not created:
            if membership.state == EditionAccount.State.MEMBER:
                raise EditionsError(_("Votre organisation est déjà membre de cette édition."))
            if membership.state == EditionAccount.State.REQUESTED:
                raise EditionsError(_("Votre demande est déjà en attente d'une réponse."))
            membership.state = EditionAccount.State.REQUESTED
            membership.message = message
            membership.requested_by = by
            membership.decided_by = None
            membership.decided_at = None
            membership.save()
        with translation.override(settings.LANGUAGE_CODE):
            mail.send_later(
                to=_deciders_emails(edition),
                subject=elide(
                    _("Demande d'adhésion de %(org)s à l'édition %(edition)s")
                    % {"org": organisation.name, "edition": edition.name}
                ),
                body=_(
                    "%(who)s demande, pour %(org)s, à rejoindre l'édition « %(edition)s ».\n\n"
                    "Message : %(message)s\n\nAcceptez ou refusez la demande : %(url)s\n"
                )
                % {
                    "who": by.email,
                    "org": organisation.name,
                    "edition": edition.name,
                    "message": message or "—",
                    "url": _edition_url(edition),
                },
            )
    return membership


def decide_request(
    *, membership: EditionAccount, accept: bool, reason: str = "", by: User
) -> EditionAccount:
    """Staff or a federator of the edition accept or refuse a join request (a refusal says why);
    the account's administrators are told by email."""
    reason = (reason or "").strip()
    if not accept and not reason:
        raise EditionsError(_("Indiquez le motif du refus."))
    with transaction.atomic():
        membership = (
            EditionAccount.objects.select_for_update()
            .select_related("edition", "organisation")
            .get(pk=membership.pk)
        )
        if membership.state != EditionAccount.State.REQUESTED:
            raise EditionsError(_("Cette demande a déjà reçu une réponse."))
        membership.state = EditionAccount.State.MEMBER if accept else EditionAccount.State.REFUSED
        membership.decided_by = by
        membership.decided_at = timezone.now()
        membership.save(update_fields=["state", "decided_by", "decided_at"])
        record(
            actor=by,
            action="editions.request_accepted" if accept else "editions.request_refused",
            target=membership,
            organisation_id=membership.organisation_id,
            changes={
                "state": (
                    EditionAccount.State.REQUESTED.label,
                    membership.get_state_display(),
                )
            },
            reason=reason,
        )
        edition, organisation = membership.edition, membership.organisation
        with translation.override(settings.LANGUAGE_CODE):
            if accept:
                subject = _("Bienvenue dans l'édition %(edition)s")
                body = _(
                    "Votre demande d'adhésion de %(org)s à l'édition « %(edition)s » est "
                    "acceptée.\n\n%(reason)s%(url)s\n"
                )
            else:
                subject = _("Votre demande d'adhésion à l'édition %(edition)s")
                body = _(
                    "Votre demande d'adhésion de %(org)s à l'édition « %(edition)s » n'a pas "
                    "été acceptée.\n\n%(reason)s%(url)s\n"
                )
            values = {
                "org": organisation.name,
                "edition": edition.name,
                "reason": (_("Motif : %(reason)s") % {"reason": reason} + "\n\n") if reason else "",
                "url": settings.SITE_URL + reverse("accounts:dashboard"),
            }
            mail.send_later(
                to=_admin_emails(organisation),
                subject=elide(subject % values),
                body=body % values,
            )
    return membership


def email_account_admins(
    *, edition: Edition, organisations, subject: str, body: str, by: User
) -> int:
    """Write to the administrators of some of the edition's member accounts (one email each, so
    that no one sees the others' addresses). Returns how many emails were queued."""
    member_ids = set(
        EditionAccount.objects.filter(
            edition=edition, state=EditionAccount.State.MEMBER
        ).values_list("organisation_id", flat=True)
    )
    chosen = [org for org in organisations if org.pk in member_ids]
    sent = 0
    with transaction.atomic():
        for organisation in chosen:
            emails = _admin_emails(organisation)
            for email in emails:
                mail.send_later(to=[email], subject=subject, body=body)
                sent += 1
            if emails:
                record(
                    actor=by,
                    action="editions.accounts_emailed",
                    target=edition,
                    organisation_id=organisation.pk,
                    changes={"subject": (None, subject)},
                )
    return sent
