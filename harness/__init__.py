"""assure's engine: golden sets, targets, runner, scoring, tracking, gate and the command line."""

from . import _env  # noqa: F401  (every dependency's telemetry off, and model hubs offline, before anything imports them)
