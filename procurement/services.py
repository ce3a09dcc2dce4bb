"""Changing declarations: campaigns, lines, submission, reopening, imports, SME answers, reminders.

Every function is keyword-only, checks who may do it in which state, writes inside one
transaction and enqueues background work with `transaction.on_commit`.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import mail
from accounts.models import Membership, Organisation, Role, User
from accounts.selectors import membership_in
from audit.services import record
from directory.models import Domain, SMEProfile
from editions import selectors as edition_selectors
from editions.models import Edition

from . import disputes, figures, selectors
from .imports import (
    BACKGROUND_ABOVE_ROWS,
    BACKGROUND_ABOVE_XML_BYTES,
    MAX_FILE_BYTES,
    MAX_ROWS,
    jobs,
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
from .models import Campaign, Declaration, DomainMapping, ImportJob, OrderLine, Reminder, Site


class TransitionError(ValidationError):
    """The action is not allowed in the object's current state (message shown to the user)."""


# --- Who may do what -------------------------------------------------------------------------


def _membership(user: User, organisation: Organisation) -> Membership | None:
    return membership_in(user, organisation)


def is_editable(declaration: Declaration) -> bool:
    """Lines and total can change: a draft in an open campaign, or a declaration reopened by staff."""
    return declaration.is_editable


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
        before = campaign.get_state_display()
        campaign.state = state
        campaign.save(update_fields=["state", "updated_at"])
        record(
            actor=by,
            action="procurement.campaign_state_changed",
            target=campaign,
            changes={"state": (before, campaign.get_state_display())},
        )
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
    site: Site | None = None


def _check_line(declaration: Declaration, data: LineData) -> None:
    if data.site is not None and data.site.organisation_id != declaration.organisation_id:
        raise TransitionError(_("Ce site n'est pas un site de votre compte."))
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
    # The name an unverified registration chose is not trusted to name a declared order.
    name = (
        SMEProfile.objects.filter(siren=data.siren, organisation__verified_at__isnull=False)
        .values_list("name", flat=True)
        .first()
    )
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
            site=data.site,
        )
        declaration.save(update_fields=["updated_at"])
    return line


def update_line(*, line: OrderLine, data: LineData, by: User) -> OrderLine:
    """Change a line. When its SIREN, amount or date changes after the SME answered, the answer no
    longer holds: the line goes back to "to answer" (the history keeps the previous answer)."""
    declaration = line.declaration
    _require_edit(declaration, by)
    _check_line(declaration, data)
    changed = (
        line.sme_profile_id != data.siren
        or line.amount != data.amount
        or line.order_date != data.order_date
    )
    with transaction.atomic():
        if changed and line.sme_status != OrderLine.SMEStatus.PENDING:
            line.sme_status = OrderLine.SMEStatus.PENDING
            line.sme_comment = ""
            line.sme_responded_at = None
            line.sme_responded_by = None
        line.sme_profile_id = data.siren
        line.sme_name = _sme_name(data)
        line.amount = data.amount
        line.order_date = data.order_date
        line.domain = data.domain
        line.reference = data.reference
        line.payment_delay_days = data.payment_delay_days
        line.site = data.site
        line.save()
        declaration.save(update_fields=["updated_at"])
    return line


def delete_line(*, line: OrderLine, by: User) -> None:
    declaration = line.declaration
    _require_edit(declaration, by)
    with transaction.atomic():
        line.delete()
        declaration.save(update_fields=["updated_at"])


def submit_declaration(
    *, declaration: Declaration, by: User, attested: bool, justification: str = ""
) -> Declaration:
    """An account administrator signs (attestation ticked) and submits; the account can no longer
    edit. SME orders above the declared IT purchases are refused unless a justification is given
    (kept on the declaration, shown to staff)."""
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
    justification = (justification or "").strip()
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        key = figures.declaration_key_figures(declaration)
        if key.sme_purchases_exceed_it_purchases and not justification:
            raise TransitionError(figures.sme_excess_message(key), code="sme_excess")
        declaration.state = Declaration.State.SUBMITTED
        declaration.submitted_at = timezone.now()
        declaration.submitted_by = by
        declaration.sme_excess_justification = (
            justification if key.sme_purchases_exceed_it_purchases else ""
        )
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
        before = declaration.get_state_display()
        declaration.state = Declaration.State.REOPENED
        declaration.reopened_at = timezone.now()
        declaration.reopened_by = by
        declaration.reopen_reason = reason.strip()
        declaration.save()
        record(
            actor=by,
            action="procurement.declaration_reopened",
            target=declaration,
            organisation_id=declaration.organisation_id,
            changes={"state": (before, declaration.get_state_display())},
            reason=declaration.reopen_reason,
        )
    return declaration


# --- SME answers ------------------------------------------------------------------------------


def respond_to_line(*, line: OrderLine, by: User, status: str, comment: str) -> OrderLine:
    """A member of the verified SME named by the line confirms or disputes it (a comment explains
    a dispute), while the line's campaign is not closed."""
    is_member = Membership.objects.filter(
        user=by,
        organisation__siren=line.sme_siren,
        organisation__kind=Organisation.Kind.SME,
        organisation__verified_at__isnull=False,
    ).exists()
    if not is_member:
        raise PermissionDenied
    row = (
        Declaration.objects.filter(pk=line.declaration_id)
        .values_list("state", "campaign__state")
        .first()
    )
    if row is None or row[0] != Declaration.State.SUBMITTED:
        raise TransitionError(_("Cette déclaration n'est pas soumise."))
    if row[1] == Campaign.State.CLOSED:
        raise TransitionError(
            _(
                "La campagne de cette commande est close : les réponses ne sont plus reçues. "
                "Écrivez à l'équipe du programme si la commande est fausse."
            )
        )
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
        # The dispute loop (procurement/disputes.py): the account's SME correspondent is told.
        if status == OrderLine.SMEStatus.DISPUTED:
            disputes.open_dispute(line=line, comment=line.sme_comment)
        else:
            disputes.close_on_confirmation(line=line, by=by)
    return line


def can_answer(line: OrderLine) -> bool:
    """Answers are received until the line's campaign is closed (README: SME answers)."""
    return line.declaration.campaign.state != Campaign.State.CLOSED


# --- Vouching ---------------------------------------------------------------------------------


def vouch_for_sme(
    *, sme: Organisation, contact: User, by: User, voucher: Organisation, comment: str = ""
):
    """An administrator of a large account that named the SME in its declarations says it knows
    ``contact`` as the SME's representative: evidence staff see when they verify the SME."""
    from directory.models import ProfileChange, Vouch

    membership = _membership(by, voucher)
    if not voucher.is_large_account or membership is None or not membership.is_admin:
        raise PermissionDenied
    if not OrderLine.objects.filter(
        declaration__organisation=voucher, sme_profile_id=sme.siren
    ).exists():
        raise PermissionDenied
    if not Membership.objects.filter(user=contact, organisation=sme).exists():
        raise TransitionError(_("Cette personne n'est pas membre de la PME."))
    if sme.is_verified:
        raise TransitionError(_("L'identité de cette PME est déjà vérifiée."))
    with transaction.atomic():
        vouch, created = Vouch.objects.get_or_create(
            organisation=sme,
            voucher=voucher,
            contact=contact,
            defaults={"by": by, "comment": comment.strip()[:1000]},
        )
        profile = SMEProfile.objects.filter(organisation=sme).first()
        if created and profile is not None:
            ProfileChange.objects.create(
                profile=profile,
                kind=ProfileChange.Kind.VOUCHED,
                by=by,
                changes={"voucher": voucher.name, "contact": contact.email},
            )
    return vouch


# --- Imports ----------------------------------------------------------------------------------


def create_import(*, declaration: Declaration, upload: UploadedFile, by: User) -> ImportJob:
    """Keep the uploaded file and validate it: at once when small, in the background above
    BACKGROUND_ABOVE_ROWS lines (CSV) or BACKGROUND_ABOVE_XML_BYTES of XML (spreadsheets, whose
    own row count is not trusted). Raises TransitionError for a file refused outright; any other
    failure while validating ends the job failed with a message."""
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
        job.attempts = 1
        job.heartbeat_at = timezone.now()
        job.save()
        if job.run_in_background:
            jobs.dispatch(job, phase=jobs.VALIDATE)
    if not job.run_in_background:
        job = jobs.run_validation(job_id=job.pk, attempt=1) or job
    return job


def replace_warning(*, answered: int, disputed: int) -> str:
    """What a replace would lose: shown on the confirmation form and when it is refused."""
    return ngettext(
        "%(answered)s ligne a une réponse de la PME (%(disputed)s contestée) : "
        "elle sera archivée avec cette réponse et son commentaire, visibles depuis "
        "l'historique, et la PME devra répondre de nouveau aux lignes importées. "
        "Cochez la case pour confirmer le remplacement.",
        "%(answered)s lignes ont une réponse de la PME (%(disputed)s contestées) : "
        "elles seront archivées avec ces réponses et leurs commentaires, visibles depuis "
        "l'historique, et la PME devra répondre de nouveau aux lignes importées. "
        "Cochez la case pour confirmer le remplacement.",
        answered,
    ) % {"answered": answered, "disputed": disputed}


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
        # A new validation attempt of the same file (jobs.run_validation claims it once).
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        job.state = ImportJob.State.QUEUED
        job.attempts = job.claimed_attempt + 1
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["state", "attempts", "heartbeat_at"])
        if job.run_in_background:
            jobs.dispatch(job, phase=jobs.VALIDATE)
    if not job.run_in_background:
        job = jobs.run_validation(job_id=job.pk, attempt=job.attempts) or job
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


def confirm_import(
    *, job: ImportJob, mode: str, by: User, replace_answers: bool = False
) -> ImportJob:
    """The user chose "replace" or "add": write every line or none. Replacing lines that carry
    SME answers needs `replace_answers` (the replaced lines are archived with their answers)."""
    declaration = job.declaration
    _require_edit(declaration, by)
    if job.state != ImportJob.State.VALID:
        raise TransitionError(_("Cet import n'est pas prêt (erreurs à corriger ou déjà importé)."))
    if mode not in ImportJob.Mode.values:
        raise TransitionError(_("Choisissez de remplacer ou d'ajouter les lignes."))
    if mode == ImportJob.Mode.REPLACE and not replace_answers:
        answered, disputed = selectors.answered_lines(declaration)
        if answered:
            raise TransitionError(replace_warning(answered=answered, disputed=disputed))
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.state != ImportJob.State.VALID:
            raise TransitionError(_("Cet import est déjà en cours ou terminé."))
        job.mode = mode
        job.state = ImportJob.State.IMPORTING
        job.processed_rows = 0
        job.attempts = 1
        job.claimed_attempt = 0
        job.heartbeat_at = timezone.now()
        job.save(
            update_fields=[
                "mode",
                "state",
                "processed_rows",
                "attempts",
                "claimed_attempt",
                "heartbeat_at",
            ]
        )
        if job.run_in_background:
            jobs.dispatch(job, phase=jobs.IMPORT, by_id=by.pk)
    if job.run_in_background:
        return job
    return jobs.run_import(job_id=job.pk, by_id=by.pk, attempt=1) or job


def cancel_import(*, job: ImportJob, by: User) -> ImportJob:
    """Abandon an import that has not written its lines (waiting, running, valid, invalid or
    failed); the user may then send a file again."""
    if _membership(by, job.declaration.organisation) is None:
        raise PermissionDenied
    cancellable = {
        ImportJob.State.QUEUED,
        ImportJob.State.VALIDATING,
        ImportJob.State.VALID,
        ImportJob.State.INVALID,
        ImportJob.State.IMPORTING,
        ImportJob.State.FAILED,
    }
    try:
        with transaction.atomic():
            # An import writing its lines holds the row: do not wait for it.
            locked = ImportJob.objects.select_for_update(nowait=True).get(pk=job.pk)
            if locked.state not in cancellable:
                raise TransitionError(_("Cet import ne peut plus être abandonné."))
            locked.state = ImportJob.State.CANCELLED
            locked.finished_at = timezone.now()
            locked.save(update_fields=["state", "finished_at"])
    except OperationalError as exc:
        raise TransitionError(
            _("L'import est en train d'écrire les lignes : attendez la fin puis vérifiez.")
        ) from exc
    job.state = locked.state
    pipeline.staged_path_for(job).unlink(missing_ok=True)
    return job


# --- Reminders --------------------------------------------------------------------------------


def accounts_to_remind(campaign: Campaign, edition: Edition | None = None):
    """Large accounts (of `edition`, when given: its members) whose declaration for the campaign
    is not submitted (or not started)."""
    submitted = Declaration.objects.filter(
        organisation=OuterRef("pk"), campaign=campaign, state=Declaration.State.SUBMITTED
    )
    accounts = Organisation.objects.large_accounts()
    if edition is not None:
        accounts = accounts.filter(pk__in=edition_selectors.account_ids(edition))
    return accounts.exclude(Exists(submitted)).order_by("name")


def request_reminders(*, campaign: Campaign, by: User, edition: Edition | None = None) -> int:
    """Queue the reminder emails (to `edition`'s late member accounts only, when given); returns
    how many accounts are concerned. Programme staff remind any account; a federator's member
    only those of an edition it runs. Recorded in the audit, naming the edition."""
    if not by.is_programme_staff and not (
        edition is not None and edition_selectors.user_runs_edition(by, edition)
    ):
        raise PermissionDenied
    if campaign.state != Campaign.State.OPEN:
        raise TransitionError(_("On ne relance que pendant une campagne ouverte."))
    ids = list(accounts_to_remind(campaign, edition).values_list("pk", flat=True))
    with transaction.atomic():
        record(
            actor=by,
            action="procurement.reminders_requested",
            target=campaign,
            changes={
                "accounts": ("", len(ids)),
                **({"edition": ("", edition.name)} if edition is not None else {}),
            },
        )
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
