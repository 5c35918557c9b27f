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

    def close(self) -> None:
        self._db.close()
