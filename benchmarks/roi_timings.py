"""ROI timings: how long `assure roi` takes on the bundled submissions, and the appraisal in process.
Not a test: run

    .venv/bin/python benchmarks/roi_timings.py [--repeats 3] [--draws 10000]

Measures, on this machine (each command a real subprocess of the `assure` console script, timed with
`os.wait4`: wall time, CPU time of the process, user plus system, and its peak resident memory):

- `assure roi roi/submissions/` on a fresh data folder (it creates the MLflow database);
- the same `--repeats` times with the database in place (range and median);
- the same with `--no-track` (`--repeats` times; the database in place, since assurance runs are still read);
- a bad submission (one council's file with its staff groups removed): exit 2, MLflow not opened;
- in process, after imports and one warm-up: the whole appraisal of the 6 councils (`roi.appraise.appraise`,
  reading assurance runs from the database made above, median of `--repeats`), and per submission the
  Monte Carlo interval (`--draws` draws) and the sensitivity table (median over submissions of the
  median of `--repeats`).

Writes `benchmarks/results/roi_timings.json` (`--results-dir` elsewhere, `--no-results` not at all).
Each subprocess gets its own `ASSURE_HOME` in a temporary folder; nothing is written to `.assure/`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from harness import benchmark_results

REPO = Path(__file__).resolve().parents[1]
SUBMISSIONS = REPO / "roi" / "submissions"
ASSURE = Path(sys.executable).parent / "assure"


def timed_command(args: list[str], home: Path) -> dict[str, Any]:
    """Run `assure ARGS` with ASSURE_HOME=`home`; wall and CPU seconds, peak memory (MiB) and exit code."""
    env = {**os.environ, "ASSURE_HOME": str(home)}
    env.pop("MLFLOW_TRACKING_URI", None)
    started = time.perf_counter()
    process = subprocess.Popen([str(ASSURE), *args], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    return {"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_mib": round(usage.ru_maxrss / 1024, 1), "exit": process.returncode,
            "stderr_tail": stderr.strip().splitlines()[-1:] if process.returncode else []}


def spread(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Min, median and max of wall and CPU seconds over repeated commands, and every row."""
    out: dict[str, Any] = {"runs": rows}
    for key in ("wall_s", "cpu_s"):
        values = [r[key] for r in rows]
        out[key] = {"min": min(values), "median": round(statistics.median(values), 3), "max": max(values)}
    out["peak_mib"] = max(r["peak_mib"] for r in rows)
    out["exits"] = sorted({r["exit"] for r in rows})
    return out


def bad_submission(folder: Path) -> Path:
    """A copy of one bundled submission without its staff groups (a required field)."""
    item = yaml.safe_load((SUBMISSIONS / "kettleby.yaml").read_text(encoding="utf-8"))
    item.pop("staff_groups", None)
    path = folder / "bad.yaml"
    path.write_text(yaml.safe_dump(item, allow_unicode=True), encoding="utf-8")
    return path


def median_seconds(function: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def in_process(home: Path, repeats: int, draws: int) -> dict[str, Any]:
    """The appraisal without the command around it: the whole of it, and Monte Carlo and sensitivity per submission."""
    os.environ["ASSURE_HOME"] = str(home)
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    from harness.tracking import Tracker
    from roi.appraise import Options, appraise, expand_paths
    from roi.resolve import resolve
    from roi.submission import load_submissions
    from roi.uncertainty import monte_carlo, sensitivity

    tracker = Tracker()
    options = Options(draws=draws)
    appraise([SUBMISSIONS], options, tracker)  # warm-up: imports, database connection
    whole = median_seconds(lambda: appraise([SUBMISSIONS], options, tracker), repeats)
    loaded = load_submissions(expand_paths([SUBMISSIONS]))
    per: dict[str, dict[str, float]] = {}
    for item in loaded:
        inputs = resolve(item.submission).inputs
        monte_carlo(inputs, draws)
        per[item.submission.council] = {
            "monte_carlo_ms": round(1000 * median_seconds(lambda: monte_carlo(inputs, draws), repeats), 3),
            "sensitivity_ms": round(1000 * median_seconds(lambda: sensitivity(inputs), repeats), 3)}
    return {"councils": len(loaded), "appraisal_s": round(whole, 4), "draws": draws, "per_submission": per,
            "monte_carlo_ms_median": round(statistics.median(p["monte_carlo_ms"] for p in per.values()), 3),
            "sensitivity_ms_median": round(statistics.median(p["sensitivity_ms"] for p in per.values()), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each timed command and in-process step")
    parser.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws (the command's default)")
    benchmark_results.add_arguments(parser)
    args = parser.parse_args(argv)
    measurement = benchmark_results.begin("roi_timings", benchmark_results.cli_command("python benchmarks/roi_timings.py"),
                                          {"repeats": args.repeats, "draws": args.draws,
                                           "submissions": len(list(SUBMISSIONS.glob("*.yaml")))})
    roi = ["roi", "roi/submissions/", "--draws", str(args.draws)]
    with tempfile.TemporaryDirectory(prefix="assure-roi-timings-") as scratch:
        home = Path(scratch) / "home"
        fresh = timed_command(roi, home)
        print(f"fresh data folder: {fresh}", flush=True)
        with_db = spread([timed_command(roi, home) for _ in range(args.repeats)])
        print(f"database in place: {with_db['wall_s']} wall, {with_db['cpu_s']} CPU", flush=True)
        no_track = spread([timed_command([*roi, "--no-track"], home) for _ in range(args.repeats)])
        print(f"--no-track: {no_track['wall_s']} wall, {no_track['cpu_s']} CPU", flush=True)
        bad = spread([timed_command(["roi", str(bad_submission(Path(scratch)))], Path(scratch) / "bad")
                      for _ in range(args.repeats)])
        bad["mlflow_opened"] = (Path(scratch) / "bad" / "mlflow.db").exists()
        print(f"bad submission: exit {bad['exits']}, {bad['wall_s']} wall, {bad['cpu_s']} CPU", flush=True)
        own = in_process(home, args.repeats, args.draws)
        print(f"in process: appraisal {own['appraisal_s']} s; Monte Carlo {own['monte_carlo_ms_median']} ms and "
              f"sensitivity {own['sensitivity_ms_median']} ms per submission", flush=True)
    if any(r["exit"] != 0 for r in [fresh, *with_db["runs"], *no_track["runs"]]) or bad["exits"] != [2]:
        print("error: a command did not exit as expected; nothing written", file=sys.stderr)
        return 1
    if not args.no_results:
        figures = {"fresh": fresh, "database_in_place": with_db, "no_track": no_track, "bad_submission": bad,
                   "in_process": own, "cpu_time_of_this_process_s": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 2)}
        print(f"wrote {benchmark_results.write_results(measurement.finish(figures), args.results_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
