import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_facet_cache():
    """Facet counts are cached in Redis: start each test from an empty cache."""
    cache.clear()
    yield
    cache.clear()
