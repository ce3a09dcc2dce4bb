"""Helpers shared by tests that are not factories."""

import re

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


def enter_second_factor_if_asked(page) -> None:
    """After the password, staff give the code of their authenticator app (allauth's MFA stage)."""
    from tests.factories import totp_code

    page.wait_for_url(lambda url: "/compte/login/" not in url)
    if re.search(r"/compte/2fa/authenticate/", page.url):
        page.get_by_label("Code").fill(totp_code())
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda url: "/2fa/authenticate/" not in url)
