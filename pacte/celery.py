import gc
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")

app = Celery("pacte")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def freeze_loaded_objects(**_kwargs) -> None:
    """As pacte/wsgi.py does: what each worker process inherits lives as long as it, so keep it
    out of the garbage collector's full passes (a report's PDF layout makes many objects: about a
    tenth of a member report's rendering went to collecting the inherited ones again)."""
    import weasyprint  # noqa: F401 - loaded once per process, before freezing

    gc.freeze()
