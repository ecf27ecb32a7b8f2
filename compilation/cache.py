"""The shared cache, tolerant of its server: Django's Redis backend, except that a Redis that
is down or slow makes a read a miss and a write a no-op (logged), never a failed page.

Nothing correct depends on the cache (counts and fragments are keyed by the library version
kept in the database; sessions are ``cached_db``), so readers are served, more slowly, while
Redis is away; ``/readyz`` reports it.
"""
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger("huibian.cache")


def _tolerant(name, default=None):
    method = getattr(RedisCache, name)

    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            log.warning("cache %s failed (%s: %s): served without the cache", name,
                        type(error).__name__, error)
            return default() if callable(default) else default

    wrapper.__name__ = name
    wrapper.__doc__ = method.__doc__
    return wrapper


class TolerantRedisCache(RedisCache):
    get_many = _tolerant("get_many", dict)
    set = _tolerant("set")
    set_many = _tolerant("set_many", list)
    add = _tolerant("add", False)
    incr = _tolerant("incr")  # None when Redis is away (a missing key still raises ValueError)
    touch = _tolerant("touch", False)
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many")
    has_key = _tolerant("has_key", False)
    clear = _tolerant("clear", False)

    def get(self, key, default=None, version=None):  # the caller's default on a failure
        try:
            return super().get(key, default, version)
        except RedisError as error:
            log.warning("cache get failed (%s: %s): served without the cache",
                        type(error).__name__, error)
            return default
