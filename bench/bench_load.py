"""Load benchmark: 200 declarants of 200 large accounts at once, the week before the close.

`make bench BENCH=load` seeds the bench database (100,000 published SMEs, an open campaign, 200
large accounts each with one declarant, a draft declaration of 100 lines), collects the static
files, then starts the portal as docker-compose runs it, on 127.0.0.1 only: gunicorn with 4
workers (DEBUG=0, whitenoise serving the static files) and a Celery worker (2 processes), on a free
local port. Locust (bench/locustfile.py, headless, one process) then runs four phases:

1. ramp-up: 200 users start (2 a second); each signs in through the sign-in form (a PBKDF2 of
   1,000,000 iterations each: about 0.5 s of a core);
2. steady (LOAD_STEADY_S, 150 s by default): each user, with a think time of 5 s ± 50 % between
   pages, searches the directory, opens its declaration, adds a line and edits one through htmx
   (the forms the page posts, with the CSRF token), imports a 200-line CSV file (upload, check,
   confirm) and looks at its account's figures;
3. saturation (30 s): the same users, the same mix, without think time;
4. floor (40 s): the same users, the home page only, without think time (it begins with the
   saturation's requests still queued: only the home page's own responses are counted).

Figures:
- load_200_p95_ms: the 95th percentile of the response times of every request of phase 2;
- load_200_errors: failed requests (status >= 400, except the expected 4xx of none, or network
  errors) in phases 1 and 2;
- load_max_rps: requests per second served in phase 3 (the mix at saturation);
- load_floor_rps: requests per second of the home page in phase 4, the same run's floor: what
  this machine serves when each request does almost nothing.
"""

import datetime
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

from bench.report import emit, timed

USERS = 200
LINES_PER_DECLARATION = 100
PASSWORD = "banc-d-essai-de-charge-2026"  # noqa: S105 (synthetic accounts of the bench database)
ROOT = Path(__file__).resolve().parent.parent


EMAIL_DOMAIN = "@charge.example"


def remove_load_accounts() -> None:
    """With BENCH_REUSE=1: the accounts, declarants, declarations, imports and lines of a
    previous run (its imports and added lines would make the declarations grow run after run),
    without the per-line history triggers (a bench's own data)."""
    import pgtrigger
    from django.db import connection, transaction

    with transaction.atomic(), pgtrigger.ignore("procurement.OrderLine:delete_delete"):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM accounts_organisation WHERE kind = 'large_account' "
                "AND name LIKE 'Compte de charge %%'"
            )
            organisations = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "SELECT id FROM accounts_user WHERE email LIKE %s", ["declarant%" + EMAIL_DOMAIN]
            )
            users = [row[0] for row in cursor.fetchall()]
        from accounts.models import Organisation, User
        from procurement.models import Declaration, ImportJob, OrderLine

        declarations = Declaration.objects.filter(organisation_id__in=organisations)
        OrderLine.objects.filter(declaration__in=declarations).delete()
        ImportJob.objects.filter(declaration__in=declarations).delete()
        declarations.delete()
        Organisation.objects.filter(pk__in=organisations).delete()
        User.objects.filter(pk__in=users).delete()


def smes() -> int:
    return int(os.environ.get("LOAD_SMES", "100000"))


def seed(workdir: Path) -> Path:
    """The bench data; returns the path of the JSON file that tells Locust who signs in."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from stdnum import luhn

    from accounts.models import Membership, Organisation, User
    from directory.bench_data import seed_smes
    from directory.models import Domain, SMEProfile
    from procurement.models import Campaign, Declaration, OrderLine

    published = SMEProfile.objects.published().count()
    if published < smes():
        with timed(f"seed {smes() - published} SMEs"):
            seed_smes(count=smes() - published)
    year = datetime.date.today().year
    rng = random.Random(12)
    sirens = list(SMEProfile.objects.published().order_by("id").values_list("siren", "name")[:5000])
    domains = list(Domain.objects.filter(is_active=True).order_by("position"))
    if User.objects.filter(email__endswith=EMAIL_DOMAIN).exists():  # BENCH_REUSE=1
        with timed("remove the previous run's accounts, declarants and lines"):
            remove_load_accounts()
    with timed("seed 200 accounts, declarants and declarations"), transaction.atomic():
        campaign, _ = Campaign.objects.update_or_create(
            year=year,
            defaults={
                "opens_on": datetime.date(year, 1, 1),
                "closes_on": datetime.date(year + 1, 3, 31),
                "state": Campaign.State.OPEN,
                "methodology_version": "bench",
            },
        )
        campaign.domains.set(domains)
        accounts = Organisation.objects.bulk_create(
            Organisation(
                kind="large_account",
                name=f"Compte de charge {n + 1}",
                siren=(body := f"{80_000_000 + n:08d}") + luhn.calc_check_digit(body),
            )
            for n in range(USERS)
        )
        password = make_password(PASSWORD)
        users = User.objects.bulk_create(
            User(email=f"declarant{n + 1}{EMAIL_DOMAIN}", password=password) for n in range(USERS)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
        )
        Membership.objects.bulk_create(
            Membership(user=u, organisation=a, role="admin")
            for u, a in zip(users, accounts, strict=True)
        )
        declarations = Declaration.objects.bulk_create(
            Declaration(campaign=campaign, organisation=a, it_purchases_total=Decimal(50_000_000))
            for a in accounts
        )
        lines = []
        for declaration in declarations:
            for i in range(LINES_PER_DECLARATION):
                siren, name = rng.choice(sirens)
                lines.append(
                    OrderLine(
                        declaration=declaration,
                        sme_profile_id=siren,
                        sme_name=name,
                        amount=Decimal(rng.randrange(100_000, 10_000_000)) / 100,
                        order_date=datetime.date(year, 1, 1)
                        + datetime.timedelta(days=rng.randrange(300)),
                        domain=rng.choice(domains),
                        reference=f"BC-{i:05d}",
                        payment_delay_days=rng.choice([30, 45, 60, 90]),
                    )
                )
        OrderLine.objects.bulk_create(lines, batch_size=5000)
    data = {
        "password": PASSWORD,
        "year": year,
        "users": [
            {"email": u.email, "declaration": d.pk}
            for u, d in zip(users, declarations, strict=True)
        ],
        "smes": sirens[:2000],
        "domains": [[d.pk, d.name] for d in domains],
    }
    path = workdir / "load.json"
    path.write_text(json.dumps(data))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(workdir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",  # plain http on 127.0.0.1: the cookies are not marked Secure
        SECURE_HSTS_SECONDS="0",
        ALLAUTH_TRUSTED_PROXY_COUNT="1",  # Locust plays the proxy: one X-Forwarded-For a user
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        PRIVATE_MEDIA_ROOT=str(workdir / "private-media"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def wait_until_up(url: str, seconds: float = 90) -> None:
    """Until /healthz says the database, Redis and the Celery worker answer (no beat here: the
    scheduler's sweeps play no part in the measured pages)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (127.0.0.1)
                checks = json.loads(response.read())
        except urllib.error.HTTPError as error:
            checks = json.loads(error.read() or b"{}")
        except OSError:
            checks = {}
        if all(checks.get(part) for part in ("database", "redis", "worker")):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the portal did not start: {checks}")
        time.sleep(0.5)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run() -> None:
    from django.db import connections

    workdir = Path(tempfile.mkdtemp(prefix="pacte-load-"))
    data = seed(workdir)
    connections.close_all()
    env = server_env(workdir)
    bin_dir = Path(sys.executable).parent
    with timed("collectstatic"):
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    logs = open(workdir / "server.log", "w")  # noqa: SIM115 (closed below)
    web = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "pacte.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=logs,
        stderr=logs,
    )
    prefix = env.get("CELERY_QUEUE_PREFIX", "")
    worker = subprocess.Popen(
        [
            str(bin_dir / "celery"),
            "-A",
            "pacte",
            "worker",
            "-Q",
            f"{prefix}default,{prefix}reports",
            "--concurrency",
            "2",
            "--max-tasks-per-child",
            "50",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=logs,
        stderr=logs,
    )
    results = workdir / "results.json"
    try:
        wait_until_up(f"{host}/healthz")
        print(f"gunicorn (4 workers) and a Celery worker on {host}", file=sys.stderr)
        locust_env = dict(env, LOAD_DATA=str(data), LOAD_RESULTS=str(results))
        steady = int(os.environ.get("LOAD_STEADY_S", "150"))
        locust_env["LOAD_STEADY_S"] = str(steady)
        subprocess.run(
            [
                str(bin_dir / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--host",
                host,
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=locust_env,
            check=False,
            timeout=steady + 600,
        )
    finally:
        stop(web)
        stop(worker)
        logs.close()
    figures = json.loads(results.read_text())
    for name, line in figures.get("notes", {}).items():
        print(f"{name}: {line}", file=sys.stderr)
    emit("load_200_p95_ms", figures["load_200_p95_ms"], "ms")
    emit("load_200_errors", figures["load_200_errors"], "requests")
    emit("load_max_rps", figures["load_max_rps"], "requests/s")
    emit("load_floor_rps", figures["load_floor_rps"], "requests/s")
    if figures["load_floor_rps"]:  # 0 when the queue did not drain before the phase ended
        emit("load_max_floor_ratio", figures["load_max_rps"] / figures["load_floor_rps"], "ratio")
    shutil.rmtree(workdir, ignore_errors=True)
