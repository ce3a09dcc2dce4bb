"""A running job's sign of life, shared by report jobs and import jobs.

`with Heartbeat(beat, every=…, name=…):` calls `beat()` every `every` seconds from a daemon thread,
on that thread's own database connection (committed at once, whatever transaction the work is in),
so that a long SQL statement or a long PDF layout keeps beating. The thread stops when the block
ends or when `beat()` returns False (the job finished, failed or was taken over); a database hiccup
is logged and tried again at the next beat."""

import logging
import threading
from collections.abc import Callable

from django.db import connection

logger = logging.getLogger(__name__)


class Heartbeat:
    def __init__(self, beat: Callable[[], bool], *, every: float, name: str):
        self.beat, self.every, self.name = beat, every, name
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    if not self.beat():
                        return
                except Exception:
                    logger.warning("%s: heartbeat not written", self.name, exc_info=True)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=max(self.every, 5))
