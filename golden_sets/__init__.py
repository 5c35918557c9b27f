"""Versioned synthetic golden sets shipped with assure. `path(name)` finds a bundled set."""

from pathlib import Path

ROOT = Path(__file__).parent


def path(name: str) -> Path:
    """Folder of the bundled golden set `name` (e.g. 'sample')."""
    return ROOT / name
