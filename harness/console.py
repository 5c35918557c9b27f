"""The terminal: where the CLI prints (stdout for results, stderr for messages) and its exit codes.

Its own module so that every command module can print without importing `harness.cli`, which
imports them (no import circle).
"""

from __future__ import annotations

from rich.console import Console

EXIT_OK, EXIT_GATE_FAILED, EXIT_BAD_INPUT = 0, 1, 2  # success; a threshold or gate failed; bad input

console = Console()
err_console = Console(stderr=True)
