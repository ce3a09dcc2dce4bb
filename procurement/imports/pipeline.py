"""Validation (the preview) and the all-or-nothing import of an ImportJob.

Validation streams the file in chunks of rows and checks each chunk column by column: every
parser runs once per *distinct* raw value of a column (dates, SIRENs, domains and names repeat),
so 50,000 lines cost a few thousand parser calls. Errors are recorded as (line, column, value,
code, params) and grouped by (column, code, params); sanity warnings are computed on the valid
lines. The normalised valid rows go to a "staged" file in PostgreSQL's COPY text format next to
the upload. The import then copies that staged file into procurement_orderline in one
transaction, with the per-line history triggers switched off and one "lines_imported" event
recorded on the declaration. A "replace" first archives the declaration's lines, SME answers
included, into procurement_replacedline (one INSERT … SELECT), then deletes them, in the same
transaction.
"""

import datetime
import itertools
import json
import statistics
from decimal import Decimal
from operator import itemgetter
from pathlib import Path

import pghistory
import pgtrigger
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Aggregate, Count, FloatField, Sum
from django.utils import timezone

from directory.models import SMEProfile

from ..models import Declaration, ImportJob, OrderLine
from ..sites import SiteMatcher
from . import MAX_ROWS, MAX_STORED_ERRORS
from .columns import COLUMN_BY_KEY, match_headers
from .columns import normalise_header as fold
from .domains import campaign_domains, known_words, suggest
from .parsing import CellError, parse_amount, parse_date, parse_delay, parse_siren
from .readers import FileError, open_sheet, repair_text

CHUNK_ROWS = 5_000
MAX_GROUP_LINES = 20
MAX_WARNING_LINES = 20
OUTLIER_FACTOR = 100
COPY_COLUMNS = (
    "declaration_id",
    "sme_siren",
    "sme_name",
    "amount",
    "order_date",
    "domain_id",
    "reference",
    "payment_delay_days",
    "site_id",
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


NULL = "\\N"  # COPY's text format


def _copy_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def staged_path_for(job: ImportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "staged" / f"job-{job.pk}.tsv"


def _blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


class _Parsed:
    """A parser that returns its CellError instead of raising it (the caller memoises)."""

    def __init__(self, parser):
        self.parser = parser

    def __call__(self, raw: object) -> object:
        try:
            return self.parser(raw)
        except CellError as exc:
            return exc


class _Validation:
    """The state of one validation run: errors, groups, warnings, the valid rows' summaries."""

    def __init__(self, job: ImportJob):
        self.job = job
        declaration = job.declaration
        self.year = declaration.campaign.year
        self.today = timezone.localdate()
        self.errors: list[list[object]] = []
        self.error_count = 0
        self.groups: dict[tuple, list] = {}
        self.total_rows = 0
        self.valid_rows = 0
        self.total_amount = Decimal(0)
        self.sirens: set[str] = set()
        self.repaired = 0
        self.domain_words = known_words(declaration)
        self.unknown: dict[str, dict] = {}
        self.domain_cache: dict[object, tuple[str, int | None]] = {}
        self.used_columns: list[int] = []
        self.profile_names: dict[str, str] = {}
        self.amounts: list[float] = []
        self.amount_lines: list[int] = []
        # hash(SIREN, date, amount, reference) → first line: duplicates, in little memory.
        self.keys: dict[int, int] = {}
        self.duplicate_lines: list[int] = []
        self.duplicate_count = 0
        self.future_lines: list[int] = []
        self.future_count = 0
        self.siret_lines: list[int] = []
        self.siret_count = 0
        self.siren = _Parsed(parse_siren)
        self.amount = _Parsed(parse_amount)
        self.date = _Parsed(parse_date)
        self.delay = _Parsed(parse_delay)
        # raw cell → parsed value (or CellError), for the columns whose values repeat.
        self.siren_cache: dict[object, object] = {}
        self.date_cache: dict[object, object] = {}
        self.delay_cache: dict[object, object] = {}
        self.changed: list[str] = []
        # The account's sites, found by SIRET or name; raw cell → site id (None: unknown).
        self.site_matcher: SiteMatcher | None = None
        self.site_cache: dict[object, int | None] = {}

    # -- recording --

    def error(self, line: int, column: str, value: object, code: str, params: dict) -> None:
        self.error_count += 1
        shown = "" if value is None else str(value)[:80]
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append([line, column, shown, code, params])
        key = (column, code, json.dumps(params, sort_keys=True, default=str))
        group = self.groups.get(key)
        if group is None:
            self.groups[key] = [column, code, params, 1, [line]]
        else:
            group[3] += 1
            if len(group[4]) < MAX_GROUP_LINES:
                group[4].append(line)

    def clean_text(self, value: object) -> object:
        """Strip and repair a text cell; other cells pass through. A repaired value is noted in
        `self.changed` so that the caller counts its cells."""
        if value.__class__ is not str:
            return value
        if value.isascii():
            return value.strip()
        fixed = repair_text(value).strip()
        if fixed != value.strip():
            self.changed.append(value)
        return fixed

    def by_distinct(self, values: tuple, function, cache: dict) -> list:
        """`function` applied once per distinct value (memoised in `cache`), then mapped back in
        C; cells whose text was repaired are counted."""
        self.changed = []
        for value in set(values).difference(cache):
            cache[value] = function(value)
        if self.changed:
            self.repaired += sum(values.count(v) for v in self.changed)
        return list(map(cache.__getitem__, values))

    def _load_names(self, sirens: set[str]) -> None:
        """Directory names of the SIRENs whose line gives none (one query per chunk)."""
        wanted = sirens - self.profile_names.keys()
        if wanted:
            found = dict(SMEProfile.objects.filter(siren__in=wanted).values_list("siren", "name"))
            self.profile_names.update({siren: found.get(siren, "") for siren in wanted})

    # -- one chunk of rows, column by column --

    def chunk(self, rows: list[tuple[int, list[object]]], idx: dict, labels: dict, out) -> None:
        used = self.used_columns
        width = used[-1] + 1
        pad = [None] * width
        getter = itemgetter(*used)
        # The used cells of each row as a tuple (short CSV rows padded), blank rows dropped.
        table = [
            (line, cells)
            for line, cells in (
                (line, getter(cells if len(cells) >= width else [*cells, *pad]))
                for line, cells in rows
            )
            if not all(_blank(v) for v in cells)
        ]
        if not table:
            return
        self.total_rows += len(table)
        lines = [line for line, _cells in table]
        by_index = dict(
            zip(used, zip(*(cells for _line, cells in table), strict=True), strict=True)
        )
        blank_column = (None,) * len(table)

        def column(key: str) -> tuple:
            index = idx[key]
            return blank_column if index is None else by_index[index]

        clean = self.clean_text
        raw = {key: column(key) for key in ("siren", "amount", "order_date", "payment_delay_days")}
        sirens = self.by_distinct(raw["siren"], lambda v: self.siren(clean(v)), self.siren_cache)
        amounts = self.by_distinct(raw["amount"], lambda v: self.amount(clean(v)), {})
        dates = self.by_distinct(raw["order_date"], lambda v: self.date(clean(v)), self.date_cache)
        delays = self.by_distinct(
            raw["payment_delay_days"], lambda v: self.delay(clean(v)), self.delay_cache
        )
        raw_domains = self.by_distinct(column("domain"), clean, {})
        domains = [self._domain(v, line) for v, line in zip(raw_domains, lines, strict=True)]
        names = self.by_distinct(column("sme_name"), clean, {})
        references = self.by_distinct(column("reference"), clean, {})
        raw_sites = column("buying_site")
        sites = self.by_distinct(raw_sites, lambda v: self._site(clean(v)), self.site_cache)
        self._load_names(
            {
                siren[0]
                for siren, name in zip(sirens, names, strict=True)
                if _blank(name) and not isinstance(siren, CellError)
            }
        )
        year, today = self.year, self.today
        for i, line in enumerate(lines):
            ok = True
            siren = sirens[i]
            for key, value in (
                ("siren", siren),
                ("amount", amounts[i]),
                ("order_date", dates[i]),
                ("payment_delay_days", delays[i]),
            ):
                if isinstance(value, CellError):
                    self.error(line, labels[key], raw[key][i], value.code, value.params)
                    ok = False
            siren_text, siret = ("", False) if isinstance(siren, CellError) else siren
            order_date = dates[i]
            if isinstance(order_date, datetime.date) and order_date.year != year:
                self.error(
                    line,
                    labels["order_date"],
                    raw["order_date"][i],
                    "date_year",
                    {"date": order_date.strftime("%d/%m/%Y"), "year": year},
                )
                ok = False
            domain_id = domains[i]
            if domain_id is None:
                value = raw_domains[i]
                if _blank(value):
                    self.error(line, labels["domain"], "", "required", {})
                else:
                    self.error(
                        line, labels["domain"], value, "unknown_domain", {"value": str(value)[:60]}
                    )
                ok = False
            name = "" if _blank(names[i]) else str(names[i])
            if not name and siren_text:
                name = self.profile_names.get(siren_text, "")
                if not name:
                    self.error(line, labels["sme_name"], "", "name_required", {})
                    ok = False
            if len(name) > 200:
                self.error(line, labels["sme_name"], name, "name_too_long", {})
                ok = False
            reference = "" if _blank(references[i]) else str(references[i])
            if len(reference) > 100:
                self.error(line, labels["reference"], reference, "reference_too_long", {})
                ok = False
            site_id = sites[i]
            if site_id is False:
                value = str(raw_sites[i]).strip()
                self.error(
                    line, labels["buying_site"], value, "unknown_site", {"value": value[:60]}
                )
                ok = False
            if not ok:
                continue
            amount = amounts[i]
            self.valid_rows += 1
            self.total_amount += amount
            self.sirens.add(siren_text)
            self._watch(line, siren_text, siret, amount, order_date, reference, today)
            if not self.error_count:
                delay = delays[i]
                out.write(
                    f"{siren_text}\t{_copy_escape(name)}\t{amount}\t"
                    f"{order_date.isoformat()}\t{domain_id}\t"
                    f"{_copy_escape(reference)}\t{NULL if delay is None else delay}\t"
                    f"{NULL if site_id is None else site_id}\n"
                )

    def _site(self, value: object) -> int | bool | None:
        """The id of the account's site named by a cell (SIRET or name), None for a blank cell,
        False for a site the account does not have (another account's SIRET included)."""
        if _blank(value):
            return None
        if self.site_matcher is None:
            self.site_matcher = SiteMatcher.for_organisation(self.job.declaration.organisation_id)
        found = self.site_matcher.find(value)
        return False if found is None else found

    def _domain(self, value: object, line: int) -> int | None:
        if _blank(value):
            return None
        try:
            folded, domain_id = self.domain_cache[value]
        except KeyError:
            folded = fold(value)
            domain_id = self.domain_words.get(folded)
            self.domain_cache[value] = (folded, domain_id)
        if domain_id is None and folded:
            entry = self.unknown.get(folded)
            if entry is None:
                entry = self.unknown[folded] = {
                    "value": str(value)[:200],
                    "folded": folded[:200],
                    "count": 0,
                    "lines": [],
                }
            entry["count"] += 1
            if len(entry["lines"]) < MAX_GROUP_LINES:
                entry["lines"].append(line)
        return domain_id

    def _watch(self, line, siren, siret, amount, order_date, reference, today) -> None:
        """Collect what the sanity warnings need about a valid line."""
        self.amounts.append(float(amount))
        self.amount_lines.append(line)
        key = hash((siren, order_date, amount, reference))
        if key in self.keys:
            self.duplicate_count += 1
            if len(self.duplicate_lines) < MAX_WARNING_LINES:
                self.duplicate_lines.append(line)
        else:
            self.keys[key] = line
        if order_date > today:
            self.future_count += 1
            if len(self.future_lines) < MAX_WARNING_LINES:
                self.future_lines.append(line)
        if siret:
            self.siret_count += 1
            if len(self.siret_lines) < MAX_WARNING_LINES:
                self.siret_lines.append(line)

    # -- after the last row --

    def warnings(self, declaration: Declaration) -> list[list[object]]:
        warnings: list[list[object]] = []

        def lines(found: list[int], count: int) -> dict:
            return {"lines": found, "count": count}

        if self.siret_count:
            warnings.append(["siret_truncated", lines(self.siret_lines, self.siret_count)])
        if not self.valid_rows:
            return warnings
        total = declaration.it_purchases_total
        existing = OrderLine.objects.filter(declaration=declaration)
        if total is not None:
            existing_amount = existing.aggregate(s=Sum("amount"))["s"] or Decimal(0)
            if self.total_amount > total:
                warnings.append(
                    [
                        "above_it_total",
                        {"amount": money(self.total_amount), "total": money(total)},
                    ]
                )
            elif existing_amount and self.total_amount + existing_amount > total:
                warnings.append(
                    [
                        "above_it_total_added",
                        {
                            "amount": money(self.total_amount + existing_amount),
                            "total": money(total),
                        },
                    ]
                )
        median = account_median(declaration.organisation_id) or statistics.median(self.amounts)
        if median:
            limit = float(median) * OUTLIER_FACTOR
            outliers = [
                n for a, n in zip(self.amounts, self.amount_lines, strict=True) if a > limit
            ]
            if outliers:
                warnings.append(
                    [
                        "outlier",
                        {
                            **lines(outliers[:MAX_WARNING_LINES], len(outliers)),
                            "median": money(median),
                        },
                    ]
                )
        if self.duplicate_count:
            warnings.append(
                ["duplicate_in_file", lines(self.duplicate_lines, self.duplicate_count)]
            )
        if existing.exists():
            found = []
            count = 0
            for key in existing.values_list(
                "sme_profile_id", "order_date", "amount", "reference"
            ).iterator(chunk_size=5_000):
                line = self.keys.get(hash(tuple(key)))
                if line is not None:
                    count += 1
                    if len(found) < MAX_WARNING_LINES:
                        found.append(line)
            if count:
                warnings.append(["duplicate_in_draft", lines(sorted(found), count)])
        if self.future_count:
            warnings.append(["future_date", lines(self.future_lines, self.future_count)])
        return warnings


def money(value) -> str:
    return f"{Decimal(value):,.2f}".replace(",", "\u202f").replace(".", ",")


class _Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def account_median(organisation_id: int) -> Decimal | None:
    """Median amount of the account's lines in every declaration (None below 20 lines)."""
    lines = OrderLine.objects.filter(declaration__organisation_id=organisation_id)
    row = lines.aggregate(median=_Median("amount"), n=Count("id"))
    if not row["n"] or row["n"] < 20:
        return None
    return Decimal(str(row["median"]))


def validate(job: ImportJob) -> ImportJob:
    """Read and check the whole file; the job ends VALID (staged file written) or INVALID."""
    declaration = job.declaration
    job.state = ImportJob.State.VALIDATING  # saved by the claim (jobs.run_validation)
    run = _Validation(job)
    staged = staged_path_for(job)
    staged.parent.mkdir(parents=True, exist_ok=True)
    expected_total = job.total_rows or 0
    sheet_name = ""
    ignored: list[str] = []
    try:
        sheet = open_sheet(Path(job.file.path), job.file_format)
        sheet_name = sheet.sheet_name
        expected_total = expected_total or sheet.data_rows or 0
        headers = [run.clean_text(h) for h in sheet.headers]
        run.repaired = 0  # headers repaired are not cells of data
        positions, written, missing = match_headers(headers)
        used = set(positions.values())
        ignored = [
            str(h).strip()[:60] for i, h in enumerate(headers) if i not in used and not _blank(h)
        ]
        for label in missing:
            run.error(sheet.header_line, label, "", "missing_column", {})
        if missing:
            if sheet.close:
                sheet.close()
        else:
            labels = {key: written.get(key, str(COLUMN_BY_KEY[key].label)) for key in COLUMN_BY_KEY}
            idx = {key: positions.get(key) for key in COLUMN_BY_KEY}
            run.used_columns = sorted(used)
            with staged.open("w", encoding="utf-8", newline="\n") as out:
                rows = iter(sheet.rows)
                while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
                    run.chunk(chunk, idx, labels, out)
                    if run.total_rows > MAX_ROWS:
                        run.error(
                            chunk[-1][0],
                            "",
                            "",
                            "too_many_rows",
                            {"max": f"{MAX_ROWS:,}".replace(",", "\u202f")},
                        )
                        if sheet.close:
                            sheet.close()
                        break
                    set_progress(
                        job.pk, done=run.total_rows, total=max(expected_total, run.total_rows)
                    )
            if run.total_rows == 0 and not run.error_count:
                run.error(sheet.header_line + 1, "", "", "no_lines", {})
    except FileError as exc:
        run.error(0, "", "", exc.code, exc.params)

    unmapped = []
    if run.unknown:
        suggestions = suggest(list(run.unknown), campaign_domains(declaration))
        for folded, entry in sorted(run.unknown.items(), key=lambda item: -item[1]["count"]):
            unmapped.append({**entry, "suggestion": suggestions.get(folded)})

    job.total_rows = run.total_rows
    job.valid_rows = run.valid_rows
    job.processed_rows = run.total_rows
    job.total_amount = run.total_amount
    job.distinct_smes = len(run.sirens)
    job.error_count = run.error_count
    job.errors = run.errors
    job.error_groups = sorted(run.groups.values(), key=lambda g: (-g[3], g[4][0]))[:200]
    job.sheet_name = sheet_name[:100]
    job.repaired_cells = run.repaired
    job.ignored_columns = ignored
    job.unmapped = unmapped[:200]
    job.warnings = run.warnings(declaration) if not run.error_count else []
    job.validated_at = timezone.now()
    if run.error_count:
        job.state = ImportJob.State.INVALID
        staged.unlink(missing_ok=True)
        job.staged_file = ""
    else:
        job.state = ImportJob.State.VALID
        job.staged_file = str(staged.relative_to(Path(settings.MEDIA_ROOT)))
    save_validation(job)
    set_progress(job.pk, done=run.total_rows, total=run.total_rows)
    return job


# The values of a replaced line, SME answer included, copied as they are into the archive.
ARCHIVE_SQL = """
    WITH archived AS (
    INSERT INTO procurement_replacedline (
        declaration_id, import_job_id, replaced_at, original_line_id, sme_siren, sme_name, amount,
        order_date, domain_id, reference, payment_delay_days, site_siret, sme_status, sme_comment,
        sme_responded_at, sme_responded_by_id, line_created_at
    )
    SELECT l.declaration_id, %s, %s, l.id, l.sme_siren, l.sme_name, l.amount,
        l.order_date, l.domain_id, l.reference, l.payment_delay_days, coalesce(s.siret, ''),
        l.sme_status, l.sme_comment, l.sme_responded_at, l.sme_responded_by_id, l.created_at
    FROM procurement_orderline l
    LEFT JOIN procurement_site s ON s.id = l.site_id
    WHERE l.declaration_id = %s
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
                if row.count("\t") == 6:  # staged before the site column: delay, no site
                    row = row[:-1] + ("\\N" if row.endswith("\t\n") else "") + "\t\\N\n"
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
