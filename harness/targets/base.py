"""The target protocol: the AI tool under test, asked for one output per golden case.

A target raises `TargetError` for anything that is not a usable text output; the runner retries
the retryable ones (timeouts, HTTP 429 and 5xx, dropped connections) and records the rest as an
errored case. No target ever crashes a run.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from ..goldens import Case


class TargetError(Exception):
    """A failed call: `kind` is timeout, rate_limited, http_error, connection, garbage, empty,
    process_error, missing or exception; `retry_after` is the server's Retry-After in seconds."""

    def __init__(self, kind: str, message: str, retryable: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


class TargetConfig(BaseModel):
    """Keys shared by every target YAML file."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    version: str = Field(default="unversioned", min_length=1)
    kind: str
    timeout_s: float = Field(default=60.0, gt=0, description="Per-call time limit in seconds.")
    max_retries: int = Field(default=3, ge=0, le=10)
    concurrency: int = Field(default=4, ge=1, le=64)
    backoff_s: float = Field(default=1.0, ge=0, description="First retry waits about this long; doubles each retry.")
    description: str | None = None


@runtime_checkable
class Target(Protocol):
    """What the runner needs from a tool under test."""

    config: TargetConfig
    config_hash: str
    cacheable: bool
    is_baseline: bool

    async def generate(self, case: Case) -> str: ...

    async def aclose(self) -> None: ...


class BaseTarget:
    """Common plumbing: the config, its hash (config plus any files it names) and labels."""

    cacheable: ClassVar[bool] = True
    is_baseline: ClassVar[bool] = False

    def __init__(self, config: TargetConfig, base_dir: Path, extra_hash_material: str = "") -> None:
        self.config = config
        self.base_dir = base_dir
        material = json.dumps(config.model_dump(mode="json"), sort_keys=True) + extra_hash_material
        self.config_hash = hashlib.sha256(material.encode("utf-8")).hexdigest()

    @property
    def label(self) -> str:
        """The display name; a baseline says so everywhere it is shown."""
        return f"{self.config.name} (baseline)" if self.is_baseline else self.config.name

    async def aclose(self) -> None:
        return None


def require_text(value: Any) -> str:
    """Accept a non-empty string output; anything else is an errored case."""
    if not isinstance(value, str):
        raise TargetError("garbage", f"output is {type(value).__name__}, not text")
    if not value.strip():
        raise TargetError("empty", "output is empty")
    return value
