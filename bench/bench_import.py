"""Import benchmarks: validate + import 10,000 and 50,000 order lines end to end through the
import services (CSV, XLSX and ODS), and the peak memory of the process doing it.

Figures: import_50k_csv_s, import_50k_xlsx_s, import_50k_ods_s (seconds, upload → validated
preview → imported lines, 50,000 lines); import_50k_s and import_10k_s (the slowest format);
import_copy_floor_s (a bare COPY of the same 50,000 rows into procurement_orderline, rolled back:
what no import can beat on this machine); import_peak_mb (peak resident memory of a fresh
subprocess that imports the three 50k files, generated beforehand by the parent, read with
VmHWM of /proc/self/status: Python, Django, calamine and the import together).
"""

import datetime
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from .report import emit

YEAR = 2026
SMES = 3_000


def _siren(n: int) -> str:
    from stdnum import luhn

    body = f"{(n * 7919 + 310_000) % 100_000_000:08d}"
    return body + luhn.calc_check_digit(body)


def setup() -> int:
    """A campaign, a large account with an administrator, SMEs with profiles; returns the
    declaration id (reused when the data already exist)."""
    from accounts.models import Membership, Organisation, User
    from directory.models import Domain, SMEProfile
    from procurement.models import Campaign, Declaration

    campaign, _ = Campaign.objects.get_or_create(
        year=YEAR,
        defaults={
            "opens_on": datetime.date(YEAR, 1, 1),
            "closes_on": datetime.date(YEAR + 1, 3, 31),
            "state": Campaign.State.OPEN,
            "methodology_version": "bench",
        },
    )
    campaign.domains.set(Domain.objects.all())
    account, _ = Organisation.objects.get_or_create(
        siren="552120222", defaults={"kind": "large_account", "name": "Bench Account"}
    )
    user, _created = User.objects.get_or_create(email="bench@example.test")
    Membership.objects.get_or_create(user=user, organisation=account, defaults={"role": "admin"})
    if not SMEProfile.objects.exists():
        orgs = Organisation.objects.bulk_create(
            Organisation(kind="sme", name=f"PME {i}", siren=_siren(i)) for i in range(SMES)
        )
        SMEProfile.objects.bulk_create(
            SMEProfile(organisation=o, siren=o.siren, name=o.name, state="published") for o in orgs
        )
    declaration, _ = Declaration.objects.get_or_create(campaign=campaign, organisation=account)
    return declaration.pk


def rows(n: int, seed: int = 1):
    from directory.models import Domain

    domains = list(Domain.objects.values_list("name", flat=True))
    rng = random.Random(seed)
    for i in range(n):
        registered = rng.random() < 0.7
        number = rng.randrange(SMES) if registered else SMES + rng.randrange(20_000)
        amount = Decimal(rng.randrange(50_000, 50_000_000)) / 100
        yield (
            _siren(number),
            f"PME {number}",
            amount,
            datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randrange(365)),
            rng.choice(domains),
            f"BC-{i:06d}",
            rng.choice([None, 30, 45, 60, 90]),
        )


def make_csv(n: int) -> bytes:
    lines = ["SIREN;Raison sociale;Montant HT (€);Date de commande;Domaine;Référence;Délai"]
    for siren, name, amount, date, domain, ref, delay in rows(n):
        lines.append(
            f"{siren};{name};{f'{amount:,.2f}'.replace(',', ' ').replace('.', ',')};"
            f"{date:%d/%m/%Y};{domain};{ref};{'' if delay is None else delay}"
        )
    return ("\n".join(lines) + "\n").encode("cp1252", errors="replace")


def make_xlsx(n: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Commandes")
    sheet.append(
        [
            "SIREN",
            "Raison sociale",
            "Montant HT",
            "Date de commande",
            "Domaine",
            "Référence",
            "Délai de paiement",
        ]
    )
    for siren, name, amount, date, domain, ref, delay in rows(n):
        sheet.append([siren, name, float(amount), date, domain, ref, delay])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _with_dimension(buffer.getvalue(), rows=n + 1, columns="G")


def make_ods(n: int) -> bytes:
    from .spreadsheets import write_ods

    header = [
        "SIREN",
        "Raison sociale",
        "Montant HT",
        "Date de commande",
        "Domaine",
        "Référence",
        "Délai de paiement",
    ]
    return write_ods(
        {
            "Commandes": [
                header,
                *(
                    [siren, name, float(amount), date, domain, ref, delay]
                    for siren, name, amount, date, domain, ref, delay in rows(n)
                ),
            ]
        }
    )


def copy_floor(declaration_id: int, n: int) -> float:
    """Seconds of a bare COPY of n rows like the bench's into procurement_orderline (rolled
    back): the database's share of an import, with the same indexes and constraints."""
    import pgtrigger
    from django.db import connection, transaction

    from directory.models import Domain
    from procurement.imports.pipeline import IMPORT_IGNORED_TRIGGERS

    domain_ids = {d.name: d.pk for d in Domain.objects.all()}
    now = datetime.datetime.now(datetime.UTC).isoformat()
    NULL = "\\N"
    text = "".join(
        f"{declaration_id}\t{siren}\t{name}\t{amount}\t{date.isoformat()}\t"
        f"{domain_ids[domain]}\t{ref}\t{NULL if delay is None else delay}\tpending\t\t\\N\t"
        f"{now}\t{now}\n"
        for siren, name, amount, date, domain, ref, delay in rows(n)
    )
    columns = (
        "declaration_id, sme_siren, sme_name, amount, order_date, domain_id, reference, "
        "payment_delay_days, sme_status, sme_comment, import_job_id, created_at, updated_at"
    )
    with transaction.atomic():
        with pgtrigger.ignore(*IMPORT_IGNORED_TRIGGERS), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM procurement_orderline WHERE declaration_id = %s", [declaration_id]
            )
            started = time.perf_counter()
            with cursor.cursor.copy(f"COPY procurement_orderline ({columns}) FROM STDIN") as copy:
                copy.write(text)
            elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def _with_dimension(data: bytes, *, rows: int, columns: str) -> bytes:
    """openpyxl's write-only mode omits the <dimension> tag that Excel and LibreOffice write;
    add it so that the files look like real ones (without it openpyxl scans the sheet twice)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"<sheetViews>",
                    f'<dimension ref="A1:{columns}{rows}" /><sheetViews>'.encode(),
                    1,
                )
            target.writestr(item, content)
    return out.getvalue()


def import_once(declaration_id: int, name: str, data: bytes) -> float:
    """Upload → validate → import (replace), through the services, synchronously; seconds."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from procurement import services
    from procurement.imports import jobs
    from procurement.models import Declaration, ImportJob, OrderLine

    declaration = Declaration.objects.select_related("campaign", "organisation").get(
        pk=declaration_id
    )
    user = User.objects.get(email="bench@example.test")
    started = time.perf_counter()
    job = services.create_import(
        declaration=declaration, upload=SimpleUploadedFile(name, data), by=user
    )
    if job.run_in_background:  # run the task body here, as the worker would
        job = jobs.run_validation(job_id=job.pk, attempt=1)
    assert job.state == ImportJob.State.VALID, job.errors[:5]
    # Confirmed "replace" (the previous lines are archived), run here as the worker would.
    ImportJob.objects.filter(pk=job.pk).update(
        mode=ImportJob.Mode.REPLACE,
        state=ImportJob.State.IMPORTING,
        attempts=1,
        claimed_attempt=0,
    )
    job = jobs.run_import(job_id=job.pk, by_id=user.pk, attempt=1)
    assert job.state == ImportJob.State.DONE, job.failure
    elapsed = time.perf_counter() - started
    assert OrderLine.objects.filter(declaration=declaration).count() == job.valid_rows
    return elapsed


def _child(paths: list[str]) -> None:
    """Run in a fresh process: import the 50k files given, then print the peak RSS in MB."""
    from pathlib import Path

    import django

    django.setup()
    declaration_id = setup()
    for path in paths:
        import_once(declaration_id, Path(path).name, Path(path).read_bytes())
    print(json.dumps({"peak_mb": _peak_kb() / 1024}))


def _peak_kb() -> int:
    """Peak resident memory of this process since it started, in kB. On Linux, VmHWM of
    /proc/self/status: getrusage's ru_maxrss survives execve, so a child started by a big parent
    would report the parent's size (the figure measured before was partly the parent's)."""
    import resource

    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run() -> None:
    from django.conf import settings

    settings.MEDIA_ROOT = settings.MEDIA_ROOT / "bench"
    declaration_id = setup()
    results = {}
    files = Path(tempfile.mkdtemp(prefix="bench-import-"))
    makers = (("csv", make_csv), ("xlsx", make_xlsx), ("ods", make_ods))
    for n in (10_000, 50_000):
        timings = {}
        for fmt, maker in makers:
            data = maker(n)
            (files / f"{n}.{fmt}").write_bytes(data)
            seconds = import_once(declaration_id, f"{n}.{fmt}", data)
            print(f"import {n} lines {fmt}: {seconds:.2f} s", file=sys.stderr)
            timings[fmt] = seconds
        results[n] = timings
    emit("import_10k_s", max(results[10_000].values()), "s")
    emit("import_50k_s", max(results[50_000].values()), "s")
    for fmt, _maker in makers:
        emit(f"import_50k_{fmt}_s", results[50_000][fmt], "s")
    emit("import_copy_floor_s", copy_floor(declaration_id, 50_000), "s")
    env = dict(os.environ, MEDIA_ROOT=str(settings.MEDIA_ROOT))
    output = (
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from bench.bench_import import _child; _child(sys.argv[1:])",
                *(str(files / f"50000.{fmt}") for fmt, _maker in makers),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=settings.BASE_DIR,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    emit("import_peak_mb", json.loads(output)["peak_mb"], "MB")
    shutil.rmtree(files, ignore_errors=True)
