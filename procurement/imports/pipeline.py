"""Validation (the preview) and the all-or-nothing import of an ImportJob.

Validation streams the file row by row, records every error as (line, column, message), and writes
the normalised valid rows to a "staged" file in PostgreSQL's COPY text format next to the upload.
The import then copies that staged file into procurement_orderline in one transaction, with the
per-line history triggers switched off and one "lines_imported" event recorded on the declaration.
A "replace" first archives the declaration's lines, SME answers included, into
procurement_replacedline (one INSERT … SELECT), then deletes them, in the same transaction.
"""

from decimal import Decimal
from pathlib import Path

import pghistory
import pgtrigger
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.models import Domain, SMEProfile

from ..models import Declaration, ImportJob
from . import MAX_ROWS, MAX_STORED_ERRORS
from .columns import COLUMN_BY_KEY, match_headers, normalise_header
from .parsing import CellError, parse_amount, parse_date, parse_delay, parse_siren
from .readers import FileError, Formula, open_sheet

PROGRESS_EVERY = 1_000
COPY_COLUMNS = (
    "declaration_id",
    "sme_siren",
    "sme_name",
    "amount",
    "order_date",
    "domain_id",
    "reference",
    "payment_delay_days",
    "sme_status",
    "sme_comment",
    "import_job_id",
    "created_at",
    "updated_at",
)
# Per-line history triggers skipped during an import (one summary event is recorded instead).
IMPORT_IGNORED_TRIGGERS = (
    "procurement.OrderLine:insert_insert",
    "procurement.OrderLine:delete_delete",
)


def _progress_key(job_id: int) -> str:
    return f"procurement:import:{job_id}:progress"


def set_progress(job_id: int, *, done: int, total: int) -> None:
    cache.set(_progress_key(job_id), (done, total), timeout=6 * 3600)


def get_progress(job: ImportJob) -> tuple[int, int]:
    """(rows done, rows in all) for the current phase; read from Redis, the job row as fallback."""
    value = cache.get(_progress_key(job.pk))
    if value:
        return value
    return job.processed_rows, job.total_rows


def _copy_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def campaign_domains(declaration: Declaration) -> dict[str, int]:
    """Normalised domain name or slug → domain id, for the campaign's domains (all active ones
    when the campaign lists none)."""
    domains = declaration.campaign.domains.all()
    if not domains.exists():
        domains = Domain.objects.filter(is_active=True)
    lookup: dict[str, int] = {}
    for pk, name, slug in domains.values_list("pk", "name", "slug"):
        lookup[normalise_header(name)] = pk
        lookup[normalise_header(slug.replace("-", " "))] = pk
    return lookup


def _cell(cells: list[object], index: int | None) -> object:
    if index is None or index >= len(cells):
        return None
    value = cells[index]
    return value.strip() if isinstance(value, str) and not isinstance(value, Formula) else value


def _is_blank(cells: list[object]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in cells)


def staged_path_for(job: ImportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "staged" / f"job-{job.pk}.tsv"


def validate(job: ImportJob) -> ImportJob:
    """Read and check the whole file; the job ends VALID (staged file written) or INVALID."""
    declaration = job.declaration
    year = declaration.campaign.year
    job.state = ImportJob.State.VALIDATING  # saved by the claim (jobs.run_validation)
    errors: list[list[object]] = []
    error_count = 0
    total_rows = valid_rows = 0
    total_amount = Decimal(0)
    sirens: set[str] = set()
    staged = staged_path_for(job)
    staged.parent.mkdir(parents=True, exist_ok=True)
    expected_total = job.total_rows or 0

    def error(line: int, column: str, message: str) -> None:
        nonlocal error_count
        error_count += 1
        if len(errors) < MAX_STORED_ERRORS:
            errors.append([line, column, message])

    try:
        sheet = open_sheet(Path(job.file.path), job.file_format)
        positions, written, missing = match_headers(sheet.headers)
        for label in missing:
            error(1, label, _("colonne obligatoire absente"))
        if missing:
            if sheet.close:
                sheet.close()
        else:
            domains = campaign_domains(declaration)
            profile_names = dict(SMEProfile.objects.values_list("siren", "name"))
            labels = {key: written.get(key, str(COLUMN_BY_KEY[key].label)) for key in COLUMN_BY_KEY}
            idx = {key: positions.get(key) for key in COLUMN_BY_KEY}
            with staged.open("w", encoding="utf-8", newline="\n") as out:
                for line, cells in sheet.rows:
                    if _is_blank(cells):
                        continue
                    total_rows += 1
                    if total_rows > MAX_ROWS:
                        error(
                            line,
                            "",
                            _("plus de %(max)s lignes : découpez le fichier")
                            % {"max": f"{MAX_ROWS:,}".replace(",", " ")},
                        )
                        break
                    row_ok = True
                    values = {}
                    for key, parser in (
                        ("siren", parse_siren),
                        ("amount", parse_amount),
                        ("order_date", parse_date),
                        ("payment_delay_days", parse_delay),
                    ):
                        raw = _cell(cells, idx[key])
                        if isinstance(raw, Formula):
                            error(
                                line,
                                labels[key],
                                _("formule non prise en charge : collez la valeur"),
                            )
                            row_ok = False
                            continue
                        try:
                            values[key] = parser(raw)
                        except CellError as exc:
                            error(line, labels[key], str(exc))
                            row_ok = False
                    order_date = values.get("order_date")
                    if order_date is not None and order_date.year != year:
                        error(
                            line,
                            labels["order_date"],
                            _("la date %(date)s n'est pas dans l'année %(year)s")
                            % {"date": order_date.strftime("%d/%m/%Y"), "year": year},
                        )
                        row_ok = False
                    raw_domain = _cell(cells, idx["domain"])
                    domain_id = domains.get(normalise_header(raw_domain)) if raw_domain else None
                    if domain_id is None:
                        error(
                            line,
                            labels["domain"],
                            _("domaine inconnu : « %(value)s »")
                            % {"value": str(raw_domain or "")[:60]}
                            if raw_domain
                            else _("valeur manquante"),
                        )
                        row_ok = False
                    name = str(_cell(cells, idx["sme_name"]) or "")
                    siren = values.get("siren")
                    if not name and siren:
                        name = profile_names.get(siren, "")
                        if not name:
                            error(
                                line,
                                labels["sme_name"],
                                _("obligatoire pour une PME non inscrite dans l'annuaire"),
                            )
                            row_ok = False
                    if len(name) > 200:
                        error(line, labels["sme_name"], _("200 caractères au plus"))
                        row_ok = False
                    reference = str(_cell(cells, idx["reference"]) or "")
                    if len(reference) > 100:
                        error(line, labels["reference"], _("100 caractères au plus"))
                        row_ok = False
                    if not row_ok:
                        continue
                    valid_rows += 1
                    total_amount += values["amount"]
                    sirens.add(siren)
                    if not error_count:
                        delay = values["payment_delay_days"]
                        out.write(
                            f"{siren}\t{_copy_escape(name)}\t{values['amount']}\t"
                            f"{values['order_date'].isoformat()}\t{domain_id}\t"
                            f"{_copy_escape(reference)}\t{'' if delay is None else delay}\n"
                        )
                    if total_rows % PROGRESS_EVERY == 0:
                        set_progress(job.pk, done=total_rows, total=max(expected_total, total_rows))
            if total_rows == 0 and not error_count:
                error(2, "", _("le fichier ne contient aucune ligne de commande"))
    except FileError as exc:
        error(0, "", str(exc))

    job.total_rows = total_rows
    job.valid_rows = valid_rows
    job.processed_rows = total_rows
    job.total_amount = total_amount
    job.distinct_smes = len(sirens)
    job.error_count = error_count
    job.errors = errors
    job.validated_at = timezone.now()
    if error_count:
        job.state = ImportJob.State.INVALID
        staged.unlink(missing_ok=True)
        job.staged_file = ""
    else:
        job.state = ImportJob.State.VALID
        job.staged_file = str(staged.relative_to(Path(settings.MEDIA_ROOT)))
    save_validation(job)
    set_progress(job.pk, done=total_rows, total=total_rows)
    return job


# The values of a replaced line, SME answer included, copied as they are into the archive.
ARCHIVE_SQL = """
    WITH archived AS (
    INSERT INTO procurement_replacedline (
        declaration_id, import_job_id, replaced_at, original_line_id, sme_siren, sme_name, amount,
        order_date, domain_id, reference, payment_delay_days, sme_status, sme_comment,
        sme_responded_at, sme_responded_by_id, line_created_at
    )
    SELECT declaration_id, %s, %s, id, sme_siren, sme_name, amount,
        order_date, domain_id, reference, payment_delay_days, sme_status, sme_comment,
        sme_responded_at, sme_responded_by_id, created_at
    FROM procurement_orderline
    WHERE declaration_id = %s
    RETURNING sme_status
    )
    SELECT count(*), count(*) FILTER (WHERE sme_status <> 'pending') FROM archived
"""


def archive_lines(job: ImportJob, cursor) -> tuple[int, int]:
    """Copy the declaration's lines into the archive before a replace deletes them.

    Returns (lines archived, of which with an SME answer)."""
    cursor.execute(ARCHIVE_SQL, [job.pk, timezone.now(), job.declaration_id])
    archived, answered = cursor.fetchone()
    return archived, answered


def save_validation(job: ImportJob) -> bool:
    """Save the validation's outcome unless the job stopped validating meanwhile (cancelled by
    the user, or failed by the sweeper): then its staged file is removed and False returned."""
    skipped = {"id", "file", "created_at", "heartbeat_at", "attempts", "claimed_attempt"}
    values = {
        field.attname: getattr(job, field.attname)
        for field in ImportJob._meta.concrete_fields
        if field.attname not in skipped
    }
    saved = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.VALIDATING).update(**values)
    if not saved:
        staged_path_for(job).unlink(missing_ok=True)
        job.refresh_from_db()
    return bool(saved)


def copy_lines(job: ImportJob) -> int:
    """Write the staged rows of a VALID job; to be called inside the caller's transaction.

    In "replace" mode the previous lines are archived first (job.replaced_rows, .replaced_answers).
    """
    declaration_id = job.declaration_id
    now = timezone.now().isoformat()
    suffix = f"\tpending\t\t{job.pk}\t{now}\t{now}\n"
    prefix = f"{declaration_id}\t"
    staged = Path(settings.MEDIA_ROOT) / job.staged_file
    total = job.valid_rows or 1
    written = 0
    with pgtrigger.ignore(*IMPORT_IGNORED_TRIGGERS), connection.cursor() as cursor:
        # pgtrigger marks the triggers as ignored with a transaction-local setting that Django
        # statements carry; COPY bypasses Django's wrappers, so one statement sets it first.
        cursor.execute("SELECT 1")
        if job.mode == ImportJob.Mode.REPLACE:
            job.replaced_rows, job.replaced_answers = archive_lines(job, cursor)
            cursor.execute(
                "DELETE FROM procurement_orderline WHERE declaration_id = %s", [declaration_id]
            )
        columns = ", ".join(COPY_COLUMNS)
        with (
            staged.open(encoding="utf-8") as rows,  # a missing file fails before COPY starts
            cursor.cursor.copy(f"COPY procurement_orderline ({columns}) FROM STDIN") as copy,
        ):
            buffer: list[str] = []
            for row in rows:
                # Empty delay → NULL
                if row.endswith("\t\n"):
                    row = row[:-1] + "\\N\n"
                buffer.append(prefix + row[:-1] + suffix)
                written += 1
                if len(buffer) == 5_000:
                    copy.write("".join(buffer))
                    buffer.clear()
                    set_progress(job.pk, done=written, total=total)
            if buffer:
                copy.write("".join(buffer))
    return written


class NotImportable(Exception):
    """The job is no longer waiting to be imported (cancelled meanwhile, or already done)."""


class DeclarationLocked(Exception):
    """The declaration was submitted (or its campaign closed) since the import was confirmed."""


def apply(job: ImportJob) -> ImportJob:
    """Import a job's staged rows all or nothing; the declaration must still be editable.

    The job row stays locked for the whole transaction: a cancellation waits for it (or comes
    first, and then nothing is written), and the sweeper skips a job whose import is running."""
    with transaction.atomic():
        declaration = (
            Declaration.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .get(pk=job.declaration_id)
        )
        state = (
            ImportJob.objects.select_for_update()
            .filter(pk=job.pk)
            .values_list("state", flat=True)
            .first()
        )
        if state not in {ImportJob.State.VALID, ImportJob.State.IMPORTING}:
            raise NotImportable(job.pk)
        if not declaration.is_editable:
            raise DeclarationLocked(declaration.pk)
        job.declaration = declaration
        with pghistory.context(
            import_job=job.pk, import_mode=job.mode, import_file=job.original_name
        ):
            written = copy_lines(job)
            pghistory.context(
                import_lines=written,
                import_replaced=job.replaced_rows,
                import_replaced_answers=job.replaced_answers,
            )
            pghistory.create_event(declaration, label="lines_imported")
        declaration.save(update_fields=["updated_at"])
        job.imported_rows = written
        job.processed_rows = written
        job.state = ImportJob.State.DONE
        job.finished_at = timezone.now()
        job.save(
            update_fields=[
                "imported_rows",
                "processed_rows",
                "replaced_rows",
                "replaced_answers",
                "state",
                "finished_at",
            ]
        )
    set_progress(job.pk, done=written, total=written)
    Path(settings.MEDIA_ROOT, job.staged_file).unlink(missing_ok=True)
    return job
