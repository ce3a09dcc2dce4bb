"""Counting attempts per person and per address in the cache (Redis), for the portal's own limits.

When the cache cannot be reached the attempt is allowed and a line is logged: a Redis outage must
not lock everyone out of registering (fail open)."""

import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The client's address as allauth sees it (so that its trusted-proxy settings apply here too)."""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except Exception:
        return request.META.get("REMOTE_ADDR", "") or "unknown"


def _over(key: str, limit: int, period: int) -> bool:
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period)
        count = 1
    return count > limit


def allow(request, action: str) -> bool:
    """Count one attempt of ``action`` for the signed-in user and for the client's address;
    False once either is over the limit set in PACTE_RATE_LIMITS."""
    per_user, per_ip, period = settings.PACTE_RATE_LIMITS[action]
    keys = [(f"rl:{action}:ip:{client_ip(request)}", per_ip)]
    if request.user.is_authenticated:
        keys.append((f"rl:{action}:user:{request.user.pk}", per_user))
    try:
        # Evaluate both so that each counter sees the attempt.
        results = [_over(key, limit, period) for key, limit in keys]
    except Exception:
        logger.warning("Rate limit %s not checked: the cache is unreachable", action, exc_info=True)
        return True
    return not any(results)
