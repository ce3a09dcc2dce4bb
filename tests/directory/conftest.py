import pytest

from tests.support import clear_cache


@pytest.fixture(autouse=True)
def _fresh_facet_cache(settings):
    """Facet counts are cached in Redis (off by default in tests): on here, from an empty cache."""
    settings.DIRECTORY_FACET_CACHE = True
    clear_cache()
    yield
    clear_cache()
