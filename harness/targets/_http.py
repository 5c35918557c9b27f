"""HTTP plumbing shared by the `openai` and `http` targets: status codes to `TargetError`."""

from __future__ import annotations

import contextlib
import email.utils
import ssl
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

from .base import TargetError


def retry_after_seconds(value: str | None) -> float | None:
    """Parse Retry-After: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        return max(0.0, parsed.timestamp() - time.time())


class ClientPool:
    """HTTP clients for one target, each carrying at most `per_client` calls at once.

    The runner bounds the calls in flight (`--concurrency`); one httpx client would lower that bound
    silently (100 connections by default), and its connection pool costs the square of its connections
    on every request (at 128 calls in flight that was most of the runner's time). A client is made
    when every other one is full, and keeps its connections alive for the next calls."""

    def __init__(self, per_client: int = 8) -> None:
        self.per_client = per_client
        self._clients: list[httpx.AsyncClient] = []
        self._busy: list[int] = []
        self._tls: ssl.SSLContext | None = None  # made once (loading the CA bundle takes milliseconds), shared

    @contextlib.asynccontextmanager
    async def client(self) -> AsyncIterator[httpx.AsyncClient]:
        """The least busy client (a new one when all are full), held for one call."""
        index = min(range(len(self._busy)), key=self._busy.__getitem__, default=None)
        if index is None or self._busy[index] >= self.per_client:
            limits = httpx.Limits(max_connections=self.per_client, max_keepalive_connections=self.per_client)
            self._tls = self._tls or httpx.create_ssl_context()
            self._clients.append(httpx.AsyncClient(limits=limits, verify=self._tls))
            self._busy.append(0)
            index = len(self._clients) - 1
        self._busy[index] += 1
        try:
            yield self._clients[index]
        finally:
            self._busy[index] -= 1

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()
        self._clients, self._busy = [], []


async def post_json(client: httpx.AsyncClient, url: str, payload: Any, headers: dict[str, str], timeout_s: float) -> Any:
    """POST JSON and return the decoded body, mapping every failure to a `TargetError`."""
    try:
        response = await client.post(url, json=payload, headers=headers, timeout=timeout_s)
    except httpx.TimeoutException as exc:
        raise TargetError("timeout", f"no answer within {timeout_s:g} s", retryable=True) from exc
    except httpx.TransportError as exc:
        raise TargetError("connection", f"{type(exc).__name__}: {exc}", retryable=True) from exc
    if response.status_code == 429:
        raise TargetError("rate_limited", "HTTP 429 Too Many Requests", retryable=True,
                          retry_after=retry_after_seconds(response.headers.get("retry-after")))
    if response.status_code >= 500:
        raise TargetError("http_error", f"HTTP {response.status_code}", retryable=True,
                          retry_after=retry_after_seconds(response.headers.get("retry-after")))
    if response.status_code >= 400:
        raise TargetError("http_error", f"HTTP {response.status_code}: {response.text[:200]}")
    try:
        return response.json()
    except ValueError as exc:
        raise TargetError("garbage", f"response is not JSON: {response.text[:80]!r}") from exc


def dig(data: Any, path: str) -> Any:
    """Follow a dotted path ('choices.0.message.content') into decoded JSON."""
    current = data
    for part in path.split(".") if path else []:
        if isinstance(current, list) and part.lstrip("-").isdigit():
            index = int(part)
            if not -len(current) <= index < len(current):
                raise TargetError("garbage", f"response has no element {path!r}")
            current = current[index]
        elif isinstance(current, dict) and part in current:
            current = current[part]
        else:
            raise TargetError("garbage", f"response has no field {path!r}")
    return current
