"""Scaling of the runner: cases per second against a loopback tool that answers after a fixed latency, by
concurrency and number of cases; efficiency against the ideal; memory per 1,000 cases; and the Ray
executor's overhead per case against the local one. Not a test: run

    .venv/bin/python benchmarks/scaling.py [--latency 1.0] [--quick]

The tool is `benchmarks/latency_server.py` in its own process, reached through an `http` target. Each
measurement is one run of the engine's executor (`harness.runner.run_cases`, or
`harness.ray_executor.run_cases_ray`) on a fresh golden set of N synthetic cases (sources of about 120
words), with a cold output cache and a fresh checkpoint log, so every case calls the tool, is scored,
cached and checkpointed (fsynced) exactly as in `assure run`. What is not timed: loading the golden set,
and the MLflow logging and report writing after the cases (the same whatever the executor). Scoring is one
cheap scorer (does the output name the case?): this measures the engine, not a judge.

Efficiency is the ideal time, cases x latency / concurrency, over the measured time. With fewer cases than
calls in flight the ideal cannot be met (one round of calls still takes a whole latency), so the whole-rounds
ideal, ceil(cases / concurrency) x latency, is given too. The combinations that would take longer than
`--max-ideal-s` at the ideal rate are skipped and listed (10,000 cases one at a time at 1 s is 10,000 s).
Memory is the peak resident size (VmHWM) of a fresh process that runs 1,000 cases, and of one that runs
10,000, less its size before it loads the golden set; per 1,000 cases is the slope between the two. Writes
`benchmarks/results/scaling.json` (`--results-dir` elsewhere, `--no-results` not at all).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import benchmark_results
from harness.cache import Cache
from harness.checkpoint import CheckpointLog
from harness.goldens import Case, GoldenSet, load_golden
from harness.runner import run_cases
from harness.scoring import Score
from harness.targets import BaseTarget, target_from_config

HERE = Path(__file__).resolve().parent
CONCURRENCY = (1, 8, 32, 128)
CASES = (100, 1000, 10_000)
WORDS = ("The adult was visited at home by the social worker, who discussed the care plan, the medication "
         "review and the support the family gives each week. ").split()


class NamesTheCase:
    """The benchmark's one scorer: 1 when the output names the case id. Costs microseconds."""

    name, version, threshold, description = "names_the_case", "1", 1.0, "the output names the case id"

    def score(self, case: Case, output: str) -> Score:
        value = 1.0 if case.id in output else 0.0
        return Score(value=value, passed=value >= self.threshold)


def start_tool(latency: float) -> tuple[subprocess.Popen[str], str]:
    """The loopback tool in its own process, and its URL."""
    process = subprocess.Popen([sys.executable, str(HERE / "latency_server.py"), "--latency", str(latency)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    port = int(process.stdout.readline())
    return process, f"http://127.0.0.1:{port}/summarise"


def golden_set(folder: Path, cases: int) -> GoldenSet:
    """`cases` synthetic cases of about 120 words each, written and loaded as a council's golden set is."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.yaml").write_text("id: scaling\nversion: 1.0.0\ntask: case_note_summary\ndescription: synthetic load\n"
                                          "licence: CC-BY-4.0\nsynthetic: true\n", encoding="utf-8")
    with (folder / "cases.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(cases):
            source = f"Case note {i}. " + " ".join(WORDS * 5)
            handle.write(json.dumps({"id": f"case-{i:05d}", "task": "case_note_summary", "source": source}) + "\n")
    return load_golden(folder)


def http_target(url: str, folder: Path) -> BaseTarget:
    config = {"name": "latency-tool", "version": "1", "kind": "http", "url": url, "timeout_s": 60, "max_retries": 0,
              "request_template": {"id": "{case_id}", "text": "{source}"}, "output_path": "output"}
    return target_from_config(config, folder)


def run_once(golden: GoldenSet, url: str, concurrency: int, executor: str, scratch: Path) -> dict[str, Any]:
    """One timed run on a cold cache and a fresh checkpoint: seconds, driver CPU seconds, errors."""
    run_id = f"{executor}-{concurrency}-{len(golden.cases)}-{time.monotonic_ns()}"
    os.environ["ASSURE_HOME"] = str(scratch / "home")
    checkpoint, cache = CheckpointLog(run_id), Cache(scratch / "home" / f"{run_id}.sqlite")
    target = http_target(url, scratch)
    cpu, started = time.process_time(), time.perf_counter()
    if executor == "ray":
        from ray import cloudpickle

        from harness.ray_executor import run_cases_ray

        if NamesTheCase.__module__ != "__main__":  # imported as a module (the memory child): workers cannot import it
            cloudpickle.register_pickle_by_value(sys.modules[NamesTheCase.__module__])

        outcome = run_cases_ray(golden, target, [], checkpoint, cache, concurrency, scorers=[NamesTheCase()])
    else:
        outcome = asyncio.run(run_cases(golden, target, [NamesTheCase()], checkpoint, cache, concurrency))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    cache.close()
    checkpointed = len(checkpoint.finished())
    if outcome.error_count or checkpointed != len(golden.cases) or outcome.aggregates["names_the_case"].mean != 1.0:
        raise RuntimeError(f"{executor} run at {concurrency}: {outcome.error_count} errors, {checkpointed} checkpointed")
    return {"seconds": seconds, "driver_cpu_seconds": cpu}


def grid(latency: float, max_ideal_s: float, scratch: Path, url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows, skipped = [], []
    goldens = {n: golden_set(scratch / f"golden-{n}", n) for n in CASES}
    for concurrency in CONCURRENCY:
        for cases in CASES:
            ideal = cases * latency / concurrency
            if ideal > max_ideal_s:
                skipped.append({"concurrency": concurrency, "cases": cases, "ideal_seconds": ideal,
                                "why": f"would take at least {ideal:.0f} s (over --max-ideal-s {max_ideal_s:g})"})
                continue
            measured = run_once(goldens[cases], url, concurrency, "local", scratch)
            waves = math.ceil(cases / concurrency) * latency
            row = {"concurrency": concurrency, "cases": cases, "seconds": round(measured["seconds"], 3),
                   "cases_per_second": round(cases / measured["seconds"], 2), "ideal_seconds": round(ideal, 3),
                   "efficiency": round(ideal / measured["seconds"], 4),
                   "whole_rounds_ideal_seconds": round(waves, 3), "whole_rounds_efficiency": round(waves / measured["seconds"], 4),
                   "driver_cpu_ms_per_case": round(measured["driver_cpu_seconds"] / cases * 1000, 3)}
            rows.append(row)
            print(f"local  C={concurrency:>3}  N={cases:>6}: {row['seconds']:8.2f} s  {row['cases_per_second']:8.1f} cases/s  "
                  f"efficiency {row['efficiency']:.3f} (whole rounds {row['whole_rounds_efficiency']:.3f})", flush=True)
    return rows, skipped


def ray_overhead(latency: float, concurrency: int, cases: int, scratch: Path, url: str) -> dict[str, Any]:
    """Local against Ray at the same concurrency and size; Ray's fixed start (its worker pool) measured apart."""
    from harness.ray_executor import connect

    started = time.perf_counter()
    connect(num_cpus=os.cpu_count())
    cluster_start = time.perf_counter() - started
    import ray

    golden, single = golden_set(scratch / "golden-ray", cases), golden_set(scratch / "golden-one", 1)
    try:
        fixed = run_once(single, url, concurrency, "ray", scratch)["seconds"] - latency
        local = run_once(golden, url, concurrency, "local", scratch)
        on_ray = run_once(golden, url, concurrency, "ray", scratch)
    finally:
        ray.shutdown()
    per_case = (on_ray["seconds"] - fixed - local["seconds"]) / cases
    figures = {"concurrency": concurrency, "cases": cases, "cluster_start_seconds": round(cluster_start, 2),
               "ray_worker_pool_start_seconds": round(fixed, 3), "local_seconds": round(local["seconds"], 3),
               "ray_seconds": round(on_ray["seconds"], 3), "ray_seconds_after_start": round(on_ray["seconds"] - fixed, 3),
               "ray_efficiency_after_start": round(cases * latency / concurrency / (on_ray["seconds"] - fixed), 4),
               "overhead_ms_per_case": round(per_case * 1000, 3),
               "ray_driver_cpu_ms_per_case": round(on_ray["driver_cpu_seconds"] / cases * 1000, 3),
               "local_driver_cpu_ms_per_case": round(local["driver_cpu_seconds"] / cases * 1000, 3)}
    print(f"ray    C={concurrency:>3}  N={cases:>6}: local {figures['local_seconds']:.2f} s, ray {figures['ray_seconds']:.2f} s "
          f"(pool start {fixed:.2f} s); overhead {figures['overhead_ms_per_case']:.2f} ms a case", flush=True)
    return figures


def memory_child(cases: int, concurrency: int, latency: float) -> dict[str, float]:
    """In a fresh process: resident size before the golden set is loaded, and the peak after a run of `cases`."""
    # VmHWM, not getrusage's ru_maxrss: that one keeps the parent's size at fork across the exec.
    code = ("import json, sys, tempfile; from pathlib import Path; sys.path.insert(0, sys.argv[4]); import scaling as s\n"
            "kib = lambda key: int(next(l for l in open('/proc/self/status') if l.startswith(key)).split()[1])\n"
            "tool, url = s.start_tool(float(sys.argv[3])); scratch = Path(tempfile.mkdtemp()); before = kib('VmRSS')\n"
            "g = s.golden_set(scratch / 'g', int(sys.argv[1])); s.run_once(g, url, int(sys.argv[2]), 'local', scratch)\n"
            "tool.kill(); print(json.dumps({'before_mib': before / 1024, 'peak_mib': kib('VmHWM') / 1024}))")
    done = subprocess.run([sys.executable, "-c", code, str(cases), str(concurrency), str(latency), str(HERE)],
                          capture_output=True, text=True, check=True, timeout=900)
    return json.loads(done.stdout.strip().splitlines()[-1])


def memory(concurrency: int, latency: float) -> dict[str, Any]:
    small, large = memory_child(1000, concurrency, latency), memory_child(10_000, concurrency, latency)
    grown = {n: m["peak_mib"] - m["before_mib"] for n, m in ((1000, small), (10_000, large))}
    per_thousand = (grown[10_000] - grown[1000]) / 9
    print(f"memory: peak growth {grown[1000]:.1f} MiB at 1,000 cases, {grown[10_000]:.1f} MiB at 10,000: "
          f"{per_thousand:.2f} MiB per 1,000 cases", flush=True)
    return {"concurrency": concurrency, "latency_s": latency, "growth_mib": {str(k): round(v, 2) for k, v in grown.items()},
            "peak_mib": {"1000": round(small["peak_mib"], 1), "10000": round(large["peak_mib"], 1)},
            "mib_per_1000_cases": round(per_thousand, 3)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=1.0, help="the tool's fixed latency in seconds (an LLM API's is 1-30 s)")
    parser.add_argument("--max-ideal-s", type=float, default=130.0, help="skip combinations whose ideal time is longer")
    parser.add_argument("--ray-cases", type=int, default=2000)
    parser.add_argument("--ray-concurrency", type=int, default=128)
    parser.add_argument("--memory-latency", type=float, default=0.05, help="the tool's latency for the memory runs")
    parser.add_argument("--quick", action="store_true", help="a smoke run: only the combinations ideally under 2 s, no Ray, no memory")
    benchmark_results.add_arguments(parser)
    args = parser.parse_args()
    max_ideal = 2.0 if args.quick else args.max_ideal_s
    measurement = benchmark_results.begin("scaling", benchmark_results.cli_command("python benchmarks/scaling.py"),
                                          {"latency_s": args.latency, "max_ideal_s": max_ideal, "ray_cases": args.ray_cases,
                                           "ray_concurrency": args.ray_concurrency, "memory_latency_s": args.memory_latency,
                                           "quick": args.quick,
                                           "scorer": NamesTheCase.name, "source_words": len(WORDS) * 5 + 3})
    tool, url = start_tool(args.latency)
    try:
        with tempfile.TemporaryDirectory(prefix="assure-scaling-") as folder:
            rows, skipped = grid(args.latency, max_ideal, Path(folder), url)
            ray = None if args.quick else ray_overhead(args.latency, args.ray_concurrency, args.ray_cases, Path(folder), url)
    finally:
        tool.kill()
    mem = None if args.quick else memory(128, args.memory_latency)
    up_to_128 = [r["efficiency"] for r in rows if r["cases"] >= r["concurrency"] * 4]
    figures = {"latency_s": args.latency, "runs": rows, "skipped": skipped, "ray": ray, "memory": mem,
               "min_efficiency_at_least_4_rounds": min(up_to_128) if up_to_128 else None,
               "min_whole_rounds_efficiency": min((r["whole_rounds_efficiency"] for r in rows), default=None), "efficiency_target": 0.9}
    if not args.no_results:
        print(f"wrote {benchmark_results.write_results(measurement.finish(figures), args.results_dir)}")


if __name__ == "__main__":
    main()
