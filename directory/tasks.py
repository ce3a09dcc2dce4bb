"""Background work of the directory."""

from celery import shared_task

from . import search


@shared_task(ignore_result=True)
def build_facet_index_task(version: int) -> int | None:
    """Build the facet index of the directory's new `version` (see search.py)."""
    return search.build_facet_index(version)
