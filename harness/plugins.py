"""The one place that loads plugins: suites (`assure.suites`) and CLI commands (`assure.commands`).

A council or vendor can ship its own suite as a separate package by declaring an entry point in
one of these groups. A plugin that fails to load is reported in one line, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from .errors import InputError
from .scoring import Suite

SUITES_GROUP = "assure.suites"
COMMANDS_GROUP = "assure.commands"


def _load(group: str) -> tuple[dict[str, Any], list[str]]:
    loaded: dict[str, Any] = {}
    broken: list[str] = []
    for entry in entry_points(group=group):
        try:
            loaded[entry.name] = entry.load()
        except Exception as exc:  # a broken plugin must not take the harness down
            broken.append(f"plugin {entry.name!r} ({entry.value}) failed to load: {type(exc).__name__}: {exc}")
    return loaded, broken


def available_suites() -> list[str]:
    return sorted(entry.name for entry in entry_points(group=SUITES_GROUP))


def load_suite(name: str) -> Suite:
    """The suite registered under `name`; an unknown name is bad input (exit 2)."""
    matches = [e for e in entry_points(group=SUITES_GROUP) if e.name == name]
    if not matches:
        raise InputError.single("--suite", f"unknown suite {name!r}; available: {', '.join(available_suites()) or 'none'}")
    try:
        factory: Callable[[], Suite] = matches[0].load()
        suite = factory()
    except InputError:
        raise
    except Exception as exc:
        raise InputError.single("--suite", f"suite {name!r} failed to load: {type(exc).__name__}: {exc}") from exc
    return suite


def load_commands() -> tuple[dict[str, Callable[..., Any]], list[str]]:
    """Command registrars `register(app)` from installed packages, and load failures."""
    return _load(COMMANDS_GROUP)
