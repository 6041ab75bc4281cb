"""The embedded cache backend: Django's cache API, and increments that no process loses."""

import multiprocessing

import pytest
from django.core.management import call_command

from portal.sqlite_cache import SQLiteCache

WORKERS = 4
INCREMENTS = 200


def make_cache(path) -> SQLiteCache:
    return SQLiteCache(str(path), {"KEY_PREFIX": "t"})


def hammer(path, key, count):
    cache = make_cache(path)
    for _ in range(count):
        if not cache.add(key, 1, 60):
            cache.incr(key)


def test_api_round_trip(tmp_path):
    cache = make_cache(tmp_path / "c.sqlite3")
    assert cache.get("missing", "default") == "default"
    cache.set("obj", {"a": [1, 2]}, 60)
    assert cache.get("obj") == {"a": [1, 2]}
    assert cache.add("obj", "other", 60) is False
    assert cache.add("new", 5, 60) is True
    assert cache.incr("new") == 6
    assert cache.decr("new", 2) == 4
    cache.set("flag", True)
    assert cache.get("flag") is True
    with pytest.raises(ValueError):
        cache.incr("nothing")
    assert cache.delete("new") is True
    assert cache.has_key("new") is False
    cache.clear()
    assert cache.get("obj") is None


def test_expired_entries_are_gone_and_can_be_added_again(tmp_path):
    cache = make_cache(tmp_path / "c.sqlite3")
    cache.set("k", 1, -1)  # already expired
    assert cache.get("k") is None
    with pytest.raises(ValueError):
        cache.incr("k")
    assert cache.add("k", 7, 60) is True
    assert cache.get("k") == 7


def test_increments_hold_across_processes(tmp_path):
    """Several processes add-or-increment one key, as django-ratelimit does: none is lost."""
    path = tmp_path / "shared.sqlite3"
    make_cache(path).clear()
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=hammer, args=(path, "counter", INCREMENTS)) for _ in range(WORKERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    assert make_cache(path).get("counter") == WORKERS * INCREMENTS


def test_system_checks_pass_with_the_embedded_cache(settings, db):
    """django-ratelimit's E003 is silenced for this backend only, so migrate still runs."""
    if settings.CACHES["default"]["BACKEND"] != "portal.sqlite_cache.SQLiteCache":
        pytest.skip("REDIS_URL is set: the suite runs on django-redis")
    assert "django_ratelimit.E003" in settings.SILENCED_SYSTEM_CHECKS
    call_command("check", "--fail-level", "ERROR")
