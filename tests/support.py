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


WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[tuple[str, list]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as a person sees it once htmx has settled
    (a loading indicator caught half-faded would be judged at its passing opacity)."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    page.wait_for_timeout(300)  # the indicator's 0.2 s fade
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    return [
        (v["id"], [node["target"] for node in v["nodes"]]) for v in results.response["violations"]
    ]


def assert_accessible(page) -> None:
    """Zero axe-core WCAG 2.1 A/AA violations."""
    violations = axe_violations(page)
    assert not violations, (page.url, violations)
