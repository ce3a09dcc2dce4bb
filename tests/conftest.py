"""Shared fixtures: factories' users, a real Celery worker, and Chromium driven by Playwright."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture(autouse=True)
def _own_cache_namespace(request, settings):
    """Each test reads and writes cache entries of its own (Redis is shared by every test run);
    a test with the Celery worker shares the worker's."""
    if "celery_worker" in request.fixturenames:
        prefix = request.getfixturevalue("celery_worker").cache_prefix
    else:
        prefix = f"test-{uuid.uuid4().hex[:12]}"
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _emails_inline(request, settings):
    """Without a worker, outbox emails are delivered right after commit by the same code the worker
    runs; tests with the worker leave them to it."""
    settings.EMAIL_SEND_INLINE = "celery_worker" not in request.fixturenames


@pytest.fixture(autouse=True)
def _french_to_start_with():
    """Each test starts in French, whatever language a previous test's request left active."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = False


def _test_database_url() -> str:
    from urllib.parse import quote

    db = settings.DATABASES["default"]
    options = db.get("OPTIONS", {})
    host = db.get("HOST") or options.get("host", "")
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else f"{user}@"
    if host.startswith("/"):
        return f"postgresql://{auth}/{db['NAME']}?host={host}"
    port = db.get("PORT") or 5432
    return f"postgresql://{auth}{host}:{port}/{db['NAME']}"


class Worker:
    """A real Celery worker process (with Celery beat embedded, `-B`) on this run's own queues.

    `kill()` sends SIGKILL, as an out-of-memory killer or a crash would; `start(**env)` starts a
    new one (with some environment changed, e.g. EMAIL_URL); `stop()` ends it cleanly."""

    def __init__(self, env: dict, queues: str, log_dir: Path, beat_dir: Path):
        self.env, self.queues, self.log_dir, self.beat_dir = env, queues, log_dir, beat_dir
        self.mail_dir = Path(env["EMAIL_URL"].removeprefix("file://"))
        self.cache_prefix = env["CACHE_PREFIX"]
        self.media_dir = Path(env["MEDIA_ROOT"])
        self.process = None
        self.starts = 0

    def start(self, **env_changes: str) -> None:
        from pacte.celery import app

        self.starts += 1
        self.log_path = str(self.log_dir / f"worker-{self.starts}.log")
        log = open(self.log_path, "w")  # noqa: SIM115
        name = f"test-{uuid.uuid4().hex[:8]}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "pacte",
                "worker",
                "-B",
                "--schedule",
                str(self.beat_dir / f"beat-{self.starts}"),
                "-Q",
                self.queues,
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env={**self.env, **env_changes},
            stdout=log,
            stderr=subprocess.STDOUT,
            # A process group of its own: `-B` runs beat in a child process, which must die with
            # the worker (a SIGKILL of the worker alone would leave it running after the tests).
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited early, see {self.log_path}")
            replies = app.control.inspect(timeout=0.5).ping() or {}
            if any(reply.startswith(name) for reply in replies):
                return
        self._signal(signal.SIGKILL)
        self.process.wait()
        raise RuntimeError("Celery worker did not answer within 60 s")

    def _signal(self, number: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)

    def kill(self) -> None:
        # SIGKILL of the worker and its embedded beat, as an out-of-memory killer or a crashed
        # container would: no cleanup, its unacknowledged task stays in Redis.
        self._signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self._signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        self._signal(signal.SIGKILL)  # whatever is left of the group (beat's child)
        self.process.wait()

    def restart(self, **env_changes: str) -> None:
        self.stop()
        self.start(**env_changes)


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real Celery worker process consuming this test run's own queues on the test database,
    with Celery beat embedded (the periodic sweeps run as in production).

    Tests using it must use `transactional_db` (or `live_server`) so that the worker sees their data.
    Emails sent by the worker land as files in `worker.mail_dir`.
    """
    env = dict(
        os.environ,
        DATABASE_URL=_test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        CELERY_QUEUE_PREFIX=settings.CELERY_QUEUE_PREFIX,
        CACHE_PREFIX=f"test-worker-{uuid.uuid4().hex[:12]}",
        EMAIL_URL=f"file://{tmp_path_factory.mktemp('worker-mail')}",
        MEDIA_ROOT=str(tmp_path_factory.mktemp("worker-media")),
        PACTE_TESTING="1",
        DEBUG="1",
    )
    worker = Worker(
        env,
        queues=f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.REPORTS_QUEUE}",
        log_dir=tmp_path_factory.mktemp("worker-log"),
        beat_dir=tmp_path_factory.mktemp("worker-beat"),
    )
    worker.start()
    yield worker
    worker.stop()


def pytest_configure(config):
    # Each test run gets queues of its own, so that no other run's worker steals its tasks.
    settings.CELERY_QUEUE_PREFIX = f"test-{uuid.uuid4().hex[:8]}-"
    settings.CELERY_TASK_DEFAULT_QUEUE = f"{settings.CELERY_QUEUE_PREFIX}default"
    settings.REPORTS_QUEUE = f"{settings.CELERY_QUEUE_PREFIX}reports"
    settings.CELERY_TASK_ROUTES = {
        "reports.tasks.render_report": {"queue": settings.REPORTS_QUEUE},
        "reports.tasks.render_member_reports": {"queue": settings.REPORTS_QUEUE},
    }
    from pacte.celery import app

    app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
    app.conf.task_routes = settings.CELERY_TASK_ROUTES


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with a flush that empties every table, reference data included
    (regions, départements, NAF codes, domains, labels loaded by a data migration): put it back."""
    yield
    if nextitem is not None and _is_transactional(item):  # after the last test the database is gone
        from django.apps import apps
        from pytest_django.plugin import blocking_manager_key

        from directory import reference

        with item.config.stash[blocking_manager_key].unblock():
            reference.load(apps)


@pytest.fixture(scope="session")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session", autouse=True)
def _close_server_thread_connections(django_db_setup, django_db_blocker):
    """Connections opened by the live server's request threads can outlive the session (a browser
    keeps its connection alive): close them, so that the test database can be dropped."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
