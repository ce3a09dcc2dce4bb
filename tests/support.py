"""Helpers shared by tests that are not factories."""

from django.core.cache import cache


def clear_cache() -> None:
    """Forget this test's cache entries only.

    Never FLUSHDB (`cache.clear()`): Celery's broker lives in the same Redis database, and flushing
    it would drop the worker's queue bindings and the messages of other tests.
    """
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=cache.make_key("*")))
    if keys:
        client.delete(*keys)
