"""Ten years of orders (opt-in: `make bench BENCH=reports10y`, about a quarter of an hour).

On the reports group's data (2 years of 2,000,000 lines for 500 accounts, seeded here when
missing), measure the latest year's programme report (request to PDF through the worker) and an
account's figures page, then seed the other 8 campaigns (20,000,000 lines in all) and measure
both again. Figures: seed_orders_10y_s (seeding the added campaigns' lines, index rebuild and
ANALYZE included), programme_report_1y_s and programme_report_10y_s, account_figures_1y_ms and
account_figures_10y_ms, and their ratios programme_report_10y_ratio and account_figures_10y_ratio
(ten years ÷ one year; flat is 1.0), with the WeasyPrint floor (reports_floor_s) of the same run.

No partitioning: a year's lines are stored together (each campaign's lines are written together,
as imports write them), and every yearly query reaches them through the declarations of that
campaign (index on the lines' declaration), so that it reads that year's pages only.
"""

import sys
import tempfile

from bench.bench_reports import (
    ACCOUNTS,
    ORDERS_PER_YEAR,
    SMES,
    WorkerProcess,
    measure_pages,
    render_floor,
    reusable,
    wait_for,
)
from bench.report import emit, timed

YEARS = 10


def programme_report_s(campaign, staff) -> float:
    from reports import services

    media_root = tempfile.mkdtemp(prefix="bench-reports10y-media-")
    worker = WorkerProcess(media_root)
    try:
        worker.wait_ready()
        with timed(f"programme report {campaign.year}, request to PDF") as t:
            job = services.request_programme_report(campaign=campaign, by=staff)
            wait_for([job.pk])
    finally:
        worker.stop()
    return t["s"]


def run() -> None:
    from django.utils import timezone

    from accounts.models import User
    from directory import bench_data as directory_bench_data
    from procurement import bench_data as procurement_bench_data
    from procurement.models import Campaign, OrderLine

    if not reusable(years=2):
        with timed(f"seed {SMES} SME profiles"):
            directory_bench_data.seed_smes(count=SMES)
        with timed("seed the reports group's two years"):
            procurement_bench_data.seed_orders(
                accounts=ACCOUNTS, orders_per_year=ORDERS_PER_YEAR, years=2
            )
    campaign = Campaign.objects.get(year=timezone.localdate().year - 1)
    staff, _created = User.objects.get_or_create(
        email="bench-staff@example.test", defaults={"is_programme_staff": True}
    )
    with timed("floor"):
        floor = render_floor()
    emit("reports_floor_s", floor, "s")

    years_seeded = Campaign.objects.filter(declarations__lines__isnull=False).distinct().count()
    if years_seeded < YEARS:
        if years_seeded > 2:
            raise RuntimeError(
                f"{years_seeded} years already seeded: drop the bench database (run without "
                "BENCH_REUSE) to measure one year against ten"
            )
        one_year = {
            "report": programme_report_s(campaign, staff),
            "figures": measure_pages(campaign)["figures"],
        }
        emit("programme_report_1y_s", one_year["report"], "s")
        emit("account_figures_1y_ms", one_year["figures"], "ms")
        with timed(f"seed {YEARS - years_seeded} more campaigns of {ORDERS_PER_YEAR} lines") as t:
            procurement_bench_data.seed_orders(
                accounts=ACCOUNTS, orders_per_year=ORDERS_PER_YEAR, years=YEARS
            )
        emit("seed_orders_10y_s", t["s"], "s")
    else:
        one_year = None
        print("ten years already seeded: no one-year times to compare with", file=sys.stderr)
    print(f"{OrderLine.objects.count()} order lines", file=sys.stderr)
    ten_years = {
        "report": programme_report_s(campaign, staff),
        "figures": measure_pages(campaign)["figures"],
    }
    emit("programme_report_10y_s", ten_years["report"], "s")
    emit("account_figures_10y_ms", ten_years["figures"], "ms")
    emit("programme_report_10y_floor_ratio", ten_years["report"] / floor, "x")
    if one_year:
        emit("programme_report_10y_ratio", ten_years["report"] / one_year["report"], "x")
        emit("account_figures_10y_ratio", ten_years["figures"] / one_year["figures"], "x")
