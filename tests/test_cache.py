"""config/cache.py: Django's Redis cache with one redis.Redis client per connection pool, against
the Redis server the project runs beside (127.0.0.1:6379, database 5 for this test)."""

import uuid

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from config.cache import RedisCache

LOCATION = "redis://127.0.0.1:6379/5"


@pytest.fixture
def cache():
    kept = RedisCache(LOCATION, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield kept
    kept.clear()


def test_one_client_serves_every_call(cache):
    first = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is first
    # Why config/cache.py exists: Django's builds a client per call. Should this fail after an
    # upgrade, Django keeps its clients itself and config/cache.py can go.
    django_client = DjangoRedisCache(LOCATION, {})._cache
    assert django_client.get_client("a") is not django_client.get_client("a")


def test_the_cache_reads_writes_and_forgets(cache):
    assert cache.get("count") is None
    cache.set("count", {"unread": 3}, 60)
    cache.set_many({"a": 1, "b": "二"}, 60)
    assert cache.get("count") == {"unread": 3}
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": "二"}
    assert cache.incr("a") == 2
    cache.delete("count")
    assert cache.get("count", "gone") == "gone"
