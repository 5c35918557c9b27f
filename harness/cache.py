"""A content-addressed store for tool outputs (and, later, judge replies), in one SQLite file.

The key is a SHA-256 of everything that determines the answer (target config hash plus case
content hash), so a rerun with the same tool and case never calls the tool again, and any
change to either misses the cache.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path


def cache_key(*parts: str) -> str:
    """SHA-256 of the parts, joined unambiguously."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class Cache:
    """Namespace + key -> text. Safe to share between processes (SQLite locking, WAL mode)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # A cache may lose its last entries on a power cut (they are asked again), never its consistency;
        # without an fsync per entry a put costs microseconds, not milliseconds.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS entries (namespace TEXT, key TEXT, value TEXT, created REAL, PRIMARY KEY (namespace, key))"
        )

    def get(self, namespace: str, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM entries WHERE namespace = ? AND key = ?", (namespace, key)).fetchone()
        return None if row is None else str(row[0])

    def put(self, namespace: str, key: str, value: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO entries (namespace, key, value, created) VALUES (?, ?, ?, ?)",
            (namespace, key, value, time.time()),
        )

    def put_many(self, namespace: str, items: dict[str, str]) -> None:
        """Store several entries in one transaction."""
        now = time.time()
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO entries (namespace, key, value, created) VALUES (?, ?, ?, ?)",
                                 [(namespace, key, value, now) for key, value in items.items()])

    def close(self) -> None:
        self._db.close()
