"""Serve a local GGUF model over an OpenAI-compatible HTTP API (llama.cpp, through `xllamacpp`'s prebuilt wheel).

`start` loads the model in this process and returns once `/v1/models` answers; the server keeps running in
llama.cpp's own threads until the process ends. It binds loopback unless told otherwise, answers
`/v1/models` and `/v1/chat/completions` (with `response_format` JSON schemas), and logs only errors.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ..errors import InputError

READY_TIMEOUT_S = 120.0


@dataclass
class RunningServer:
    """A model being served: its base URL (ending in /v1), the name it answers to, and llama.cpp's handle."""

    base_url: str
    model: str
    started_in_s: float
    handle: Any


def _runtime() -> Any:
    try:
        import xllamacpp
    except ImportError as exc:
        raise InputError.single("serve-model", "the local model runtime is not installed: pip install xllamacpp==2026.10.11549 "
                                               "(or: make setup, which installs the dev extras)") from exc
    return xllamacpp


def start(model_file: Path, alias: str, host: str = "127.0.0.1", port: int = 8080, threads: int | None = None,
          context: int = 8192, parallel: int = 1, ready_timeout_s: float = READY_TIMEOUT_S) -> RunningServer:
    """Load `model_file` and serve it on host:port as `alias`; return when `/v1/models` answers."""
    runtime = _runtime()
    params = runtime.CommonParams()
    params.model.path = str(model_file)
    params.model_alias = {alias}
    params.hostnames = [host]
    params.port = port
    params.n_ctx = context * parallel
    params.n_parallel = parallel
    params.warmup = False
    params.verbosity = 0  # errors only
    params.endpoint_metrics = False
    cores = threads or max(1, min(os.cpu_count() or 1, 8))
    params.cpuparams.n_threads = cores
    params.cpuparams_batch.n_threads = cores
    started = time.perf_counter()
    try:
        handle = runtime.Server(params)
    except Exception as exc:  # llama.cpp raises a bare RuntimeError on a bad file or a busy port
        raise InputError.single(model_file, f"the model server did not start on {host}:{port}: {exc}") from exc
    base_url = f"http://{host}:{port}/v1"
    wait_until_ready(base_url, ready_timeout_s)
    return RunningServer(base_url, alias, time.perf_counter() - started, handle)


def wait_until_ready(base_url: str, timeout_s: float = READY_TIMEOUT_S) -> list[str]:
    """Poll `{base_url}/models` until it answers with a model list; the ids served. InputError on timeout."""
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            reply = httpx.get(f"{base_url}/models", timeout=5.0)
            if reply.status_code == 200:
                return [str(m.get("id")) for m in reply.json().get("data", [])]
            last = f"HTTP {reply.status_code}"
        except (httpx.HTTPError, ValueError) as exc:
            last = type(exc).__name__
        time.sleep(0.2)
    raise InputError.single(base_url, f"the model server did not answer /models within {timeout_s:.0f} s ({last})")
