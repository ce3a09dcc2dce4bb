"""The cache fails open: with Redis down, pages keep answering (a log line says what was skipped).

What the cache holds can be lost: allauth's rate-limit counters, facet counts, medians shared by
member reports, an import's progress. With Redis unreachable a read finds nothing, a write is
dropped, and `add` (allauth's lock around a rate-limit counter) succeeds, so that signing in works
without rate limits until Redis is back instead of answering 500 or 429. Sessions live in the
database and do not depend on Redis. `incr` keeps raising: its callers handle a missing key.
"""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("pacte.cache")


def _skipped(operation: str, error: Exception) -> None:
    logger.warning("cache unavailable, %s skipped (fail open): %s", operation, error)


class PooledClientRedisCacheClient(RedisCacheClient):
    """One redis client per connection pool, made once: Django makes a new one for each cache
    operation, which costs more than the operation itself (a directory page reads the cache three
    times). A redis client is safe to share; its pool hands out the connections."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # id of a pool -> its client

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            _skipped("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            _skipped("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as error:
            _skipped("has_key", error)
            return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            _skipped("add", error)
            return True

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except RedisError as error:
            _skipped("set", error)
            return None

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            _skipped("set_many", error)
            return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError as error:
            _skipped("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as error:
            _skipped("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except RedisError as error:
            _skipped("delete_many", error)
            return None
