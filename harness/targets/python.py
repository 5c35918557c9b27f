"""`python`: a function `module:function` that takes the source text and returns the output text."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from ..errors import InputError
from ..goldens import Case
from .base import BaseTarget, TargetConfig, TargetError, require_text


class PythonConfig(TargetConfig):
    kind: Literal["python"]
    callable: str = Field(pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


class PythonTarget(BaseTarget):
    def __init__(self, config: PythonConfig, base_dir: Path) -> None:
        super().__init__(config, base_dir)
        self.function = _import(config.callable, base_dir)

    async def generate(self, case: Case) -> str:
        try:
            if inspect.iscoroutinefunction(self.function):
                result = await self.function(case.source)
            else:
                result = await asyncio.to_thread(self.function, case.source)
        except Exception as exc:  # the tool under test failed: an errored case, not a crash
            raise TargetError("exception", f"{type(exc).__name__}: {exc}") from exc
        return require_text(result)


def _import(spec: str, base_dir: Path) -> Callable[..., Any]:
    module_name, _, attribute = spec.partition(":")
    if str(base_dir) not in sys.path:
        sys.path.insert(0, str(base_dir))
    try:
        module = importlib.import_module(module_name)
        function = getattr(module, attribute)
    except (ImportError, AttributeError) as exc:
        raise InputError.single(base_dir, f"cannot import {spec!r}: {exc}", field="callable") from exc
    if not callable(function):
        raise InputError.single(base_dir, f"{spec!r} is not callable", field="callable")
    return function
