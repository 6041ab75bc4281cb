"""A cache backend on its own SQLite file, shared by every process on the machine.

The embedded default needs a cache that several app processes and the worker agree on, with an
increment that is atomic across processes (django-ratelimit counts with ``add`` then ``incr``).
Django's DatabaseCache reads, adds and writes back in Python, so two processes can both read 4
and both write 5. Here ``add`` is one ``INSERT ... ON CONFLICT DO UPDATE ... WHERE expired`` and
``incr`` is one ``UPDATE ... RETURNING``: SQLite executes each statement under its write lock, so
no increment is lost, whatever the number of processes.

Integers are stored as SQLite integers (so SQL can add to them); everything else is pickled.
The file lives beside the database (``LOCATION`` is its path) and is not the Django database, so
cache writes never queue behind a long request transaction.
"""

import pickle
import sqlite3
import threading
import time
from pathlib import Path

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

from portal.resilient_cache import SQLITE_OUTAGE_ERRORS, make_resilient

SCHEMA = """
CREATE TABLE IF NOT EXISTS cache_entry (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    expires REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cache_entry_expires ON cache_entry (expires);
"""

NEVER = 1e18  # "no expiry" as a comparable number


class AtomicSQLiteCache(BaseCache):
    """Django cache API on a WAL-mode SQLite file with atomic add/incr."""

    def __init__(self, location, params):
        super().__init__(params)
        self.path = Path(location)
        self._local = threading.local()

    # --- connection ------------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: every statement is its own transaction.
            conn = sqlite3.connect(self.path, timeout=20, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(SCHEMA)
            self._local.conn = conn
        return conn

    def close(self, **kwargs):
        # Connections are per thread and cheap to keep; Django calls close() after each request.
        pass

    # --- encoding --------------------------------------------------------------------------
    @staticmethod
    def _encode(value):
        if type(value) is int:  # bool is pickled so that it comes back as bool
            return value
        return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def _decode(value):
        if isinstance(value, int):
            return value
        return pickle.loads(value)  # noqa: S301 - only this backend writes the file  # nosec B301

    def _expiry(self, timeout) -> float:
        timeout = self.get_backend_timeout(timeout)
        return NEVER if timeout is None else timeout

    # --- API -------------------------------------------------------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        now = time.time()
        cursor = self._connection().execute(
            "INSERT INTO cache_entry (key, value, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires "
            "WHERE cache_entry.expires <= ?",
            (key, self._encode(value), self._expiry(timeout), now),
        )
        return cursor.rowcount == 1

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = (
            self._connection()
            .execute(
                "SELECT value FROM cache_entry WHERE key = ? AND expires > ?", (key, time.time())
            )
            .fetchone()
        )
        return default if row is None else self._decode(row[0])

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        self._connection().execute(
            "INSERT INTO cache_entry (key, value, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires",
            (key, self._encode(value), self._expiry(timeout)),
        )
        self._maybe_cull()

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        cursor = self._connection().execute(
            "UPDATE cache_entry SET expires = ? WHERE key = ? AND expires > ?",
            (self._expiry(timeout), key, time.time()),
        )
        return cursor.rowcount == 1

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        cursor = self._connection().execute("DELETE FROM cache_entry WHERE key = ?", (key,))
        return cursor.rowcount == 1

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = (
            self._connection()
            .execute("SELECT 1 FROM cache_entry WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return row is not None

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = (
            self._connection()
            .execute(
                "UPDATE cache_entry SET value = value + ? "
                "WHERE key = ? AND expires > ? AND typeof(value) = 'integer' RETURNING value",
                (delta, key, time.time()),
            )
            .fetchone()
        )
        if row is None:
            exists = (
                self._connection()
                .execute(
                    "SELECT 1 FROM cache_entry WHERE key = ? AND expires > ?", (key, time.time())
                )
                .fetchone()
            )
            if exists:
                raise TypeError(f"The value of {key!r} is not an integer.")
            raise ValueError(f"Key {key!r} not found.")
        return row[0]

    def clear(self):
        self._connection().execute("DELETE FROM cache_entry")

    def _maybe_cull(self):
        # Expired rows are removed now and then rather than on every write.
        if int(time.time() * 1000) % 100 == 0:
            self._connection().execute("DELETE FROM cache_entry WHERE expires <= ?", (time.time(),))


# The backend in settings: a file that cannot be opened, written or read answers as misses
# (rate limits fail open), logged once per outage (portal/resilient_cache.py).
SQLiteCache = make_resilient(AtomicSQLiteCache, SQLITE_OUTAGE_ERRORS, "SQLiteCache")
