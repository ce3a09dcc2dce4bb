"""Reports at the brief's scale: seed 500 accounts x 2,000,000 order lines per year (two years),
then generate the programme report and a sample of member reports through a real Celery worker.

Figures: seed_orders_2m_s (seeding the order lines of both years), programme_report_s (request
to PDF on disk, through the worker), report_worker_peak_mb (peak RSS of the worker process:
the larger of psutil sampling and the maxrss each task records in its job), member_report_avg_s (a sample of member reports, request to PDF, divided by
their number; one worker, so they run one after the other), report_suppressed_cells (cells
of the programme report shown "n.s." by disclosure control; report_suppressed_primary and
report_suppressed_secondary split them by rule).
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
                "--pool",
                "solo",
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
    """Print the plan of the heaviest aggregate at this scale (stderr), for the record."""
    from django.db import connection

    from reports import figures

    sql, params = figures._submitted_declarations_sql(campaign.pk, None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF) WITH d AS ({sql}) "
            "SELECT count(DISTINCT l.sme_siren), sum(l.amount) FROM d "
            "JOIN procurement_orderline l ON l.declaration_id = d.id",
            params,
        )
        for (line,) in cursor.fetchall():
            print(f"  plan: {line}", file=sys.stderr)


def run() -> None:
    from django.db.models import Max
    from django.utils import timezone

    from accounts.models import User
    from directory import bench_data as directory_bench_data
    from procurement import bench_data as procurement_bench_data
    from procurement.models import Campaign
    from reports import services
    from reports.models import ReportJob

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
    finally:
        worker.stop()
    # The larger of the sampled RSS and the peak (maxrss) each task recorded in its job.
    recorded = ReportJob.objects.aggregate(peak=Max("peak_memory_mb"))["peak"] or 0
    print(
        f"worker peak: sampled {worker.peak_rss / 2**20:.0f} MB, recorded {recorded} MB",
        file=sys.stderr,
    )
    emit("report_worker_peak_mb", max(worker.peak_rss / (1024 * 1024), recorded), "MB")
