"""`openai`: any OpenAI-compatible chat endpoint (OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp).

The API key is read from the environment variable the config names (`api_key_env`) and is
never written to logs, MLflow or the cache key. Set `api_version` for Azure OpenAI: the URL
becomes `{base_url}/openai/deployments/{model}/chat/completions?api-version=...` with an
`api-key` header.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from ..errors import InputError
from ..goldens import Case
from ._http import ClientPool, dig, post_json
from .base import BaseTarget, TargetConfig, require_text


class OpenAIConfig(TargetConfig):
    kind: Literal["openai"]
    base_url: str = Field(pattern=r"^https?://")
    model: str
    prompt_template: str = Field(description="File whose text is the user message; {source} is replaced by the case source.")
    api_key_env: str | None = None
    params: dict[str, Any] = Field(default_factory=dict, description="Extra request fields: temperature, max_tokens, seed...")
    system_prompt: str | None = None
    api_version: str | None = Field(default=None, description="Azure OpenAI api-version; switches to Azure URLs.")


class OpenAITarget(BaseTarget):
    def __init__(self, config: OpenAIConfig, base_dir: Path) -> None:
        template_path = (base_dir / config.prompt_template).resolve()
        if not template_path.is_file():
            raise InputError.single(template_path, "prompt template file not found", field="prompt_template")
        self.template = template_path.read_text(encoding="utf-8")
        if "{source}" not in self.template:
            raise InputError.single(template_path, "prompt template must contain {source}", field="prompt_template")
        if config.api_key_env and not os.environ.get(config.api_key_env):
            raise InputError.single(base_dir, f"environment variable {config.api_key_env} (api_key_env) is not set", field="api_key_env")
        super().__init__(config, base_dir, hashlib.sha256(self.template.encode()).hexdigest())
        self.settings = config
        self._clients = ClientPool()

    def _request(self, case: Case) -> tuple[str, dict[str, Any], dict[str, str]]:
        cfg = self.settings
        messages = [] if not cfg.system_prompt else [{"role": "system", "content": cfg.system_prompt}]
        messages.append({"role": "user", "content": self.template.replace("{source}", case.source).replace("{task}", case.task)})
        payload: dict[str, Any] = {"model": cfg.model, "messages": messages, **cfg.params}
        key = os.environ.get(cfg.api_key_env, "") if cfg.api_key_env else ""
        base = cfg.base_url.rstrip("/")
        if cfg.api_version:
            url = f"{base}/openai/deployments/{cfg.model}/chat/completions?api-version={cfg.api_version}"
            headers = {"api-key": key} if key else {}
        else:
            url = f"{base}/chat/completions"
            headers = {"Authorization": f"Bearer {key}"} if key else {}
        return url, payload, headers

    async def generate(self, case: Case) -> str:
        url, payload, headers = self._request(case)
        async with self._clients.client() as client:
            body = await post_json(client, url, payload, headers, self.config.timeout_s)
        return require_text(dig(body, "choices.0.message.content"))

    async def aclose(self) -> None:
        await self._clients.aclose()
