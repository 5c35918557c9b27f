"""The dashboard load benchmark's server side (`benchmarks/dashboard_load.py`): `assure dashboard`'s app
on a benchmark store, in a subprocess, with time and call counts of what it reads (MLflow calls, report
loads, comparisons, callbacks) at /_bench/stats; and an in-process profile of the run listing and
report loads. Run as `python benchmarks/dashboard_server.py serve STORE PORT` by `Server`.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def serve(store: Path, port: int) -> None:
    """`assure dashboard`'s app on `store`, with time and call counts of what it reads at /_bench/stats."""
    info = json.loads((store / "store.json").read_text(encoding="utf-8"))
    os.environ["ASSURE_HOME"] = info["home"]
    import flask
    from mlflow.tracking import MlflowClient

    import dashboards.data
    from dashboards.app import create_app
    from harness.tracking import Tracker

    lock = threading.Lock()
    stats: dict[str, list[float]] = {}

    def timed(name: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                with lock:
                    entry = stats.setdefault(name, [0, 0.0])
                    entry[0] += 1
                    entry[1] += time.perf_counter() - started
        return wrapper

    for method in ("search_runs", "search_experiments", "get_run", "get_experiment", "get_experiment_by_name",
                   "download_artifacts", "list_artifacts"):
        setattr(MlflowClient, method, timed(f"mlflow.{method}", getattr(MlflowClient, method)))
    dashboards.data.DashboardData._search = timed("DashboardData._search (run listing)", dashboards.data.DashboardData._search)
    dashboards.data.load_report = timed("load_report (report loads)", dashboards.data.load_report)
    dashboards.data.compare = timed("harness.compare.compare", dashboards.data.compare)
    dashboards.data.summarise_run = timed("summarise_run (run summaries)", dashboards.data.summarise_run)
    app = create_app(Tracker(info["uri"]))
    server = app.server

    @server.before_request
    def _start() -> None:
        flask.g.bench_started = time.perf_counter()

    @server.after_request
    def _stop(response: Any) -> Any:
        if not flask.request.path.startswith("/_bench") and hasattr(flask.g, "bench_started"):
            kind = "callbacks" if flask.request.path.startswith("/_dash-update-component") else "other requests"
            with lock:
                entry = stats.setdefault(f"server: {kind}", [0, 0.0])
                entry[0] += 1
                entry[1] += time.perf_counter() - flask.g.bench_started
        return response

    def read() -> Any:
        with lock:
            return flask.jsonify({k: {"calls": v[0], "seconds": round(v[1], 4)} for k, v in stats.items()})

    def reset() -> Any:
        with lock:
            stats.clear()
        return flask.jsonify({})

    server.add_url_rule("/_bench/stats", "bench_stats", read)
    server.add_url_rule("/_bench/reset", "bench_reset", reset)
    app.run(host="127.0.0.1", port=port, debug=False)


class Server:
    def __init__(self, store: Path, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(store / f"server-{port}.log", "a", encoding="utf-8")
        self.process = subprocess.Popen([sys.executable, __file__, "serve", str(store), str(port)], cwd=REPO,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        started = time.perf_counter()
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the dashboard server exited; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/_bench/stats", timeout=5):
                    break
            except OSError:
                if time.perf_counter() - started > 120:
                    raise RuntimeError("the dashboard server did not answer within 120 s") from None
                time.sleep(0.2)
        self.start_seconds = time.perf_counter() - started

    def stats(self, reset: bool = False) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "/_bench/stats", timeout=30) as response:
            found = json.loads(response.read())
        if reset:
            urllib.request.urlopen(self.url + "/_bench/reset", timeout=30).close()
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def profile(info: dict[str, Any]) -> dict[str, Any]:
    """How long the run listing and report loads take on their own, outside the server."""
    os.environ["ASSURE_HOME"] = info["home"]
    from dashboards.data import DashboardData
    from harness.compare import summarise_run
    from harness.runs import load_report
    from harness.tracking import Tracker

    tracker = Tracker(info["uri"])
    data = DashboardData(tracker)
    searches = []
    for _ in range(3):
        started = time.perf_counter()
        runs, _ = data._search()
        searches.append(time.perf_counter() - started)
    sample = list(runs["run_id"][1:21])
    loads, summaries = [], []
    for run_id in sample:
        started = time.perf_counter()
        report = load_report(tracker, run_id)
        loads.append(time.perf_counter() - started)
        started = time.perf_counter()
        summarise_run(report)
        summaries.append(time.perf_counter() - started)
    golden = data.golden_sets()[0]["key"]
    shown = len(data.latest_per_tool(golden))
    return {"listed_runs": len(runs), "search_median_s": statistics.median(searches),
            "report_load_median_s": statistics.median(loads), "summarise_run_median_s": statistics.median(summaries),
            "tool_versions_on_the_set": shown,
            "scorecard_cold_estimate_s": statistics.median(searches) + shown * (statistics.median(loads) + statistics.median(summaries))}


def free_port(preferred: int) -> int:
    for port in [preferred, *range(preferred + 1, preferred + 9)]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError(f"no free port in {preferred}-{preferred + 8}")


if __name__ == "__main__":
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    if len(sys.argv) != 4 or sys.argv[1] != "serve":
        sys.exit("usage: python benchmarks/dashboard_server.py serve STORE PORT")
    serve(Path(sys.argv[2]), int(sys.argv[3]))
