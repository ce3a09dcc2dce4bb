"""Reports at the brief's scale: seed 500 accounts x 2,000,000 order lines per year (two years),
then generate the programme report and a sample of member reports through a real Celery worker.

Figures: seed_orders_2m_s (seeding the order lines of both years), programme_report_s (request
to PDF on disk, through the worker), report_worker_peak_mb (peak RSS of the worker process:
the larger of psutil sampling and the maxrss each task records in its job), member_report_avg_s (a sample of member reports, request to PDF, divided by
their number: a throughput, the worker's two processes taking a batch of 10 each),
report_suppressed_cells (cells
of the programme report shown "n.s." by disclosure control; report_suppressed_primary and
report_suppressed_secondary split them by rule), member_reports_500_s (every member's report of
the year, request to the last PDF, on one worker of concurrency 2 as docker-compose runs it: timed
for real over the 500 seeded accounts, scaled to 500 only if fewer had a submitted declaration),
declaration_page_10k_ms and account_figures_ms (median of warm views of the declaration page of
the account whose declaration has about 10,000 lines, and of that account's figures page).

Floor, in the same run: reports_floor_s, WeasyPrint rendering a fixed 30-page document (tables
and text in the reports' font), and programme_report_floor_ratio = programme_report_s / floor;
reports_floor_end_s, the same floor once the member reports are done (the machine's load may
have changed meanwhile). The floor is stock WeasyPrint: the bench process never installs the
reports' faster font subsetting (`reports.pdf_fonts`), which only the worker's renders use.
Load averages go to stderr beside the figures. member_report_worker_cpu_s: CPU seconds of the
worker's processes per member report during the 500 (render, XLSX, queries' client side), the
figure the machine's load does not change much.
"""

import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.report import emit, timed

SMES = 100_000
ACCOUNTS = 500
ORDERS_PER_YEAR = 2_000_000
YEARS = 2
MEMBER_SAMPLE = 20
ROOT = Path(__file__).resolve().parent.parent


class WorkerProcess:
    """A Celery worker consuming the reports queue, with its peak memory sampled."""

    def __init__(self, media_root: str):
        from django.conf import settings

        self.name = f"bench-reports-{uuid.uuid4().hex[:6]}"
        env = dict(os.environ, MEDIA_ROOT=media_root)
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            "w", prefix="bench-reports-worker-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "pacte",
                "worker",
                "-Q",
                settings.REPORTS_QUEUE,
                "--concurrency",
                "2",
                "--loglevel",
                "WARNING",
                "-n",
                f"{self.name}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.peak_rss = 0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        import psutil

        try:
            process = psutil.Process(self.process.pid)
            while not self._stop.is_set():
                rss = process.memory_info().rss
                rss += sum(c.memory_info().rss for c in process.children(recursive=True))
                self.peak_rss = max(self.peak_rss, rss)
                time.sleep(0.05)
        except psutil.Error:
            return

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the worker and its processes so far (not PostgreSQL's)."""
        import psutil

        process = psutil.Process(self.process.pid)
        total = 0.0
        for each in [process, *process.children(recursive=True)]:
            try:
                times = each.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    def wait_ready(self, timeout: float = 60) -> None:
        from pacte.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the report worker exited early, see {self.log.name}")
            replies = app.control.inspect(timeout=0.5).ping() or {}
            if any(name.startswith(self.name) for name in replies):
                return
        raise RuntimeError("the report worker did not answer within 60 s")

    def stop(self) -> None:
        self._stop.set()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def wait_for(job_ids: list[int], timeout: float = 600) -> None:
    from reports.models import ReportJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = list(
            ReportJob.objects.filter(pk__in=job_ids).values_list("state", "error_message")
        )
        failed = [message for state, message in states if state == ReportJob.State.FAILED]
        if failed:
            raise RuntimeError(f"report job failed: {failed[0]}")
        if all(state == ReportJob.State.DONE for state, _message in states):
            return
        time.sleep(0.1)
    raise RuntimeError("report jobs did not finish in time")


def explain_key_query(campaign) -> None:
    """Print the plan of the heaviest aggregate at this scale (stderr), for the record: the
    programme report's pass over the year's lines (`reports.figures.year_pass`), as the report
    runs it (JIT off, its work_mem)."""
    from django.db import connection, transaction

    from reports import figures

    captured = {}
    real_fetchall = figures._fetchall

    def explain(sql: str, params: list, **options) -> list:
        captured["sql"], captured["params"] = sql, params
        return real_fetchall(sql, params, **options)

    figures._fetchall = explain
    try:
        figures.year_pass(campaign)
    finally:
        figures._fetchall = real_fetchall
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = %s", [figures.HASHED_WORK_MEM])
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + captured["sql"], captured["params"])
        for (line,) in cursor.fetchall():
            print(f"  plan: {line}", file=sys.stderr)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def reusable(*, years: int) -> bool:
    """With BENCH_REUSE=1, whether the last `years` campaigns already hold their seeded lines."""
    if os.environ.get("BENCH_REUSE") != "1":
        return False
    from django.db import connection
    from django.utils import timezone

    from directory.models import SMEProfile

    last_year = timezone.localdate().year - 1
    if SMEProfile.objects.count() < SMES:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM procurement_declaration d JOIN procurement_campaign c "
            "ON c.id = d.campaign_id WHERE c.year BETWEEN %s AND %s",
            [last_year - years + 1, last_year],
        )
        (declarations,) = cursor.fetchone()
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'procurement_orderline'")
        row = cursor.fetchone()
    return (
        declarations >= ACCOUNTS * years and bool(row) and row[0] >= 0.9 * ORDERS_PER_YEAR * years
    )  # an estimate


FLOOR_PAGES = 30


def render_floor() -> float:
    """Seconds WeasyPrint takes to lay out a fixed 30-page document (best of two): the floor."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from reports import charts
    from reports.rendering import FONTS_DIR

    rows = "".join(
        f"<tr><td>Ligne {n}</td><td>{n * 1234.5:,.2f} €</td><td>{n % 97} %</td></tr>"
        for n in range(24)
    )
    pages = "".join(
        f"<section><h1>Page {page}</h1><p>{'Texte du rapport annuel. ' * 40}</p>"
        f"<table>{rows}</table></section>"
        for page in range(FLOOR_PAGES)
    )
    html = (
        f"<html><head><style>@page {{ size: A4; margin: 2cm }} body {{ font-family: "
        f"'{charts.FONT}'; font-size: 10pt }} section {{ break-after: page }} "
        f"td {{ border: 1px solid #999; padding: 2px }}</style></head><body>{pages}</body></html>"
    )
    best = float("inf")
    for _attempt in range(2):
        started = time.perf_counter()
        document = HTML(string=html, base_url=str(FONTS_DIR) + "/").render(
            font_config=FontConfiguration()
        )
        document.write_pdf()
        best = min(best, time.perf_counter() - started)
    if len(document.pages) != FLOOR_PAGES:
        raise RuntimeError(f"the floor document has {len(document.pages)} pages")
    return best


def page_client(organisation):
    """A test client signed in as a declarant of `organisation` (its only membership)."""
    from django.test import Client

    from accounts.models import Membership, User

    user, _created = User.objects.get_or_create(
        email=f"bench-declarant-{organisation.pk}@example.test"
    )
    Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": "admin"}
    )
    client = Client()
    client.force_login(user)
    return client


def page_median_ms(client, url: str, params: dict | None = None, *, times: int = 15) -> float:
    from bench.report import median

    response = client.get(url, params or {})  # first view: connection, templates, buffers
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code}")
    durations = []
    for _n in range(times):
        started = time.perf_counter()
        client.get(url, params or {})
        durations.append((time.perf_counter() - started) * 1000)
    return median(durations)


def declaration_near(campaign, lines: int):
    """The campaign's declaration whose number of lines is closest to `lines`."""
    from django.db.models import Count, F, Func

    from procurement.models import Declaration

    return (
        Declaration.objects.filter(campaign=campaign)
        .annotate(n=Count("lines"))
        .annotate(gap=Func(F("n") - lines, function="abs"))
        .select_related("organisation")
        .order_by("gap", "pk")
        .first()
    )


def measure_pages(campaign) -> dict[str, float]:
    """Median warm times of the declaration page (about 10,000 lines) and the figures page."""
    from django.test import override_settings
    from django.urls import reverse

    declaration = declaration_near(campaign, 10_000)
    client = page_client(declaration.organisation)
    plain_static = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES=plain_static):
        declaration_ms = page_median_ms(
            client, reverse("procurement:declaration_detail", args=[declaration.pk])
        )
        figures_ms = page_median_ms(
            client, reverse("procurement:account_figures"), {"annee": campaign.year}
        )
    print(
        f"pages of {declaration.organisation.name} ({declaration.n} lines in {campaign.year}): "
        f"declaration {declaration_ms:.1f} ms, figures {figures_ms:.1f} ms",
        file=sys.stderr,
    )
    return {"declaration": declaration_ms, "figures": figures_ms}


def run() -> None:
    from django.db.models import Max
    from django.utils import timezone

    from accounts.models import User
    from directory import bench_data as directory_bench_data
    from procurement import bench_data as procurement_bench_data
    from procurement.models import Campaign
    from reports import services
    from reports.models import ReportJob

    if reusable(years=YEARS):
        print("BENCH_REUSE=1: the seeded SMEs and order lines are reused", file=sys.stderr)
    else:
        with timed(f"seed {SMES} SME profiles"):
            directory_bench_data.seed_smes(count=SMES)
        with timed(f"seed {ACCOUNTS} accounts, {ORDERS_PER_YEAR} order lines x {YEARS} years") as t:
            procurement_bench_data.seed_orders(
                accounts=ACCOUNTS, orders_per_year=ORDERS_PER_YEAR, years=YEARS
            )
        emit("seed_orders_2m_s", t["s"], "s")

    # The last closed year seeded above (the import group, when run before, adds a later campaign).
    campaign = Campaign.objects.get(year=timezone.localdate().year - 1)
    explain_key_query(campaign)
    print(load_average(), file=sys.stderr)
    with timed(f"floor: WeasyPrint, a fixed {FLOOR_PAGES}-page document") as t:
        floor = render_floor()
    emit("reports_floor_s", floor, "s")
    pages = measure_pages(campaign)
    emit("declaration_page_10k_ms", pages["declaration"], "ms")
    emit("account_figures_ms", pages["figures"], "ms")
    staff, _created = User.objects.get_or_create(
        email="bench-staff@example.test", defaults={"is_programme_staff": True}
    )
    media_root = tempfile.mkdtemp(prefix="bench-reports-media-")
    worker = WorkerProcess(media_root)
    try:
        worker.wait_ready()
        with timed("programme report, request to PDF through the worker") as t:
            job = services.request_programme_report(campaign=campaign, by=staff)
            wait_for([job.pk])
        emit("programme_report_s", t["s"], "s")
        print(load_average(), file=sys.stderr)
        emit("programme_report_floor_ratio", t["s"] / floor, "x")
        job = ReportJob.objects.select_related("version").get(pk=job.pk)
        size = Path(media_root, job.version.pdf.name).stat().st_size
        print(
            f"programme report v{job.version.number}: {size // 1024} KiB, "
            f"worker maxrss recorded by the task {job.peak_memory_mb} MB",
            file=sys.stderr,
        )
        # Cells the disclosure control hides in that report (as the job recorded them).
        suppressed = job.version.key_figures["suppressed_cells"]
        emit("report_suppressed_cells", suppressed["hidden"], "cells")
        emit("report_suppressed_primary", suppressed["primary"], "cells")
        emit("report_suppressed_secondary", suppressed["secondary"], "cells")

        with timed(f"{MEMBER_SAMPLE} member reports through the worker") as t:
            jobs = services.request_member_reports(campaign=campaign, by=staff, limit=MEMBER_SAMPLE)
            wait_for([j.pk for j in jobs])
        if not jobs:
            raise RuntimeError(f"no submitted declaration to report on in {campaign.year}")
        emit("member_report_avg_s", t["s"] / len(jobs), "s")

        print(load_average(), file=sys.stderr)
        cpu_before = worker.cpu_seconds()
        with timed("every member report of the year through the worker") as t:
            jobs = services.request_member_reports(campaign=campaign, by=staff)
            wait_for([j.pk for j in jobs], timeout=1800)
        # The worker's own CPU per report: what the reports cost whatever else shares the cores
        # (500 of them need 500 × this on the worker's 2 cores, plus PostgreSQL's share).
        cpu_per_report = (worker.cpu_seconds() - cpu_before) / max(len(jobs), 1)
        emit("member_report_worker_cpu_s", cpu_per_report, "s")
        # Timed for real: every account with a submitted declaration (ACCOUNTS of them, seeded
        # above), request to the last PDF; scaled to ACCOUNTS only if fewer were found.
        print(
            f"{len(jobs)} member reports in {t['s']:.1f} s ({t['s'] / max(len(jobs), 1):.2f} s "
            f"each), {load_average()}",
            file=sys.stderr,
        )
        emit("member_reports_500_s", t["s"] * ACCOUNTS / max(len(jobs), 1), "s")
    finally:
        worker.stop()
    # The floor again, after the reports: the machine's load may have changed meanwhile.
    floor_end = render_floor()
    emit("reports_floor_end_s", floor_end, "s")
    print(f"floor at the end: {floor_end:.2f} s, {load_average()}", file=sys.stderr)
    # The larger of the sampled RSS and the peak (maxrss) each task recorded in its job.
    recorded = ReportJob.objects.aggregate(peak=Max("peak_memory_mb"))["peak"] or 0
    print(
        f"worker peak: sampled {worker.peak_rss / 2**20:.0f} MB, recorded {recorded} MB",
        file=sys.stderr,
    )
    emit("report_worker_peak_mb", max(worker.peak_rss / (1024 * 1024), recorded), "MB")
