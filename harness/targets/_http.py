"""HTTP plumbing shared by the `openai` and `http` targets: status codes to `TargetError`."""

from __future__ import annotations

import email.utils
import time
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
