"""`make run`: migrate, load the demo data once, then serve the portal with a Celery worker and
Celery beat (the scheduler of the periodic sweeps).

Beat runs as a process of its own rather than inside the worker (`worker -B`): exactly one
scheduler must run however many workers there are, and a worker can then be killed and restarted
(as the tests do) without stopping the sweeps. docker-compose has the same three processes.
Ctrl-C stops them all. Runs against DATABASE_URL / REDIS_URL, or the embedded servers, in
development mode (DEBUG=1 unless DEBUG is set).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")
os.environ.setdefault("DEBUG", "1")
ADDRESS = os.environ.get("PACTE_ADDRESS", "127.0.0.1:8000")


def main() -> int:
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # The embedded servers' URLs are fixed now: hand them to the children as they are.
    env = dict(os.environ, DATABASE_URL=settings.DATABASE_URL, REDIS_URL=settings.REDIS_URL)
    call_command("migrate", interactive=False, verbosity=1)
    call_command("seed_demo", only_once=True)
    Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)

    python = sys.executable
    children = [
        subprocess.Popen([python, "manage.py", "runserver", ADDRESS], env=env),  # noqa: S603
        subprocess.Popen(  # noqa: S603
            [
                python,
                "-m",
                "celery",
                "-A",
                "pacte",
                "worker",
                "-Q",
                f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.REPORTS_QUEUE}",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
            ],
            env=env,
        ),
        subprocess.Popen(  # noqa: S603
            [python, "-m", "celery", "-A", "pacte", "beat", "--loglevel", "INFO"],
            env=env,
        ),
    ]
    print(
        f"\n  Pacte PME: http://{ADDRESS}/   (Ctrl-C stops the server, the worker and beat)\n",
        flush=True,
    )

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
