"""Generate a realistic data set at the scale of the brief, for benchmarks (`make bench`)."""

import time

from django.core.management.base import BaseCommand

from directory import bench_data as directory_bench_data
from procurement import bench_data as procurement_bench_data


class Command(BaseCommand):
    help = "Generate SME profiles, large accounts and order lines at realistic scale (bulk inserts / COPY)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--smes", type=int, default=100_000, help="SME profiles to create (default 100,000)."
        )
        parser.add_argument(
            "--accounts", type=int, default=0, help="Large accounts to create (e.g. 500)."
        )
        parser.add_argument(
            "--orders", type=int, default=0, help="Order lines per campaign year (e.g. 2,000,000)."
        )
        parser.add_argument(
            "--years", type=int, default=2, help="Campaign years with orders (default 2)."
        )

    def handle(self, *args, smes, accounts, orders, years, **options):
        if smes:
            started = time.perf_counter()
            directory_bench_data.seed_smes(count=smes)
            self.stdout.write(f"{smes} SME profiles in {time.perf_counter() - started:.1f} s")
        if accounts or orders:
            started = time.perf_counter()
            procurement_bench_data.seed_orders(
                accounts=accounts or 500, orders_per_year=orders, years=years
            )
            self.stdout.write(
                f"{accounts} accounts, {orders} orders x {years} years in {time.perf_counter() - started:.1f} s"
            )
