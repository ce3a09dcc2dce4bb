"""`make bench [BENCH=group]`: build realistic data in a database of its own, print figures.

Each figure is one JSON line on stdout: {"bench": NAME, "value": V, "unit": U}.
Progress and notes go to stderr.  Groups: directory, import, reports, load (all by default), and
reports10y (ten years of orders, opt-in: it takes about a quarter of an hour).
The bench database (`<name>_bench`) is dropped and rebuilt at each run, so figures are comparable;
with BENCH_REUSE=1 it is kept (migrated) and the groups that can reuse their seeded data do so
(the reports group skips seeding when its lines are there and prints no seeding figure).
"""

import importlib
import os
import sys
import time
from urllib.parse import urlsplit, urlunsplit

GROUPS = ["directory", "import", "reports", "load"]
OPT_IN = ["reports10y"]


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        from pacte import embedded

        return embedded.database_url("pacte_bench")
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "pacte"
    return urlunsplit(parts._replace(path=f"/{name}_bench"))


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def create_database_if_missing(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str]) -> int:
    wanted = [a for a in argv if a] or GROUPS
    unknown = [g for g in wanted if g not in GROUPS + OPT_IN]
    if unknown:
        print(
            f"unknown bench group(s): {', '.join(unknown)}; choose among {', '.join(GROUPS + OPT_IN)}",
            file=sys.stderr,
        )
        return 2
    url = bench_database_url()
    if os.environ.get("BENCH_REUSE") == "1":
        create_database_if_missing(url)
    else:
        recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault(
        "SECRET_KEY", "bench-only-secret-key-not-used-for-anything-else-0123456789"
    )
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("CELERY_QUEUE_PREFIX", f"bench-{os.getpid()}-")
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"bench database ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    import gc

    gc.freeze()  # as pacte/wsgi.py does in production once the application is loaded
    for group in wanted:
        module = importlib.import_module(f"bench.bench_{group}")
        print(f"--- {group}", file=sys.stderr)
        module.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
