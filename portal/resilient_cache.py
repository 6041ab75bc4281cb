"""Cache backends that keep the site up while their store is unreachable.

Nothing the portal keeps in the cache is the only copy of anything: Wagtail's site root paths,
rendered fragments and django-ratelimit's counters can all be recomputed or, for the counters,
skipped. So when Redis (or the embedded SQLite cache file) cannot be reached, every cache
operation answers as a miss instead of raising:

- ``get`` returns the default, ``get_many`` ``{}``, ``has_key``/``add``/``touch``/``delete``
  ``False``, ``set``/``set_many`` store nothing, ``incr``/``decr`` return ``None``;
- django-ratelimit treats ``add`` → False then ``incr`` → None as "count unknown" and, with
  ``RATELIMIT_FAIL_OPEN = True`` (portal/settings.py), lets the request through;
- the first failure logs ONE warning for the outage (logger ``portal.cache``), the end of the
  outage one info line with its length and how many operations were answered as misses;
- a circuit breaker: after a failure the store is not tried again for ``RETRY_SECONDS`` (default
  5), so a dead server costs one socket timeout per window and process, not one per request.

The outage state is shared by every instance of a backend with the same location in the
process (Django makes one cache instance per thread).
"""

import logging
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("portal.cache")

DEFAULT_RETRY_SECONDS = 5.0

# name -> (fallback for a missing store); callables get the call's args and kwargs.
_FALLBACKS = {
    "get": lambda key, default=None, *a, **kw: default,
    "get_many": lambda *a, **kw: {},
    "set": lambda *a, **kw: False,
    "add": lambda *a, **kw: False,
    "touch": lambda *a, **kw: False,
    "delete": lambda *a, **kw: False,
    "has_key": lambda *a, **kw: False,
    "incr": lambda *a, **kw: None,
    "decr": lambda *a, **kw: None,
    "set_many": lambda data, *a, **kw: list(data),
    "delete_many": lambda *a, **kw: None,
    "clear": lambda *a, **kw: None,
    "incr_version": lambda *a, **kw: None,
    "ttl": lambda *a, **kw: None,
    "expire": lambda *a, **kw: False,
    "persist": lambda *a, **kw: False,
    "delete_pattern": lambda *a, **kw: 0,
}


@dataclass
class _Outage:
    """One location's state in this process."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    down_since: float | None = None
    retry_at: float = 0.0
    missed: int = 0


_STATES: dict[str, _Outage] = {}
_STATES_LOCK = threading.Lock()


def _state(location: str) -> _Outage:
    with _STATES_LOCK:
        return _STATES.setdefault(location, _Outage())


def reset_outage_state() -> None:
    """Forget every recorded outage (tests, or after reconfiguring the caches)."""
    with _STATES_LOCK:
        _STATES.clear()


def describe_location(location) -> str:
    """Where the cache lives, without any password a Redis URL may carry."""
    text = location[0] if isinstance(location, (list, tuple)) else str(location)
    if "://" not in text:
        return text
    parts = urlsplit(text)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class ResilientCacheMixin:
    """Turn the store's connection errors into cache misses, logged once per outage.

    Built with ``make_resilient(base, errors, name)``, which guards every operation ``base``
    has. A backend option ``RETRY_SECONDS`` (in ``OPTIONS``) sets the circuit breaker's window.
    """

    outage_errors: tuple[type[BaseException], ...] = ()

    def __init__(self, location, params):
        params = self._setup_resilience(location, params)
        super().__init__(location, params)

    def _setup_resilience(self, location, params) -> dict:
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("RETRY_SECONDS", DEFAULT_RETRY_SECONDS))
        self.location_label = describe_location(location)
        self._outage = _state(f"{type(self).__name__}:{self.location_label}")
        return {**params, "OPTIONS": options}

    @property
    def outage_active(self) -> bool:
        """True while the store is considered unreachable (for health reports)."""
        return self._outage.down_since is not None

    def _guarded(self, name, method, *args, **kwargs):
        state = self._outage
        if state.down_since is not None and time.monotonic() < state.retry_at:
            with state.lock:
                state.missed += 1
            return _FALLBACKS[name](*args, **kwargs)
        missed_before = state.missed
        try:
            result = method(*args, **kwargs)
        except self.outage_errors as exc:
            self._record_failure(exc)
            return _FALLBACKS[name](*args, **kwargs)
        # BaseCache.get_many/set_many call the guarded get/set: a failure inside is no recovery.
        if state.down_since is not None and state.missed == missed_before:
            self._record_recovery()
        return result

    def _record_failure(self, exc: BaseException) -> None:
        state = self._outage
        now = time.monotonic()
        with state.lock:
            first = state.down_since is None
            if first:
                state.down_since = now
                state.missed = 0
            state.missed += 1
            state.retry_at = now + self.retry_seconds
        if first:
            logger.warning(
                "Cache %s unreachable (%s: %s): serving without it, rate limits are not "
                "enforced until it is back; retrying every %g s.",
                self.location_label,
                type(exc).__name__,
                exc,
                self.retry_seconds,
            )

    def _record_recovery(self) -> None:
        state = self._outage
        with state.lock:
            if state.down_since is None:
                return
            seconds = time.monotonic() - state.down_since
            missed = state.missed
            state.down_since = None
            state.missed = 0
        logger.info(
            "Cache %s reachable again after %.0f s; %d operations were answered as misses.",
            self.location_label,
            seconds,
            missed,
        )

    def close(self, **kwargs):
        try:
            return super().close(**kwargs)
        except self.outage_errors:
            return None


def _guard(name):
    def method(self, *args, **kwargs):
        parent = getattr(super(ResilientCacheMixin, self), name)
        return self._guarded(name, parent, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"``{name}``, answered as a miss while the store is unreachable."
    return method


def make_resilient(base: type, errors: tuple[type[BaseException], ...], name: str) -> type:
    """``base`` with every cache operation it has guarded against ``errors``."""
    namespace = {
        "__module__": base.__module__,
        "__qualname__": name,
        "__doc__": f"{base.__doc__}\n\nUnreachable store: misses, not errors (portal.resilient_cache).",
        "outage_errors": errors,
    }
    for operation in _FALLBACKS:
        if hasattr(base, operation):
            namespace[operation] = _guard(operation)
    return type(name, (ResilientCacheMixin, base), namespace)


# django-redis re-raises the redis-py error itself unless IGNORE_EXCEPTIONS is set.
REDIS_OUTAGE_ERRORS = (
    ConnectionInterrupted,
    RedisConnectionError,
    RedisTimeoutError,
    socket.timeout,
    ConnectionError,
)

# django-redis' RedisCache that survives Redis going away. Keep SOCKET_CONNECT_TIMEOUT and
# SOCKET_TIMEOUT short: they bound how long the one request per RETRY_SECONDS that probes a dead
# server waits.
ResilientRedisCache = make_resilient(RedisCache, REDIS_OUTAGE_ERRORS, "ResilientRedisCache")
ResilientRedisCache.__module__ = __name__

# For the embedded SQLite cache (portal/sqlite_cache.py): a missing, unwritable, corrupt or
# locked-for-too-long file.
SQLITE_OUTAGE_ERRORS = (sqlite3.Error, OSError)
