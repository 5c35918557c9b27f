"""Reading YAML configuration files with errors that name the file, line and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import InputError, Problem, pydantic_problems

Model = TypeVar("Model", bound=BaseModel)


def yaml_key_line(text: str, key: str) -> int | None:
    """1-based line of a top-level key in a YAML document, if present."""
    import re

    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return number
    return None


def yaml_field_line(text: str, dotted: str) -> int | None:
    """1-based line of a (possibly nested) key such as `scorers.recall.mean`: the deepest part found."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for part in dotted.split("."):
        if not isinstance(node, yaml.MappingNode):
            break
        match = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
        if match is None:
            break
        line, node = match[0].start_mark.line + 1, match[1]
    return line


def read_yaml_mapping(path: str | Path, what: str) -> tuple[dict[str, Any], str]:
    """(mapping, raw text) of a YAML file; a missing file, bad YAML or a non-mapping is bad input."""
    file = Path(path)
    if not file.is_file():
        raise InputError.single(file, f"{what} file not found")
    text = file.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError.single(file, f"not valid YAML: {getattr(exc, 'problem', exc)}", None if mark is None else mark.line + 1) from exc
    if not isinstance(data, dict):
        raise InputError.single(file, f"must be a YAML mapping of {what} settings")
    return data, text


def validate_mapping(model: type[Model], data: dict[str, Any], file: str | Path, text: str) -> Model:
    """Validate a mapping; each problem points at the line of its top-level key."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError([Problem(p.file, p.message, yaml_field_line(text, p.field or "") or yaml_key_line(text, (p.field or "").split(".")[0]),
                                  p.field) for p in pydantic_problems(file, exc)]) from exc
