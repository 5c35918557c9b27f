"""The LLM judge: one configuration for any OpenAI-compatible chat endpoint (Azure OpenAI, vLLM,
Ollama, llama.cpp, OpenAI), used by suites that ask an LLM for a verdict (deepeval's metrics).

A judge is configured by a YAML file (`assure run --judge judge.yaml`, or `ASSURE_JUDGE`):
    base_url: http://127.0.0.1:8080/v1
    model: my-judge-model
    api_key_env: JUDGE_API_KEY     # optional; the key is never logged or cached
    api_version: null              # set for Azure OpenAI
    params: {temperature: 0}
    timeout_s: 120
    max_retries: 3
    parse_retries: 2
Structured answers use `response_format` with the requested JSON Schema. A reply that still does not
parse (or fit the schema) is asked again up to `parse_retries` times, the bad reply and what was wrong
with it shown to the judge; after that it is a `JudgeError`, which scorers record on the case as a
judge error (unscored and counted), never a crash. Only usable replies are cached, by (endpoint,
model, params, prompt, schema) in the project cache, so a rerun asks nothing again. Retries with
backoff honour Retry-After on 429 and 5xx. `LLMJudge.usage` counts calls, tokens, seconds and
invalid replies, for the cost benchmark.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..cache import Cache, cache_key
from ..errors import InputError
from ..yamlfile import read_yaml_mapping, validate_mapping, yaml_key_line
from ..paths import data_dir
from ..targets._http import retry_after_seconds

JUDGE_ENV = "ASSURE_JUDGE"


class JudgeError(Exception):
    """The judge could not give a usable answer; the scorer records the case as unscored."""


class JudgeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base_url: str = Field(pattern=r"^https?://")
    model: str
    api_key_env: str | None = None
    api_version: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    timeout_s: float = Field(default=120.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    parse_retries: int = Field(default=2, ge=0, le=5)
    backoff_s: float = Field(default=1.0, ge=0)

    @property
    def label(self) -> str:
        return f"{self.model} at {self.base_url}"

    def fingerprint(self) -> str:
        return hashlib.sha256(self.model_dump_json(exclude={"api_key_env", "timeout_s", "max_retries", "parse_retries", "backoff_s"}).encode()).hexdigest()


def load_judge_config(path: str | Path) -> JudgeConfig:
    """Read a judge YAML file; problems name file, line and key (exit 2)."""
    file = Path(path)
    data, text = read_yaml_mapping(file, "judge configuration")
    config = validate_mapping(JudgeConfig, data, file, text)
    if config.api_key_env and not os.environ.get(config.api_key_env):
        raise InputError.single(file, f"environment variable {config.api_key_env} (api_key_env) is not set",
                                yaml_key_line(text, "api_key_env"), "api_key_env")
    return config


def configured_judge() -> JudgeConfig | None:
    """The judge named by ASSURE_JUDGE, if any."""
    path = os.environ.get(JUDGE_ENV)
    return load_judge_config(path) if path else None


@dataclass
class JudgeUsage:
    """What a judge client has spent: HTTP calls (retries included), tokens as the server reports them,
    seconds waiting for replies, and replies that did not parse or fit their schema."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    invalid_replies: int = 0

    def since(self, earlier: "JudgeUsage") -> "JudgeUsage":
        return JudgeUsage(*(getattr(self, f.name) - getattr(earlier, f.name) for f in fields(self)))


Check = Callable[[str], Any]


class LLMJudge:
    """A synchronous, cached, retrying client for one judge configuration."""

    def __init__(self, config: JudgeConfig, cache: Cache | None = None) -> None:
        self.config = config
        self.cache = cache if cache is not None else Cache(data_dir() / "cache.sqlite")
        self.client = httpx.Client(timeout=config.timeout_s)
        self.usage = JudgeUsage()

    @property
    def calls(self) -> int:
        return self.usage.calls

    def _request(self, messages: list[dict[str, str]], schema: dict[str, Any] | None) -> tuple[str, dict[str, Any], dict[str, str]]:
        cfg = self.config
        payload: dict[str, Any] = {"model": cfg.model, "messages": messages, **cfg.params}
        if schema is not None:
            payload["response_format"] = {"type": "json_schema", "json_schema": {"name": schema.get("title", "answer"), "schema": schema}}
        key = os.environ.get(cfg.api_key_env, "") if cfg.api_key_env else ""
        base = cfg.base_url.rstrip("/")
        if cfg.api_version:
            return (f"{base}/openai/deployments/{cfg.model}/chat/completions?api-version={cfg.api_version}", payload,
                    {"api-key": key} if key else {})
        return f"{base}/chat/completions", payload, {"Authorization": f"Bearer {key}"} if key else {}

    def complete(self, prompt: str, schema: dict[str, Any] | None = None, check: Check | None = None) -> str:
        """The judge's reply text, from the cache when asked before. With a schema the reply must parse as JSON
        (and pass `check`, which raises on a reply it cannot use); one that does not is asked again, showing
        the judge its reply and the problem, up to `parse_retries` times, then JudgeError."""
        key = cache_key(self.config.fingerprint(), prompt, json.dumps(schema, sort_keys=True) if schema else "")
        cached = self.cache.get("judge", key)
        if cached is not None:
            return cached
        messages = [{"role": "user", "content": prompt}]
        for attempt in range(self.config.parse_retries + 1):
            text = self._post(messages, schema)
            problem = _problem(text, schema, check)
            if problem is None:
                self.cache.put("judge", key, text)
                return text
            self.usage.invalid_replies += 1
            messages = [*messages[:1], {"role": "assistant", "content": text[:4000]},
                        {"role": "user", "content": f"That reply was not usable ({problem}). Answer again with only "
                                                    "the JSON object the schema asks for."}]
        raise JudgeError(f"judge reply still unusable after {self.config.parse_retries + 1} attempts: {problem}")

    def _post(self, messages: list[dict[str, str]], schema: dict[str, Any] | None) -> str:
        """One reply, retrying transport errors, 429 and 5xx with backoff (honouring Retry-After)."""
        url, payload, headers = self._request(messages, schema)
        for attempt in range(self.config.max_retries + 1):
            wait: float | None = None
            started = time.perf_counter()
            try:
                self.usage.calls += 1
                response = self.client.post(url, json=payload, headers=headers)
            except httpx.HTTPError as exc:
                error: str = f"{type(exc).__name__}: {exc}"
                wait = 0.0
            else:
                if response.status_code == 429 or response.status_code >= 500:
                    error = f"HTTP {response.status_code}"
                    wait = retry_after_seconds(response.headers.get("retry-after")) or 0.0
                elif response.status_code >= 400:
                    raise JudgeError(f"HTTP {response.status_code}: {response.text[:200]}")
                else:
                    self.usage.seconds += time.perf_counter() - started
                    return _content(response, self.usage)
            if attempt < self.config.max_retries:
                backoff = self.config.backoff_s * (2 ** attempt) * random.uniform(0.5, 1.0)
                time.sleep(max(backoff, min(wait or 0.0, 120.0)))
        raise JudgeError(f"judge failed after {self.config.max_retries + 1} attempts: {error}")

    def structured(self, prompt: str, schema: type[BaseModel]) -> BaseModel:
        """Ask for an answer in `schema` (asked again while a reply does not fit); JudgeError when none does."""
        text = self.complete(prompt, schema.model_json_schema(), lambda reply: schema.model_validate_json(_strip_fences(reply)))
        return schema.model_validate_json(_strip_fences(text))


def _problem(text: str, schema: dict[str, Any] | None, check: Check | None) -> str | None:
    """Why a reply cannot be used (None when it can): not JSON when a schema was asked for, or `check` raised."""
    if schema is None and check is None:
        return None
    try:
        json.loads(_strip_fences(text))
        if check is not None:
            check(text)
    except ValidationError as exc:
        return f"does not fit the schema: {exc.errors()[0]['msg']}"
    except ValueError as exc:
        return f"not valid JSON: {str(exc)[:120]}"
    return None


def _content(response: httpx.Response, usage: JudgeUsage) -> str:
    try:
        body = response.json()
        text = body["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise JudgeError(f"judge response is not a chat completion: {response.text[:80]!r}") from exc
    tokens = body.get("usage") if isinstance(body, dict) else None
    if isinstance(tokens, dict):
        usage.prompt_tokens += int(tokens.get("prompt_tokens") or 0)
        usage.completion_tokens += int(tokens.get("completion_tokens") or 0)
    if not isinstance(text, str) or not text.strip():
        raise JudgeError("judge reply is empty")
    return text


def _strip_fences(text: str) -> str:
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else text
        text = text.rsplit("```", 1)[0]
    return text
