"""Targets: the AI tool under test. `load_target(path)` reads a YAML file and picks the kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..yamlfile import read_yaml_mapping, validate_mapping, yaml_key_line
from .base import BaseTarget, Target, TargetConfig, TargetError
from .baseline import BaselineConfig, BaselineTarget
from .command import CommandConfig, CommandTarget
from .http import HttpConfig, HttpTarget
from .openai import OpenAIConfig, OpenAITarget
from .python import PythonConfig, PythonTarget
from .recorded import RecordedConfig, RecordedTarget

__all__ = ["BaseTarget", "KINDS", "Target", "TargetConfig", "TargetError", "load_target", "target_from_config"]

KINDS: dict[str, tuple[type[TargetConfig], type[BaseTarget]]] = {
    "recorded": (RecordedConfig, RecordedTarget),
    "openai": (OpenAIConfig, OpenAITarget),
    "http": (HttpConfig, HttpTarget),
    "command": (CommandConfig, CommandTarget),
    "python": (PythonConfig, PythonTarget),
    "baseline": (BaselineConfig, BaselineTarget),
}


def load_target(path: str | Path) -> BaseTarget:
    """Read a target YAML file; every problem names the file, line and key. Paths inside are
    relative to the YAML file's folder."""
    file = Path(path)
    data, text = read_yaml_mapping(file, "target")
    return target_from_config(data, file.parent.resolve(), file=file, text=text)


def target_from_config(data: dict[str, Any], base_dir: Path, file: Path | None = None, text: str = "") -> BaseTarget:
    """Build a target from an already-parsed config mapping."""
    where = file or base_dir
    kind = data.get("kind")
    if kind not in KINDS:
        choices = ", ".join(KINDS)
        raise InputError.single(where, f"must be one of {choices} (got {kind!r})", yaml_key_line(text, "kind"), "kind")
    config_type, target_type = KINDS[kind]
    config = validate_mapping(config_type, data, where, text)
    try:
        return target_type(config, base_dir)  # type: ignore[arg-type]
    except InputError as exc:
        # Problems the target attributes to its config get the YAML file and line; others
        # (a vendor file's rows, a prompt file) keep their own file and line.
        raise InputError([Problem(str(where), p.message, yaml_key_line(text, p.field or "") if p.field else p.line, p.field)
                          if p.file == str(base_dir) else p for p in exc.problems]) from exc
