"""`http`: a generic JSON POST. `request_template` is any JSON value in which the strings
"{source}", "{case_id}" and "{task}" are replaced; `output_path` is a dotted path to the
output text in the response ('result.summary', 'choices.0.text'). Header values may name
environment variables as ${VAR}, expanded at call time and never logged."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from ..goldens import Case
from ._http import ClientPool, dig, post_json
from .base import BaseTarget, TargetConfig, require_text


class HttpConfig(TargetConfig):
    kind: Literal["http"]
    url: str = Field(pattern=r"^https?://")
    request_template: Any = Field(default_factory=lambda: {"text": "{source}"})
    output_path: str = "output"
    headers: dict[str, str] = Field(default_factory=dict)


def fill(template: Any, values: dict[str, str]) -> Any:
    """Replace placeholders inside every string of a JSON-like template (values stay JSON-safe)."""
    if isinstance(template, str):
        for key, value in values.items():
            template = template.replace("{" + key + "}", value)
        return template
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    if isinstance(template, dict):
        return {key: fill(item, values) for key, item in template.items()}
    return template


def expand_env(value: str) -> str:
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: os.environ.get(m.group(1), ""), value)


class HttpTarget(BaseTarget):
    def __init__(self, config: HttpConfig, base_dir: Path) -> None:
        super().__init__(config, base_dir)
        self.settings = config
        self._clients = ClientPool()

    async def generate(self, case: Case) -> str:
        payload = fill(self.settings.request_template, {"source": case.source, "case_id": case.id, "task": case.task})
        headers = {k: expand_env(v) for k, v in self.settings.headers.items()}
        async with self._clients.client() as client:
            body = await post_json(client, self.settings.url, payload, headers, self.config.timeout_s)
        return require_text(dig(body, self.settings.output_path))

    async def aclose(self) -> None:
        await self._clients.aclose()
