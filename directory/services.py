"""Changing the directory: registration, join requests, profile edits and moderation.

Every service checks the transition, writes inside one transaction and sends its emails once the
transaction is committed.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.fr import siren as siren_number

from accounts import mail
from accounts.french import elide
from accounts.models import Membership, Organisation, Role, User
from accounts.services import AccountsError, transfer_administration
from audit.services import record

from .models import (
    ArbitrationRequest,
    JoinRequest,
    Label,
    ProfileChange,
    SMEProfile,
    VerificationDocument,
)
from .search import bump_version

# Fields shown in the directory and compared between versions, in form order.
TRACKED_FIELDS = [
    "name",
    "legal_form",
    "website",
    "founded_year",
    "departement",
    "naf",
    "domains",
    "headcount_band",
    "revenue_band",
    "labels",
    "description",
    "keywords",
    "contact_email",
]
# What the completeness meter looks at; the first ones are needed to submit for review.
REQUIRED_TO_SUBMIT = ["name", "departement", "domains", "headcount_band", "description"]
COMPLETENESS_FIELDS = [
    "name",
    "legal_form",
    "website",
    "founded_year",
    "departement",
    "naf",
    "domains",
    "headcount_band",
    "revenue_band",
    "description",
    "keywords",
    "contact_email",
]


class TransitionError(Exception):
    """The profile is not in a state that allows this action."""


def compact_siren(value: str) -> str:
    return siren_number.compact(value or "")


# --- emails -------------------------------------------------------------------------------------


def _admin_emails(organisation: Organisation) -> list[str]:
    return list(
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def _mail_later(subject: str, body: str, recipients: Iterable[str]) -> None:
    # Names follow "de" in these messages: "le profil d'Énergies…" (accounts.french).
    mail.send_later(to=recipients, subject=elide(subject), body=body)


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


# --- registration and join requests --------------------------------------------------------------


def register_sme(*, user: User, siren: str, name: str) -> SMEProfile:
    """Create the SME organisation, make `user` its administrator and open a draft profile."""
    siren = compact_siren(siren)
    siren_number.validate(siren)
    name = name.strip()
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                kind=Organisation.Kind.SME, name=name, siren=siren
            )
            Membership.objects.create(user=user, organisation=organisation, role=Role.ADMIN)
            profile = SMEProfile.objects.create(
                organisation=organisation, siren=siren, name=name, state=SMEProfile.State.DRAFT
            )
            ProfileChange.objects.create(profile=profile, kind=ProfileChange.Kind.CREATED, by=user)
    except IntegrityError as exc:
        raise ValidationError(_("Ce SIREN est déjà inscrit."), code="duplicate") from exc
    return profile


@dataclass
class Registration:
    """What registering a SIREN led to: a new profile, a join request, or nothing to do (the
    person already belongs to the SME: both are None)."""

    organisation: Organisation
    profile: SMEProfile | None = None
    join_request: JoinRequest | None = None


def register_or_join(*, user: User, siren: str, name: str = "", message: str = "") -> Registration:
    """A new SIREN creates the SME (`user` administrator, draft profile); a known one becomes a
    request to join it. ValidationError for a large account's SIREN or a missing name."""
    siren = compact_siren(siren)
    organisation = Organisation.objects.filter(siren=siren).first()
    if organisation is None:
        if not name.strip():
            raise ValidationError(
                _("Indiquez la raison sociale de votre PME."), code="name_required"
            )
        profile = register_sme(user=user, siren=siren, name=name)
        return Registration(organisation=profile.organisation, profile=profile)
    if not organisation.is_sme:
        raise ValidationError(
            _("Ce SIREN est celui d'un grand compte du programme, pas d'une PME."),
            code="large_account",
        )
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        return Registration(organisation=organisation)
    join_request = request_to_join(user=user, organisation=organisation, message=message)
    return Registration(organisation=organisation, join_request=join_request)


def request_to_join(*, user: User, organisation: Organisation, message: str = "") -> JoinRequest:
    """Ask the administrators of an already registered SME to let `user` in."""
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(_("Vous êtes déjà membre de cette PME."), code="already_member")
    with transaction.atomic():
        join_request, created = JoinRequest.objects.get_or_create(
            organisation=organisation,
            user=user,
            state=JoinRequest.State.PENDING,
            defaults={"message": message.strip()[:1000]},
        )
        if created:
            _mail_later(
                _("Demande pour rejoindre %(org)s") % {"org": organisation.name},
                _(
                    "%(who)s demande à rejoindre %(org)s sur le portail du Pacte PME.\n\n"
                    "%(message)s\n\nAcceptez ou refusez la demande ici : %(url)s\n"
                )
                % {
                    "who": user.email,
                    "org": organisation.name,
                    "message": join_request.message,
                    "url": _url("directory:my_profile"),
                },
                _admin_emails(organisation),
            )
    return join_request


def decide_join_request(*, join_request: JoinRequest, by: User, accept: bool) -> JoinRequest:
    with transaction.atomic():
        join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
        if join_request.state != JoinRequest.State.PENDING:
            raise TransitionError(_("Cette demande a déjà été traitée."))
        join_request.state = JoinRequest.State.ACCEPTED if accept else JoinRequest.State.REFUSED
        join_request.decided_at = timezone.now()
        join_request.decided_by = by
        join_request.save(update_fields=["state", "decided_at", "decided_by"])
        organisation = join_request.organisation
        if accept:
            Membership.objects.get_or_create(
                user=join_request.user, organisation=organisation, defaults={"role": Role.MEMBER}
            )
            subject = _("Vous avez rejoint %(org)s") % {"org": organisation.name}
            body = _(
                "Votre demande pour rejoindre %(org)s a été acceptée. "
                "Vous pouvez maintenant tenir son profil à jour : %(url)s\n"
            ) % {"org": organisation.name, "url": _url("directory:my_profile")}
        else:
            subject = _("Votre demande pour rejoindre %(org)s") % {"org": organisation.name}
            body = _(
                "Votre demande pour rejoindre %(org)s a été refusée par ses administrateurs.\n"
            ) % {"org": organisation.name}
        _mail_later(subject, body, [join_request.user.email])
    return join_request


# --- profile content ------------------------------------------------------------------------------


def snapshot(profile: SMEProfile) -> dict:
    """The tracked values as displayable text (for history and the moderators' comparison)."""
    values = {}
    for name in TRACKED_FIELDS:
        if name in ("domains", "labels"):
            values[name] = ", ".join(sorted(str(o) for o in getattr(profile, name).all()))
        elif name in ("departement", "naf"):
            obj = getattr(profile, name)
            values[name] = str(obj) if obj else ""
        else:
            field = SMEProfile._meta.get_field(name)
            value = getattr(profile, name)
            if field.choices and value:
                value = getattr(profile, f"get_{name}_display")()
            values[name] = "" if value is None else str(value)
    return values


def field_label(name: str) -> str:
    return str(SMEProfile._meta.get_field(name).verbose_name)


def diff(before: dict | None, after: dict) -> dict:
    """{field name: [before, after]} for the fields that differ."""
    before = before or {}
    return {
        name: [before.get(name, ""), after.get(name, "")]
        for name in TRACKED_FIELDS
        if before.get(name, "") != after.get(name, "")
    }


def sync_denormalised(profile: SMEProfile) -> None:
    """Copy the domains and labels onto the row (names for the search vector, ids for facets)."""
    domains = list(profile.domains.order_by("id"))
    SMEProfile.objects.filter(pk=profile.pk).update(
        domain_names=" ".join(d.name for d in domains),
        domain_ids=[d.pk for d in domains],
        label_ids=sorted(profile.labels.values_list("id", flat=True)),
    )


def set_granted_label(*, siren: str, slug: str, granted: bool) -> bool:
    """Give (or take back) a label the programme grants, e.g. the providers' charter signed
    (`reference.GRANTED_LABELS`); the facet arrays follow. False when the SIREN has no profile."""
    profile = SMEProfile.objects.filter(siren=siren).first()
    label = Label.objects.filter(slug=slug).first()
    if profile is None or label is None:
        return False
    with transaction.atomic():
        if granted:
            profile.labels.add(label)
        else:
            profile.labels.remove(label)
        sync_denormalised(profile)
        if profile.state == SMEProfile.State.PUBLISHED:
            transaction.on_commit(bump_version)
    return True


def update_profile(*, profile: SMEProfile, form, by: User) -> SMEProfile:
    """Save the edit form. A published profile stays published; the change is recorded."""
    with transaction.atomic():
        before = snapshot(SMEProfile.objects.get(pk=profile.pk))
        profile = form.save(commit=False)
        if profile.departement_id:
            profile.region_id = profile.departement.region_id
        else:
            profile.region = None
        profile.save()
        form.save_m2m()
        sync_denormalised(profile)
        changes = diff(before, snapshot(profile))
        if changes:
            ProfileChange.objects.create(
                profile=profile, kind=ProfileChange.Kind.EDITED, by=by, changes=changes
            )
        if profile.state == SMEProfile.State.PUBLISHED and changes:
            # What the directory shows is the current version.
            SMEProfile.objects.filter(pk=profile.pk).update(published_snapshot=snapshot(profile))
            transaction.on_commit(bump_version)
    profile.refresh_from_db()
    return profile


def missing_fields(profile: SMEProfile) -> list[str]:
    missing = []
    for name in COMPLETENESS_FIELDS:
        if name == "domains":
            empty = not profile.domain_ids
        elif name in ("departement", "naf"):
            empty = getattr(profile, f"{name}_id") is None
        else:
            empty = getattr(profile, name) in (None, "")
        if empty:
            missing.append(name)
    return missing


def completeness(profile: SMEProfile) -> dict:
    missing = missing_fields(profile)
    total = len(COMPLETENESS_FIELDS)
    return {
        "percent": round(100 * (total - len(missing)) / total),
        "missing": [field_label(n) for n in missing],
        "blocking": [field_label(n) for n in missing if n in REQUIRED_TO_SUBMIT],
    }


# --- moderation -----------------------------------------------------------------------------------


def submit_for_review(*, profile: SMEProfile, by: User) -> SMEProfile:
    with transaction.atomic():
        profile = SMEProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.state not in (SMEProfile.State.DRAFT, SMEProfile.State.REJECTED):
            raise TransitionError(_("Ce profil n'est pas en brouillon."))
        blocking = completeness(profile)["blocking"]
        if blocking:
            raise TransitionError(
                _("Complétez d'abord : %(fields)s.") % {"fields": ", ".join(blocking)}
            )
        profile.state = SMEProfile.State.PENDING
        profile.submitted_at = timezone.now()
        profile.rejection_reason = ""
        profile.save(update_fields=["state", "submitted_at", "rejection_reason", "updated_at"])
        ProfileChange.objects.create(profile=profile, kind=ProfileChange.Kind.SUBMITTED, by=by)
        _mail_later(
            _("Profil de %(name)s soumis à validation") % {"name": profile.name},
            elide(
                _(
                    "Le profil de %(name)s a été soumis à l'équipe du programme. "
                    "Vous recevrez un e-mail dès qu'il aura été examiné.\n%(url)s\n"
                )
                % {"name": profile.name, "url": _url("directory:my_profile")}
            ),
            _admin_emails(profile.organisation),
        )
    return profile


def publish_profile(
    *, profile: SMEProfile, by: User, reason: str = "", edition: str = ""
) -> SMEProfile:
    """Publish a profile waiting for review. When the SME is not verified yet, the same decision
    verifies it: staff have looked at the evidence and say why (``reason``, required then).
    ``edition``: the edition(s) a federator acts for, named in the audit."""
    reason = (reason or "").strip()
    with transaction.atomic():
        profile = SMEProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.state != SMEProfile.State.PENDING:
            raise TransitionError(_("Seul un profil en attente de validation peut être publié."))
        organisation = Organisation.objects.select_for_update().get(pk=profile.organisation_id)
        verifying = not organisation.is_verified
        if verifying and not reason:
            raise ValidationError(
                _(
                    "Indiquez sur quoi repose la vérification de l'identité (justificatif, "
                    "domaine de l'e-mail, garantie d'un grand compte)."
                ),
                code="reason_required",
            )
        if verifying:
            _verify(
                organisation=organisation, profile=profile, by=by, reason=reason, edition=edition
            )
        profile.state = SMEProfile.State.PUBLISHED
        profile.published_at = timezone.now()
        profile.rejection_reason = ""
        profile.published_snapshot = snapshot(profile)
        profile.save(
            update_fields=[
                "state",
                "published_at",
                "rejection_reason",
                "published_snapshot",
                "updated_at",
            ]
        )
        ProfileChange.objects.create(profile=profile, kind=ProfileChange.Kind.PUBLISHED, by=by)
        record(
            actor=by,
            action="directory.profile_published",
            target=profile,
            organisation_id=organisation.pk,
            changes={
                "state": (SMEProfile.State.PENDING.label, profile.get_state_display()),
                **_edition_change(edition),
            },
            reason=reason,
        )
        transaction.on_commit(bump_version)
        body = elide(
            _(
                "Bonne nouvelle : le profil de %(name)s est publié dans l'annuaire du Pacte PME.\n"
                "%(url)s\n"
            )
            % {"name": profile.name, "url": _url("directory:detail", profile.siren)}
        )
        if verifying:
            body += "\n" + _(
                "L'équipe du programme a vérifié que vous représentez bien cette entreprise : "
                "vous voyez désormais les commandes déclarées en son nom et pouvez y répondre.\n"
                "%(url)s\n"
            ) % {"url": _url("procurement:sme_orders")}
        _mail_later(
            _("Le profil de %(name)s est publié") % {"name": profile.name},
            body,
            _admin_emails(profile.organisation),
        )
    return profile


def verify_sme(*, profile: SMEProfile, by: User, reason: str, edition: str = "") -> Organisation:
    """Staff verify an SME's identity without publishing its profile (the profile's content still
    needs work, say): its members see the orders declared in its name from now on."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Indiquez sur quoi repose la vérification de l'identité."), code="reason_required"
        )
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=profile.organisation_id)
        if organisation.is_verified:
            raise TransitionError(_("L'identité de cette PME est déjà vérifiée."))
        _verify(organisation=organisation, profile=profile, by=by, reason=reason, edition=edition)
        _mail_later(
            _("Identité de %(name)s vérifiée") % {"name": organisation.name},
            _(
                "L'équipe du programme a vérifié que vous représentez bien %(name)s : vous voyez "
                "désormais les commandes déclarées en son nom et pouvez y répondre.\n%(url)s\n"
            )
            % {"name": organisation.name, "url": _url("procurement:sme_orders")},
            _admin_emails(organisation),
        )
    return organisation


def _edition_change(edition: str) -> dict:
    """The audit's mention of the edition(s) a federator acted for (none for programme staff)."""
    return {"edition": ("", edition)} if edition else {}


def _verify(
    *, organisation: Organisation, profile: SMEProfile, by: User, reason: str, edition: str = ""
) -> None:
    organisation.verified_at = timezone.now()
    organisation.verified_by = by
    organisation.save(update_fields=["verified_at", "verified_by"])
    ProfileChange.objects.create(
        profile=profile, kind=ProfileChange.Kind.VERIFIED, by=by, changes={"reason": reason}
    )
    record(
        actor=by,
        action="directory.sme_verified",
        target=organisation,
        organisation_id=organisation.pk,
        changes={"verified": (False, True), **_edition_change(edition)},
        reason=reason,
    )
    discard_documents(organisation=organisation)


def reject_profile(*, profile: SMEProfile, by: User, reason: str, edition: str = "") -> SMEProfile:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indiquez le motif du refus."), code="reason_required")
    with transaction.atomic():
        profile = SMEProfile.objects.select_for_update().get(pk=profile.pk)
        if profile.state != SMEProfile.State.PENDING:
            raise TransitionError(_("Seul un profil en attente de validation peut être refusé."))
        organisation = profile.organisation
        profile.state = SMEProfile.State.REJECTED
        profile.rejection_reason = reason
        profile.save(update_fields=["state", "rejection_reason", "updated_at"])
        ProfileChange.objects.create(
            profile=profile, kind=ProfileChange.Kind.REJECTED, by=by, changes={"reason": reason}
        )
        record(
            actor=by,
            action="directory.profile_rejected",
            target=profile,
            organisation_id=organisation.pk,
            changes={
                "state": (SMEProfile.State.PENDING.label, profile.get_state_display()),
                **_edition_change(edition),
            },
            reason=reason,
        )
        # The decision is taken: the identity document has been read and goes.
        discard_documents(organisation=organisation)
        body = _(
            "L'équipe du programme n'a pas publié le profil de %(name)s, pour le motif "
            "suivant :\n\n%(reason)s\n\nCorrigez le profil puis soumettez-le de nouveau : "
            "%(url)s\n"
        ) % {"name": profile.name, "reason": reason, "url": _url("directory:my_profile")}
        if not organisation.is_verified:
            body += "\n" + _(
                "L'identité de la PME n'est pas vérifiée : joignez un extrait Kbis ou un avis de "
                "situation INSEE récent (PDF) avant de soumettre de nouveau.\n"
            )
        _mail_later(
            _("Le profil de %(name)s doit être revu") % {"name": profile.name},
            body,
            _admin_emails(organisation),
        )
    return profile


def changes_since_publication(profile: SMEProfile) -> list[dict]:
    """For moderators: [{label, before, after}] between the last published and current version."""
    return [
        {"label": field_label(name), "before": before, "after": after}
        for name, (before, after) in diff(profile.published_snapshot, snapshot(profile)).items()
    ]


def refresh_domain_names(*, domain) -> int:
    """After a domain is renamed: rewrite the names its profiles are searched by."""
    from django.db.models import Func, OuterRef, Subquery, Value

    from .models import Domain

    names = (
        Domain.objects.filter(profiles=OuterRef("pk"))
        .order_by()
        .values("profiles")
        .annotate(joined=Func("name", Value(" "), function="string_agg"))
        .values("joined")
    )
    with transaction.atomic():
        count = SMEProfile.objects.filter(domains=domain).update(domain_names=Subquery(names))
        transaction.on_commit(bump_version)
    return count


# --- identity evidence ----------------------------------------------------------------------------


def check_pdf(upload) -> None:
    """A PDF of at most VERIFICATION_DOCUMENT_MAX_BYTES: the size, then the first bytes (%PDF-),
    whatever the name or the browser's content type say. ValidationError otherwise."""
    limit = settings.VERIFICATION_DOCUMENT_MAX_BYTES
    if upload is None or not upload.size:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("Le fichier dépasse %(mb)s Mo : envoyez un PDF plus léger.")
            % {"mb": limit // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError(
            _("Seuls les fichiers PDF sont acceptés (extrait Kbis ou avis de situation INSEE)."),
            code="not_pdf",
        )


def _clean_name(name: str) -> str:
    base = (name or "document.pdf").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[:200] or "document.pdf"


def upload_verification_document(*, organisation: Organisation, upload, by: User):
    """A member of an unverified SME hands in its official document (replacing any previous one)."""
    if not organisation.is_sme:
        raise PermissionDenied
    if not Membership.objects.filter(user=by, organisation=organisation).exists():
        raise PermissionDenied
    if organisation.is_verified:
        raise TransitionError(_("L'identité de cette PME est déjà vérifiée."))
    check_pdf(upload)
    with transaction.atomic():
        discard_documents(organisation=organisation)
        document = VerificationDocument(
            organisation=organisation,
            original_name=_clean_name(upload.name),
            size=upload.size,
            uploaded_by=by,
        )
        document.file.save("justificatif.pdf", upload, save=False)
        document.save()
        profile = SMEProfile.objects.filter(organisation=organisation).first()
        if profile is not None:
            ProfileChange.objects.create(
                profile=profile,
                kind=ProfileChange.Kind.DOCUMENT,
                by=by,
                changes={"file": document.original_name},
            )
    return document


def discard_documents(*, organisation: Organisation) -> int:
    """Delete the files of the SME's identity documents (a decision was taken, or a new one
    replaces them); the rows stay as history. The files go once the transaction commits."""
    documents = list(
        VerificationDocument.objects.filter(organisation=organisation, deleted_at__isnull=True)
    )
    names = [d.file.name for d in documents if d.file]
    VerificationDocument.objects.filter(pk__in=[d.pk for d in documents]).update(
        deleted_at=timezone.now(), file=""
    )

    def delete_files():
        storage = VerificationDocument._meta.get_field("file").storage
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return len(documents)


# --- arbitration, transfer and conflicts (programme staff) ---------------------------------------


def _staff_emails() -> list[str]:
    return list(
        User.objects.filter(is_programme_staff=True, is_active=True).values_list("email", flat=True)
    )


def request_arbitration(
    *, user: User, organisation: Organisation, message: str, upload=None
) -> ArbitrationRequest:
    """Someone who says the SIREN is theirs asks programme staff to decide."""
    message = (message or "").strip()
    if not organisation.is_sme:
        raise ValidationError(_("Seule l'inscription d'une PME peut être arbitrée."), code="kind")
    if not message:
        raise ValidationError(
            _(
                "Expliquez qui vous êtes dans l'entreprise et pourquoi vous contestez l'inscription."
            ),
            code="message_required",
        )
    if Membership.objects.filter(user=user, organisation=organisation, role=Role.ADMIN).exists():
        raise ValidationError(_("Vous administrez déjà cette PME."), code="already_admin")
    if upload:
        check_pdf(upload)
    with transaction.atomic():
        if ArbitrationRequest.objects.filter(
            organisation=organisation, user=user, state=ArbitrationRequest.State.PENDING
        ).exists():
            raise ValidationError(
                _("Votre demande d'arbitrage est déjà entre les mains de l'équipe du programme."),
                code="duplicate",
            )
        arbitration = ArbitrationRequest(organisation=organisation, user=user, message=message)
        if upload:
            arbitration.document_name = _clean_name(upload.name)
            arbitration.document.save("justificatif.pdf", upload, save=False)
        arbitration.save()
        _mail_later(
            _("Demande d'arbitrage pour %(org)s") % {"org": organisation.name},
            _(
                "%(who)s conteste l'inscription de %(org)s (SIREN %(siren)s) et demande à "
                "l'équipe du programme d'arbitrer.\n\n%(message)s\n\n%(url)s\n"
            )
            % {
                "who": user.email,
                "org": organisation.name,
                "siren": organisation.siren,
                "message": message,
                "url": _url("directory:arbitration", arbitration.pk),
            },
            _staff_emails(),
        )
        _mail_later(
            _("Votre demande d'arbitrage pour %(org)s") % {"org": organisation.name},
            _(
                "L'équipe du programme a bien reçu votre demande concernant %(org)s. Elle "
                "examinera les pièces et vous répondra par e-mail.\n"
            )
            % {"org": organisation.name},
            [user.email],
        )
    return arbitration


def _discard_arbitration_document(arbitration: ArbitrationRequest) -> None:
    name = arbitration.document.name if arbitration.document else ""
    if not name:
        return
    storage = ArbitrationRequest._meta.get_field("document").storage
    ArbitrationRequest.objects.filter(pk=arbitration.pk).update(document="")
    transaction.on_commit(lambda: storage.delete(name))


def transfer_sme_administration(
    *, organisation: Organisation, to_user: User, by: User, reason: str, remove_previous: bool
) -> Membership:
    """Transfer (accounts) and write it in the SME profile's history."""
    with transaction.atomic():
        try:
            membership = transfer_administration(
                organisation=organisation,
                to_user=to_user,
                by=by,
                reason=reason,
                remove_previous=remove_previous,
            )
        except AccountsError as exc:
            raise ValidationError(str(exc), code="transfer") from exc
        profile = SMEProfile.objects.filter(organisation=organisation).first()
        if profile is not None:
            ProfileChange.objects.create(
                profile=profile,
                kind=ProfileChange.Kind.TRANSFERRED,
                by=by,
                changes={"reason": reason.strip(), "to": to_user.email},
            )
    return membership


def decide_arbitration(
    *,
    arbitration: ArbitrationRequest,
    by: User,
    transfer: bool,
    reason: str,
    remove_previous: bool = False,
) -> ArbitrationRequest:
    """Staff decide: hand the administration to the claimant, or refuse; both told by email."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indiquez le motif de la décision."), code="reason_required")
    with transaction.atomic():
        arbitration = ArbitrationRequest.objects.select_for_update().get(pk=arbitration.pk)
        if arbitration.state != ArbitrationRequest.State.PENDING:
            raise TransitionError(_("Cette demande a déjà été traitée."))
        organisation = arbitration.organisation
        if transfer:
            transfer_sme_administration(
                organisation=organisation,
                to_user=arbitration.user,
                by=by,
                reason=reason,
                remove_previous=remove_previous,
            )
        else:
            _mail_later(
                _("Votre demande d'arbitrage pour %(org)s") % {"org": organisation.name},
                _(
                    "L'équipe du programme a examiné votre demande concernant %(org)s et ne "
                    "l'a pas retenue, pour le motif suivant :\n\n%(reason)s\n"
                )
                % {"org": organisation.name, "reason": reason},
                [arbitration.user.email],
            )
        state = (
            ArbitrationRequest.State.TRANSFERRED if transfer else ArbitrationRequest.State.REFUSED
        )
        arbitration.state = state
        arbitration.decided_at = timezone.now()
        arbitration.decided_by = by
        arbitration.decision_reason = reason
        arbitration.save(update_fields=["state", "decided_at", "decided_by", "decision_reason"])
        record(
            actor=by,
            action="directory.arbitration_decided",
            target=arbitration,
            organisation_id=organisation.pk,
            changes={"state": (ArbitrationRequest.State.PENDING, state)},
            reason=reason,
        )
        _discard_arbitration_document(arbitration)
    return arbitration


def release_siren(*, organisation: Organisation, by: User, reason: str) -> str:
    """Staff reject an unverified SME registration and free its SIREN (for a large account, or
    the real company): its profile, memberships and documents go; the audit log keeps what it
    was and its members are told why. Returns the SIREN released."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indiquez le motif du refus de l'inscription."), code="reason")
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if not organisation.is_sme or organisation.is_verified:
            raise TransitionError(
                _("Seule l'inscription d'une PME non vérifiée peut être refusée ainsi.")
            )
        emails = sorted(
            Membership.objects.filter(organisation=organisation).values_list(
                "user__email", flat=True
            )
        )
        record(
            actor=by,
            action="directory.sme_registration_rejected",
            target=organisation,
            organisation_id=organisation.pk,
            changes={
                "name": (organisation.name, None),
                "siren": (organisation.siren, None),
                "members": (", ".join(emails), ""),
            },
            reason=reason,
        )
        discard_documents(organisation=organisation)
        for arbitration in ArbitrationRequest.objects.filter(organisation=organisation):
            _discard_arbitration_document(arbitration)
        SMEProfile.objects.filter(organisation=organisation).delete()
        siren, name = organisation.siren, organisation.name
        organisation.delete()
        _mail_later(
            _("Inscription de %(org)s refusée") % {"org": name},
            _(
                "L'équipe du programme Pacte PME a refusé l'inscription de %(org)s "
                "(SIREN %(siren)s), pour le motif suivant :\n\n%(reason)s\n\n"
                "Si vous représentez bien cette entreprise, répondez à cet e-mail avec un "
                "extrait Kbis ou un avis de situation INSEE récent.\n"
            )
            % {"org": name, "siren": siren, "reason": reason},
            emails,
        )
    return siren
