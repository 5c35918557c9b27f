"""Every benchmark's figures in one envelope, one JSON file per benchmark, in one folder.

A benchmark calls `begin` before it measures (that records when it started, the machine and its load
average at that moment, and the commit) and `Measurement.finish` after (wall time and its own figures),
then `write_results`. The file `<folder>/<benchmark>.json` holds

    {"benchmark", "command", "commit", "dirty", "machine": {platform, python, cpu_count, cpu_model,
     memory_gib, load_average}, "started_at", "seconds", "settings", "figures"}

`benchmarks/render_figures.py` renders the documentation's tables from these files, and a test fails
when a table in `docs/figures/` no longer matches its file. The folder is `benchmarks/results/` in the
checkout unless `ASSURE_BENCHMARK_RESULTS` names another. Figures that are not numbers (NaN, infinity)
are written as null, so every file is strict JSON. Plain I/O: nothing here imports the suites.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

RESULTS_ENV = "ASSURE_BENCHMARK_RESULTS"
REPO = Path(__file__).resolve().parents[1]
KEYS = ("benchmark", "command", "commit", "dirty", "machine", "started_at", "seconds", "settings", "figures")


def default_results_dir() -> Path:
    """`ASSURE_BENCHMARK_RESULTS`, else `benchmarks/results/` in the checkout (else under the working directory)."""
    override = os.environ.get(RESULTS_ENV)
    if override:
        return Path(override).expanduser().resolve()
    root = REPO if (REPO / "benchmarks").is_dir() else Path.cwd()
    return root / "benchmarks" / "results"


def git_state(root: Path = REPO) -> dict[str, Any]:
    """The checkout's HEAD commit and whether a tracked file differs from it (None for both outside git)."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit.strip() if commit else None, "dirty": None if status is None else bool(status.strip())}


def _cpu_model() -> str | None:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in {"model name", "Model", "cpu model"} and value.strip():
            return value.strip()
    return platform.processor() or None


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except (OSError, ValueError, IndexError):
        pass
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1)
    except (ValueError, OSError, AttributeError):
        return None


def machine() -> dict[str, Any]:
    """What the benchmark ran on, with the load average (1, 5, 15 minutes) at this moment."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {"platform": platform.platform(), "python": platform.python_version(), "cpu_count": os.cpu_count(),
            "cpu_model": _cpu_model(), "memory_gib": _memory_gib(), "load_average": load}


def cli_command(fallback: str, argv: list[str] | None = None) -> str:
    """The command line that is running, as a person would type it: `assure ...` for the console script,
    `python path/to/script.py ...` for a script; `fallback` when neither (in process, e.g. a test runner)."""
    argv = list(sys.argv if argv is None else argv)
    program = Path(argv[0]).name if argv else ""
    if program == "assure":
        return shlex.join(["assure", *argv[1:]])
    if program.endswith(".py") and Path(argv[0]).is_file():
        path = Path(argv[0]).resolve()
        shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        return shlex.join(["python", str(shown), *argv[1:]])
    return fallback


def _plain(value: Any) -> Any:
    """`value` as strict JSON: NaN and infinities become None, tuples lists, keys strings."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if hasattr(value, "item"):  # a numpy scalar
        return _plain(value.item())
    raise TypeError(f"not JSON: {type(value).__name__}")


@dataclass
class Measurement:
    """A benchmark under way: what `begin` recorded before it started measuring."""

    benchmark: str
    command: str
    started_at: str
    machine: dict[str, Any]
    git: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=dict)
    _started: float = field(default_factory=time.perf_counter, repr=False)

    def finish(self, figures: dict[str, Any], seconds: float | None = None) -> dict[str, Any]:
        """The envelope: this measurement's provenance and `figures` (wall time since `begin` unless given)."""
        elapsed = time.perf_counter() - self._started if seconds is None else seconds
        return _plain({"benchmark": self.benchmark, "command": self.command, "commit": self.git["commit"],
                       "dirty": self.git["dirty"], "machine": self.machine, "started_at": self.started_at,
                       "seconds": round(elapsed, 2), "settings": self.settings, "figures": figures})


def begin(benchmark: str, command: str, settings: dict[str, Any] | None = None, root: Path = REPO) -> Measurement:
    """Start a measurement of `benchmark` run by `command` with `settings` (load average taken now)."""
    return Measurement(benchmark=benchmark, command=command,
                       started_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                       machine=machine(), git=git_state(root), settings=dict(settings or {}))


def results_path(folder: Path, benchmark: str) -> Path:
    return folder / f"{benchmark}.json"


def write_results(envelope: dict[str, Any], folder: Path | None = None) -> Path:
    """Write `envelope` to `<folder>/<benchmark>.json` (atomically; the folder is created); return the path."""
    missing = [k for k in KEYS if k not in envelope]
    if missing:
        raise ValueError(f"not a results envelope: missing {', '.join(missing)}")
    folder = default_results_dir() if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    path = results_path(folder, str(envelope["benchmark"]))
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    scratch.write_text(json.dumps(_plain(envelope), indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    os.replace(scratch, path)
    return path


def read_results(path: Path) -> dict[str, Any]:
    """One results file, checked to be an envelope."""
    envelope = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(envelope, dict) or any(k not in envelope for k in KEYS):
        raise ValueError(f"{path}: not a benchmark results file (needs {', '.join(KEYS)})")
    return envelope


def record(benchmark: str, command: str, figures: dict[str, Any], measurement: Measurement | None = None,
           folder: Path | None = None, settings: dict[str, Any] | None = None, seconds: float | None = None) -> Path:
    """Shortcut: finish `measurement` (or one begun now) with `figures` and write it."""
    measurement = measurement or begin(benchmark, command, settings)
    if settings:
        measurement.settings.update(settings)
    return write_results(measurement.finish(figures, seconds), folder)


def save(measurement: Measurement, figures: dict[str, Any], args: Any, seconds: float | None = None) -> Path | None:
    """Finish `measurement` with `figures` and write it where `add_arguments`' options say (None: --no-results)."""
    return None if args.no_results else write_results(measurement.finish(figures, seconds), args.results_dir)


def add_arguments(parser: Any) -> None:
    """`--results-dir DIR` and `--no-results` on an argparse parser (the scripts in `benchmarks/`)."""
    parser.add_argument("--results-dir", type=Path, default=None,
                        help=f"write the results JSON here (default: benchmarks/results/, or ${RESULTS_ENV})")
    parser.add_argument("--no-results", action="store_true", help="do not write the results JSON")
