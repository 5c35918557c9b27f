"""Errors that the CLI turns into one clear line and exit code 2 (bad input or configuration)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem in one input file: where it is and what is wrong."""

    file: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {what}"


@dataclass
class InputError(Exception):
    """Bad input or configuration: a list of problems, each naming file, line and field."""

    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def single(cls, file: str | Path, message: str, line: int | None = None, field: str | None = None) -> "InputError":
        return cls([Problem(str(file), message, line, field)])

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def pydantic_problems(file: str | Path, exc: Exception, line: int | None = None, prefix: str = "") -> list[Problem]:
    """Turn a pydantic ValidationError into problems with dotted field paths."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return [Problem(str(file), str(exc), line)]
    problems = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"])
        field_path = f"{prefix}.{loc}" if prefix and loc else (prefix or loc or None)
        problems.append(Problem(str(file), err["msg"], line, field_path))
    return problems
