"""Changing declarations: campaigns, lines, submission, reopening, imports, SME answers, reminders.

Every function is keyword-only, checks who may do it in which state, writes inside one
transaction and enqueues background work with `transaction.on_commit`.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pghistory
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import mail
from accounts.models import Membership, Organisation, Role, User
from directory.models import Domain, SMEProfile

from .imports import (
    BACKGROUND_ABOVE_ROWS,
    BACKGROUND_ABOVE_XML_BYTES,
    MAX_FILE_BYTES,
    MAX_ROWS,
    pipeline,
)
from .imports.columns import normalise_header as fold_text
from .imports.domains import campaign_domains
from .imports.readers import (
    FORMAT_BY_SUFFIX,
    FileError,
    check_file,
    count_rows,
    spreadsheet_weight,
)
from .models import Campaign, Declaration, DomainMapping, ImportJob, OrderLine, Reminder


class TransitionError(ValidationError):
    """The action is not allowed in the object's current state (message shown to the user)."""


# --- Who may do what -------------------------------------------------------------------------


def _membership(user: User, organisation: Organisation) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, organisation=organisation).first()


def is_editable(declaration: Declaration) -> bool:
    """Lines and total can change: a draft in an open campaign, or a declaration reopened by staff."""
    if declaration.state == Declaration.State.REOPENED:
        return True
    return (
        declaration.state == Declaration.State.DRAFT
        and declaration.campaign.state == Campaign.State.OPEN
    )


def can_edit(*, declaration: Declaration, user: User) -> bool:
    return is_editable(declaration) and _membership(user, declaration.organisation) is not None


def can_submit(*, declaration: Declaration, user: User) -> bool:
    membership = _membership(user, declaration.organisation)
    return is_editable(declaration) and membership is not None and membership.is_admin


def can_reopen(*, declaration: Declaration, user: User) -> bool:
    return (
        user.is_authenticated
        and user.is_programme_staff
        and declaration.state == Declaration.State.SUBMITTED
        and declaration.campaign.state != Campaign.State.PREPARING
    )


def _require_edit(declaration: Declaration, user: User) -> None:
    if _membership(user, declaration.organisation) is None:
        raise PermissionDenied
    if not is_editable(declaration):
        raise TransitionError(
            _("Cette déclaration ne peut plus être modifiée (soumise, ou campagne fermée).")
        )


# --- Campaigns --------------------------------------------------------------------------------


def save_campaign(
    *,
    by: User,
    year: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
    methodology_version: str,
    methodology: str,
    domains: list[Domain],
    campaign: Campaign | None = None,
) -> Campaign:
    if not by.is_programme_staff:
        raise PermissionDenied
    with transaction.atomic():
        campaign = campaign or Campaign()
        campaign.year = year
        campaign.opens_on = opens_on
        campaign.closes_on = closes_on
        campaign.methodology_version = methodology_version
        campaign.methodology = methodology
        campaign.save()
        campaign.domains.set(domains)
    return campaign


CAMPAIGN_TRANSITIONS = {
    Campaign.State.PREPARING: {Campaign.State.OPEN},
    Campaign.State.OPEN: {Campaign.State.CLOSED},
    Campaign.State.CLOSED: {Campaign.State.OPEN},
}


def change_campaign_state(*, campaign: Campaign, state: str, by: User) -> Campaign:
    if not by.is_programme_staff:
        raise PermissionDenied
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if state not in CAMPAIGN_TRANSITIONS.get(campaign.state, set()):
            raise TransitionError(_("Ce changement d'état n'est pas possible."))
        if state == Campaign.State.OPEN and not campaign.domains.exists():
            campaign.domains.set(Domain.objects.filter(is_active=True))
        campaign.state = state
        campaign.save(update_fields=["state", "updated_at"])
    return campaign


# --- Declarations -----------------------------------------------------------------------------


def start_declaration(*, campaign: Campaign, organisation: Organisation, by: User) -> Declaration:
    """The account's declaration for an open campaign (created on first use)."""
    if _membership(by, organisation) is None or not organisation.is_large_account:
        raise PermissionDenied
    if campaign.state != Campaign.State.OPEN:
        raise TransitionError(
            _("La campagne %(year)s n'est pas ouverte.") % {"year": campaign.year}
        )
    with transaction.atomic():
        declaration, _created = Declaration.objects.get_or_create(
            campaign=campaign, organisation=organisation
        )
    return declaration


def set_it_purchases_total(*, declaration: Declaration, total: Decimal, by: User) -> Declaration:
    _require_edit(declaration, by)
    with transaction.atomic():
        declaration.it_purchases_total = total
        declaration.save(update_fields=["it_purchases_total", "updated_at"])
    return declaration


@dataclass(frozen=True)
class LineData:
    siren: str
    sme_name: str
    amount: Decimal
    order_date: datetime.date
    domain: Domain
    reference: str = ""
    payment_delay_days: int | None = None


def _check_line(declaration: Declaration, data: LineData) -> None:
    if data.order_date.year != declaration.campaign.year:
        raise TransitionError(
            _("La date de commande doit être dans l'année %(year)s.")
            % {"year": declaration.campaign.year}
        )
    if data.amount <= 0:
        raise TransitionError(_("Le montant doit être strictement positif."))


def _sme_name(data: LineData) -> str:
    if data.sme_name:
        return data.sme_name
    name = SMEProfile.objects.filter(siren=data.siren).values_list("name", flat=True).first()
    if not name:
        raise TransitionError(_("Indiquez la raison sociale de cette PME non inscrite."))
    return name


def add_line(*, declaration: Declaration, data: LineData, by: User) -> OrderLine:
    _require_edit(declaration, by)
    _check_line(declaration, data)
    with transaction.atomic():
        line = OrderLine.objects.create(
            declaration=declaration,
            sme_profile_id=data.siren,
            sme_name=_sme_name(data),
            amount=data.amount,
            order_date=data.order_date,
            domain=data.domain,
            reference=data.reference,
            payment_delay_days=data.payment_delay_days,
        )
        declaration.save(update_fields=["updated_at"])
    return line


def update_line(*, line: OrderLine, data: LineData, by: User) -> OrderLine:
    declaration = line.declaration
    _require_edit(declaration, by)
    _check_line(declaration, data)
    with transaction.atomic():
        line.sme_profile_id = data.siren
        line.sme_name = _sme_name(data)
        line.amount = data.amount
        line.order_date = data.order_date
        line.domain = data.domain
        line.reference = data.reference
        line.payment_delay_days = data.payment_delay_days
        line.save()
        declaration.save(update_fields=["updated_at"])
    return line


def delete_line(*, line: OrderLine, by: User) -> None:
    declaration = line.declaration
    _require_edit(declaration, by)
    with transaction.atomic():
        line.delete()
        declaration.save(update_fields=["updated_at"])


def submit_declaration(*, declaration: Declaration, by: User, attested: bool) -> Declaration:
    """An account administrator signs (attestation ticked) and submits; the account can no longer edit."""
    membership = _membership(by, declaration.organisation)
    if membership is None:
        raise PermissionDenied
    if membership.role != Role.ADMIN:
        raise TransitionError(_("Seul un administrateur du compte peut soumettre la déclaration."))
    if not is_editable(declaration):
        raise TransitionError(_("Cette déclaration ne peut pas être soumise dans son état actuel."))
    if not attested:
        raise TransitionError(_("Cochez l'attestation pour soumettre."))
    if declaration.it_purchases_total is None:
        raise TransitionError(_("Indiquez d'abord le total des achats informatiques externes."))
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        declaration.state = Declaration.State.SUBMITTED
        declaration.submitted_at = timezone.now()
        declaration.submitted_by = by
        declaration.save()
    return declaration


def reopen_declaration(*, declaration: Declaration, by: User, reason: str) -> Declaration:
    """Staff reopen a submitted declaration, even after the campaign closed; the account sees why."""
    if not by.is_programme_staff:
        raise PermissionDenied
    if not can_reopen(declaration=declaration, user=by):
        raise TransitionError(_("Seule une déclaration soumise peut être rouverte."))
    if not reason.strip():
        raise TransitionError(_("Indiquez le motif de la réouverture."))
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        declaration.state = Declaration.State.REOPENED
        declaration.reopened_at = timezone.now()
        declaration.reopened_by = by
        declaration.reopen_reason = reason.strip()
        declaration.save()
    return declaration


# --- SME answers ------------------------------------------------------------------------------


def respond_to_line(*, line: OrderLine, by: User, status: str, comment: str) -> OrderLine:
    """A member of the SME named by the line confirms or disputes it (a comment explains a dispute)."""
    is_member = Membership.objects.filter(
        user=by, organisation__siren=line.sme_siren, organisation__kind=Organisation.Kind.SME
    ).exists()
    if not is_member:
        raise PermissionDenied
    state = Declaration.objects.filter(pk=line.declaration_id).values_list("state", flat=True)
    if state.first() != Declaration.State.SUBMITTED:
        raise TransitionError(_("Cette déclaration n'est pas soumise."))
    if status not in {OrderLine.SMEStatus.CONFIRMED, OrderLine.SMEStatus.DISPUTED}:
        raise TransitionError(_("Réponse inconnue."))
    if status == OrderLine.SMEStatus.DISPUTED and not comment.strip():
        raise TransitionError(_("Expliquez en commentaire pourquoi vous contestez cette commande."))
    with transaction.atomic():
        line.sme_status = status
        line.sme_comment = comment.strip()
        line.sme_responded_at = timezone.now()
        line.sme_responded_by = by
        line.save(
            update_fields=[
                "sme_status",
                "sme_comment",
                "sme_responded_at",
                "sme_responded_by",
                "updated_at",
            ]
        )
    return line


# --- Imports ----------------------------------------------------------------------------------


def create_import(*, declaration: Declaration, upload: UploadedFile, by: User) -> ImportJob:
    """Keep the uploaded file and validate it: at once when small, in the background above
    BACKGROUND_ABOVE_ROWS lines (CSV) or BACKGROUND_ABOVE_XML_BYTES of XML (spreadsheets, whose
    own row count is not trusted). Raises TransitionError for a file refused outright."""
    _require_edit(declaration, by)
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    file_format = FORMAT_BY_SUFFIX.get(suffix)
    if file_format is None:
        raise TransitionError(_("Formats acceptés : CSV, XLSX, XLSM, XLS ou ODS."))
    if upload.size > MAX_FILE_BYTES:
        raise TransitionError(_("Ce fichier dépasse 20 Mo : découpez-le en plusieurs fichiers."))
    with transaction.atomic():
        job = ImportJob(
            declaration=declaration,
            created_by=by,
            original_name=name[:255],
            file_format=file_format,
        )
        job.file.save(f"declaration-{declaration.pk}{suffix}", upload, save=False)
        path = Path(job.file.path)
        try:
            kind = check_file(path, file_format)
            rows = count_rows(path, kind)
            weight = spreadsheet_weight(path, kind) if kind != "csv" else 0
        except FileError as exc:
            job.file.delete(save=False)
            raise TransitionError(str(exc)) from exc
        if rows is not None and rows > MAX_ROWS:
            job.file.delete(save=False)
            raise TransitionError(
                _("Ce fichier compte plus de 100 000 lignes : découpez-le en plusieurs fichiers.")
            )
        job.total_rows = rows or 0
        job.run_in_background = (
            rows > BACKGROUND_ABOVE_ROWS
            if rows is not None
            else weight > BACKGROUND_ABOVE_XML_BYTES
        )
        job.save()
        if job.run_in_background:
            from .tasks import validate_import_task

            transaction.on_commit(lambda: validate_import_task.delay(job.pk))
    if not job.run_in_background:
        pipeline.validate(job)
    return job


def map_import_domains(*, job: ImportJob, choices: dict[str, int], by: User) -> ImportJob:
    """The buyer chose a portal domain for some of the file's own words: remember them for the
    account (DomainMapping) and validate the same file again with them."""
    declaration = job.declaration
    _require_edit(declaration, by)
    if job.state != ImportJob.State.INVALID:
        raise TransitionError(_("Cet import n'attend pas de correspondances."))
    texts = {entry["folded"]: entry["value"] for entry in job.unmapped}
    allowed = {d.pk for d in campaign_domains(declaration)}
    with transaction.atomic():
        for folded, domain_id in choices.items():
            if folded not in texts or domain_id not in allowed:
                continue
            DomainMapping.objects.update_or_create(
                organisation=declaration.organisation,
                source_text_folded=folded,
                defaults={
                    "source_text": texts[folded][:200],
                    "domain_id": domain_id,
                    "created_by": by,
                },
            )
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        job.state = ImportJob.State.QUEUED
        job.save(update_fields=["state"])
        if job.run_in_background:
            from .tasks import validate_import_task

            transaction.on_commit(lambda: validate_import_task.delay(job.pk))
    if not job.run_in_background:
        job = pipeline.validate(job)
    return job


def save_domain_mapping(
    *, organisation: Organisation, source_text: str, domain: Domain | None, by: User
) -> DomainMapping | None:
    """Add, change (domain given) or remove (domain None) one of the account's domain words."""
    if _membership(by, organisation) is None:
        raise PermissionDenied
    folded = fold_text(source_text)[:200]
    if not folded:
        raise TransitionError(_("Indiquez le libellé tel qu'il figure dans vos fichiers."))
    if domain is None:
        DomainMapping.objects.filter(organisation=organisation, source_text_folded=folded).delete()
        return None
    mapping, _created = DomainMapping.objects.update_or_create(
        organisation=organisation,
        source_text_folded=folded,
        defaults={"source_text": source_text.strip()[:200], "domain": domain, "created_by": by},
    )
    return mapping


def validate_import(*, job_id: int) -> ImportJob:
    """Validation body, used by the background task."""
    job = ImportJob.objects.select_related("declaration__campaign").get(pk=job_id)
    if job.state not in {ImportJob.State.QUEUED, ImportJob.State.VALIDATING}:
        return job
    return pipeline.validate(job)


def confirm_import(*, job: ImportJob, mode: str, by: User) -> ImportJob:
    """The user chose "replace" or "add": write every line or none."""
    declaration = job.declaration
    _require_edit(declaration, by)
    if job.state != ImportJob.State.VALID:
        raise TransitionError(_("Cet import n'est pas prêt (erreurs à corriger ou déjà importé)."))
    if mode not in ImportJob.Mode.values:
        raise TransitionError(_("Choisissez de remplacer ou d'ajouter les lignes."))
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.state != ImportJob.State.VALID:
            raise TransitionError(_("Cet import est déjà en cours ou terminé."))
        job.mode = mode
        if job.run_in_background:
            job.state = ImportJob.State.IMPORTING
            job.processed_rows = 0
            job.save(update_fields=["mode", "state", "processed_rows"])
            from .tasks import apply_import_task

            transaction.on_commit(lambda: apply_import_task.delay(job.pk, by.pk))
            return job
        job.save(update_fields=["mode"])
        return pipeline.apply(job)


def apply_import(*, job_id: int, by_id: int) -> ImportJob:
    """Import body, used by the background task (history records the user who confirmed)."""
    job = ImportJob.objects.select_related("declaration__campaign").get(pk=job_id)
    if job.state != ImportJob.State.IMPORTING:
        return job
    try:
        if not is_editable(job.declaration):
            raise TransitionError(_("La déclaration n'est plus modifiable."))
        with pghistory.context(user=by_id):
            return pipeline.apply(job)
    except Exception as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED,
            failure=str(exc)[:1000],
            finished_at=timezone.now(),
        )
        raise


def cancel_import(*, job: ImportJob, by: User) -> ImportJob:
    if _membership(by, job.declaration.organisation) is None:
        raise PermissionDenied
    if job.state not in {ImportJob.State.VALID, ImportJob.State.INVALID}:
        raise TransitionError(_("Cet import ne peut plus être abandonné."))
    with transaction.atomic():
        job.state = ImportJob.State.CANCELLED
        job.save(update_fields=["state"])
    if job.staged_file:
        Path(settings.MEDIA_ROOT, job.staged_file).unlink(missing_ok=True)
    return job


# --- Reminders --------------------------------------------------------------------------------


def accounts_to_remind(campaign: Campaign):
    """Large accounts whose declaration for the campaign is not submitted (or not started)."""
    submitted = Declaration.objects.filter(
        organisation=OuterRef("pk"), campaign=campaign, state=Declaration.State.SUBMITTED
    )
    return Organisation.objects.large_accounts().exclude(Exists(submitted)).order_by("name")


def request_reminders(*, campaign: Campaign, by: User) -> int:
    """Queue the reminder emails; returns how many accounts are concerned."""
    if not by.is_programme_staff:
        raise PermissionDenied
    if campaign.state != Campaign.State.OPEN:
        raise TransitionError(_("On ne relance que pendant une campagne ouverte."))
    ids = list(accounts_to_remind(campaign).values_list("pk", flat=True))
    if ids:
        from .tasks import send_reminders_task

        transaction.on_commit(lambda: send_reminders_task.delay(campaign.pk, ids, by.pk))
    return len(ids)


def send_reminders(
    *, campaign_id: int, organisation_ids: list[int], by_id: int | None, today: datetime.date
) -> int:
    """Email the administrators of each account not yet submitted, at most once a day per account
    (the Reminder row's unique constraint is the guard). Returns the number of accounts emailed."""
    campaign = Campaign.objects.get(pk=campaign_id)
    sent = 0
    for organisation in accounts_to_remind(campaign).filter(pk__in=organisation_ids):
        admins = list(
            User.objects.filter(
                memberships__organisation=organisation, memberships__role=Role.ADMIN, is_active=True
            ).values_list("email", flat=True)
        )
        if not admins:
            continue
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    campaign=campaign,
                    organisation=organisation,
                    sent_on=today,
                    sent_by_id=by_id,
                    recipients=len(admins),
                )
                context = {
                    "campaign": campaign,
                    "organisation": organisation,
                    "url": settings.SITE_URL + reverse("procurement:declaration_home"),
                }
                mail.send_later(
                    to=admins,
                    subject=_("Votre déclaration %(year)s est attendue") % {"year": campaign.year},
                    body=render_to_string("procurement/email/reminder.txt", context),
                )
        except IntegrityError:
            continue  # already reminded today
        sent += 1
    return sent
