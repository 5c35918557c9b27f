"""`command`: a local program; the case source goes to its stdin, the output comes from stdout."""

from __future__ import annotations

import asyncio
import shlex
from pathlib import Path
from typing import Literal

from pydantic import Field

from ..goldens import Case
from .base import BaseTarget, TargetConfig, TargetError, require_text


class CommandConfig(TargetConfig):
    kind: Literal["command"]
    command: str | list[str] = Field(description="Program and arguments; run without a shell, in the YAML file's folder.")


class CommandTarget(BaseTarget):
    def __init__(self, config: CommandConfig, base_dir: Path) -> None:
        super().__init__(config, base_dir)
        self.argv = shlex.split(config.command) if isinstance(config.command, str) else list(config.command)

    async def generate(self, case: Case) -> str:
        try:
            process = await asyncio.create_subprocess_exec(
                *self.argv, cwd=self.base_dir, stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            raise TargetError("process_error", f"cannot start {self.argv[0]!r}: {exc.strerror}") from exc
        try:
            stdout, stderr = await process.communicate(case.source.encode("utf-8"))
        except asyncio.CancelledError:
            process.kill()
            await process.wait()
            raise
        if process.returncode != 0:
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise TargetError("process_error", f"exit code {process.returncode}: {tail[0][:200]}")
        try:
            return require_text(stdout.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise TargetError("garbage", "stdout is not UTF-8 text") from exc
