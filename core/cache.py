"""The cache, on Redis, failing open while Redis is down.

The cache holds nothing the desk cannot lose: the API throttle's counters. Django's Redis cache
raises when Redis is unreachable, which turned every API request into a 500 for as long as Redis
was down, and a comment that could have been stored was refused. Here a read misses and a write
is dropped (with a warning) instead, so intake goes on; the broker's outage is the sweeps'
business.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _fail_open(method, *, answer):
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as error:
            logger.warning("cache unavailable, %s skipped: %s", method.__name__, error)
            return answer(*args, **kwargs)

    return guarded


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _all_failed(data, *args, **kwargs):
    return list(data)


class FailOpenRedisCacheClient(RedisCacheClient):
    get = _fail_open(RedisCacheClient.get, answer=_default)
    get_many = _fail_open(RedisCacheClient.get_many, answer=_empty)
    has_key = _fail_open(RedisCacheClient.has_key, answer=_false)
    set = _fail_open(RedisCacheClient.set, answer=_nothing)
    set_many = _fail_open(RedisCacheClient.set_many, answer=_all_failed)
    add = _fail_open(RedisCacheClient.add, answer=_false)
    touch = _fail_open(RedisCacheClient.touch, answer=_false)
    delete = _fail_open(RedisCacheClient.delete, answer=_false)
    delete_many = _fail_open(RedisCacheClient.delete_many, answer=_nothing)


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailOpenRedisCacheClient
