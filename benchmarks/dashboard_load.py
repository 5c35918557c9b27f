"""Dashboard page-load times on a large store, in a real headless Chromium. Not a test: run

    .venv/bin/python benchmarks/dashboard_load.py [--store DIR] [--runs 500] [--tools 10] [--versions 5]
        [--appraisals 6] [--repeats 5] [--pages scorecard,compare,...] [--port 8111] [--json PATH]

The store (built once in DIR and reused when DIR already holds one; default a temporary folder):
one real evaluation run of the hallucination suite on the 24-meeting safeguarding_minutes set (the
demo's injected-defects vendor), then copies of it up to `--runs` evaluation runs, each an MLflow run
with the same params, tags (`assure.kind`=evaluation, target, target_version, golden_set, baseline),
metrics and report.json artifact that `harness.evaluate` logs, for `--tools` tools x `--versions`
versions (tool-0 is the baseline), scores perturbed per tool and run, start times spread over 120
days. The copies have no local run folder, as on a shared tracking server, so the dashboard
downloads each report from the artifact store. Then `--appraisals` ROI appraisals of the bundled
submissions, their tools renamed to benchmark tools so that the quality-adjusted and value views
find evaluation runs.

For each page a fresh dashboard server starts (`assure dashboard`'s app and Flask server, in a
subprocess, with counters around MLflow calls and report loads): the first load is timed on that
cold server ("cold"), then `--repeats` loads ("warm") and `--repeats` filter changes (a dropdown
choice: scorecard tool, compare runs, case, bias run, ROI council, trend tool; the value page has
none). A time runs from navigation start (or the click) to the last DOM change once the page's
main chart or table is there and no request is in flight. Prints the median per page, where the
server spent its time (MLflow searches, report loads, comparisons) and an in-process profile of
`DashboardData._search` and `report()`; `--json` writes all of it. The target is a median under 2 s
per page on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("ASSURE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ASSURE_CHROMEDRIVER", "/usr/bin/chromedriver")
PAGES = ("scorecard", "compare", "case", "bias", "roi", "value", "trend")
READY = {  # the page's main chart or table (a comma is "any of")
    "scorecard": ["#scorecard-chart g.point", "#scorecard-table"],
    "compare": ["#compare-chart .main-svg, #compare-empty"],
    "case": ["#case-output", "#case-findings"],
    "bias": ["#bias-table, #bias-empty"],
    "roi": ["#roi-table"],
    "value": ["#value-chart .main-svg", "#value-table"],
    "trend": ["#trend-chart .main-svg", "#trend-table"],
}
FILTERS = {  # page: (dropdown, index of the option to click)
    "scorecard": ("scorecard-tools", 3), "compare": ("compare-runs", 0), "case": ("case-case", 1),
    "bias": ("bias-run", 1), "roi": ("roi-council", 1), "trend": ("trend-tool", 1),
}
TRACKER = """
(() => {
  if (window.__bench) return;
  const s = window.__bench = {inflight: 0, fetchEnd: 0, mutation: 0};
  const original = window.fetch.bind(window);
  window.fetch = (...args) => {
    s.inflight++;
    return original(...args).finally(() => { s.inflight--; s.fetchEnd = performance.now(); });
  };
  new MutationObserver(() => { s.mutation = performance.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
})();
"""
QUIET_MS = 400  # no request in flight and no DOM change for this long: the page has settled


# --- the store ------------------------------------------------------------------------------------

def build_store(folder: Path, runs: int, tools: int, versions: int, appraisals: int) -> dict[str, Any]:
    """Build the store in `folder` (see the module docstring); return its description."""
    os.environ["ASSURE_HOME"] = str(folder / "home")
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    import yaml

    import golden_sets
    from dashboards.demo import DEMO_DATA
    from harness.evaluate import start_run
    from harness.tracking import Tracker
    from roi.appraise import Options, appraise
    from roi.paths import SUBMISSIONS
    from roi.report import log_to_mlflow

    uri = f"sqlite:///{folder / 'home' / 'mlflow.db'}"
    started = time.perf_counter()
    real = start_run(golden_sets.path("safeguarding_minutes"), DEMO_DATA / "injected" / "vendor.yaml", ["hallucination"], uri)
    real_seconds = time.perf_counter() - started
    tracker = Tracker(uri)
    source = tracker.client.get_run(real.run_id)
    params, tags = dict(source.data.params), {k: v for k, v in source.data.tags.items() if not k.startswith("mlflow.")}
    experiment = source.info.experiment_id
    rng = random.Random(20260)
    now_ms = int(time.time() * 1000)
    started = time.perf_counter()
    ids = [real.run_id]
    scratch = folder / "scratch"
    scratch.mkdir(exist_ok=True)
    for i in range(runs - 1):
        tool, version = f"tool-{i % tools}", f"{1 + (i // tools) % versions}.0"
        baseline = tool == "tool-0"
        start = now_ms - int((runs - i) / runs * 120 * 86_400_000)
        run = tracker.client.create_run(experiment, start_time=start, run_name=f"{tool} v{version} on safeguarding_minutes",
                                        tags={**tags, "target": tool, "target_version": version,
                                              "baseline": str(baseline).lower()})
        run_id = run.info.run_id
        copied = {**params, "target.name": tool, "target.version": version, "target.baseline": str(baseline),
                  "target.config_hash": f"{i:064x}"}
        from mlflow.entities import Param

        tracker.client.log_batch(run_id, params=[Param(k, v) for k, v in copied.items()])
        report, metrics = _perturbed(real.report, run_id, tool, version, baseline, params, rng, quality=(i % tools) / tools)
        tracker.log_metrics(run_id, metrics)
        file = scratch / "report.json"
        file.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
        tracker.log_artifacts(run_id, [file])
        tracker.client.set_terminated(run_id, "FINISHED", end_time=start + 60_000)
        ids.append(run_id)
    copy_seconds = time.perf_counter() - started
    submissions = folder / "submissions"
    submissions.mkdir(exist_ok=True)
    for n, path in enumerate(sorted(SUBMISSIONS.glob("*.yaml"))):
        item = yaml.safe_load(path.read_text(encoding="utf-8"))
        item["tool"] = {"name": f"tool-{n % tools}", "version": f"{versions}.0"}
        if isinstance(item.get("staff_groups"), str):  # a CSV staff table beside the YAML file
            shutil.copy(path.parent / item["staff_groups"], submissions / item["staff_groups"])
        (submissions / path.name).write_text(yaml.safe_dump(item, allow_unicode=True), encoding="utf-8")
    started = time.perf_counter()
    for _ in range(appraisals):
        report = appraise([submissions], Options(), tracker)
        report["method"]["mlflow_run_id"] = log_to_mlflow(tracker, report)
    roi_seconds = time.perf_counter() - started
    info = {"uri": uri, "home": str(folder / "home"), "runs": len(ids), "cases_per_run": len(real.report["cases"]),
            "tools": tools, "versions": versions, "appraisals": appraisals, "real_run": real.run_id,
            "case_run": ids[-1], "case_ids": [c["case_id"] for c in real.report["cases"][:2]],
            "build_seconds": {"real_run": round(real_seconds, 1), "copies": round(copy_seconds, 1),
                              "appraisals": round(roi_seconds, 1)}}
    (folder / "store.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info


def _perturbed(report: dict[str, Any], run_id: str, tool: str, version: str, baseline: bool, params: dict[str, str],
               rng: random.Random, quality: float) -> tuple[dict[str, Any], dict[str, float]]:
    """A copy of `report` for another tool: findings kept at random (fewer for better tools), scores moved."""
    report = json.loads(json.dumps(report))
    report["run_id"] = run_id
    report["target"].update({"name": tool, "version": version, "baseline": baseline, "config_hash": run_id,
                             "label": f"{tool} (baseline)" if baseline else tool, "kind": "recorded"})
    keep = 0.9 - 0.6 * quality
    values: dict[str, list[tuple[float, bool, int]]] = {}
    for case in report["cases"]:
        for scorer, score in (case.get("scores") or {}).items():
            score["findings"] = [f for f in score.get("findings") or [] if rng.random() < keep]
            if score.get("value") is not None:
                score["value"] = min(1.0, max(0.0, float(score["value"]) + rng.gauss(0.0, 0.01)))
            threshold = float(params.get(f"scorer.{scorer}.threshold", 0) or 0)
            critical = sum(f.get("severity") == "critical" for f in score["findings"])
            score["passed"] = score.get("value") is not None and score["value"] >= threshold and not critical
            values.setdefault(scorer, []).append((score.get("value") or 0.0, score["passed"], critical))
    metrics: dict[str, float] = {"cases": len(report["cases"]), "errors": 0, "error_rate": 0.0}
    for scorer, rows in values.items():
        scores = [v for v, _, _ in rows]
        mean = statistics.fmean(scores)
        half = 1.96 * statistics.pstdev(scores) / max(1, len(scores)) ** 0.5
        pass_rate = sum(p for _, p, _ in rows) / len(rows)
        report["metrics"][scorer].update({"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "pass_rate": pass_rate})
        metrics.update({f"{scorer}.mean": mean, f"{scorer}.ci_low": mean - half, f"{scorer}.ci_high": mean + half,
                        f"{scorer}.pass_rate": pass_rate, f"{scorer}.critical_findings": sum(c for _, _, c in rows)})
    return report, metrics


# --- the instrumented server (a subprocess: `dashboard_load.py serve STORE PORT`) ------------------

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


# --- the browser ------------------------------------------------------------------------------------

def chrome() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TRACKER})
    driver.set_page_load_timeout(120)
    return driver


def settle(driver: Any, page: str, timeout: float) -> float | None:
    """Wait until the page's main elements are there and it is quiet; the time (ms since navigation start)
    of its last request or DOM change, or None if it did not render within `timeout` seconds."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    check = ("const s = window.__bench; const last = Math.max(s.fetchEnd, s.mutation);"
             f"return s.inflight === 0 && performance.now() - last > {QUIET_MS} ? last : null;")

    def ready(d: Any) -> float | None:
        if not all(d.find_elements(By.CSS_SELECTOR, s) for s in [f"#{page}-page", *READY[page]]):
            return None
        return d.execute_script(check)

    try:
        return float(WebDriverWait(driver, timeout, poll_frequency=0.05).until(ready))
    except TimeoutException:
        return None


def load(driver: Any, url: str, page: str) -> float | None:
    driver.get("about:blank")
    driver.get(url)
    last = settle(driver, page, 120)
    return None if last is None else last / 1000.0


def has_filter(driver: Any, page: str) -> bool:
    """Whether the page shows its filter (the bias page has none on a store without bias runs)."""
    from selenium.webdriver.common.by import By

    return bool(driver.find_elements(By.ID, FILTERS[page][0]))


def change_filter(driver: Any, page: str) -> float | None:
    """Open the page's filter dropdown, click one option, and time until the page has settled again."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    dropdown, index = FILTERS[page]
    driver.find_element(By.ID, dropdown).click()
    option = f'[role="option"][data-option-index="{index}"]'
    options = WebDriverWait(driver, 20, poll_frequency=0.05).until(lambda d: d.find_elements(By.CSS_SELECTOR, '[role="option"]'))
    if len(options) <= index:
        option = '[role="option"][data-option-index="0"]'
    start = driver.execute_script("return performance.now()")
    driver.find_element(By.CSS_SELECTOR, option).click()
    last = settle(driver, page, 120)
    return None if last is None else max(0.0, last - start) / 1000.0


def page_url(page: str, info: dict[str, Any]) -> str:
    if page == "case":
        return f"/case?run={info['case_run']}&case={info['case_ids'][0]}"
    return f"/{page}"


# --- the profile, in process ------------------------------------------------------------------------

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


# --- main -----------------------------------------------------------------------------------------

def free_port(preferred: int) -> int:
    for port in [preferred, *range(preferred + 1, preferred + 9)]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError(f"no free port in {preferred}-{preferred + 8}")


def median(values: list[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return statistics.median(got) if got else None


def main() -> None:
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(Path(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="build the store here, or reuse the one already here")
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--tools", type=int, default=10)
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--appraisals", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--port", type=int, default=8111)
    parser.add_argument("--json", type=Path, dest="json_path")
    args = parser.parse_args()
    folder = (args.store or Path(tempfile.mkdtemp(prefix="assure-dashboard-bench-"))).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / "store.json").is_file():
        info = json.loads((folder / "store.json").read_text(encoding="utf-8"))
        print(f"Reusing the store in {folder}")
    else:
        print(f"Building the store in {folder} ...", flush=True)
        info = build_store(folder, args.runs, args.tools, args.versions, args.appraisals)
        print(f"  built in {sum(info['build_seconds'].values()):.0f} s: {info['build_seconds']}")
    print(f"Store: {info['runs']} evaluation runs of {info['cases_per_run']} cases ({info['tools']} tools x "
          f"{info['versions']} versions), {info['appraisals']} ROI appraisals; {os.cpu_count()} CPUs visible", flush=True)
    results: dict[str, Any] = {"store": info, "cpus": os.cpu_count(), "repeats": args.repeats, "pages": {}}
    driver = chrome()
    try:
        for page in [p for p in args.pages.split(",") if p]:
            server = Server(folder, free_port(args.port))
            try:
                url = server.url + page_url(page, info)
                server.stats(reset=True)
                cold = load(driver, url, page)
                cold_stats = server.stats(reset=True)
                warm = [load(driver, url, page) for _ in range(args.repeats)]
                warm_stats = server.stats(reset=True)
                filters: list[float | None] = []
                if page in FILTERS and has_filter(driver, page):
                    for _ in range(args.repeats):
                        load(driver, url, page)
                        server.stats(reset=True)
                        filters.append(change_filter(driver, page))
                filter_stats = server.stats(reset=True)
                severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            finally:
                server.stop()
            results["pages"][page] = {"cold_s": cold, "warm_s": warm, "warm_median_s": median(warm), "filter_s": filters,
                                      "filter_median_s": median(filters), "server_start_s": round(server.start_seconds, 1),
                                      "cold_server": cold_stats, "warm_server": warm_stats, "filter_server": filter_stats,
                                      "console_errors": severe}
            print(f"  {page}: cold {_s(cold)}, warm median {_s(median(warm))}, filter median {_f(page, filters)}", flush=True)
    finally:
        driver.quit()
    results["profile"] = profile(info)
    report(results)
    if args.json_path:
        args.json_path.parent.mkdir(parents=True, exist_ok=True)
        args.json_path.write_text(json.dumps(results, indent=2), encoding="utf-8")
        print(f"Wrote {args.json_path}")


def _s(value: float | None) -> str:
    return "did not render" if value is None else f"{value:.2f} s"


def _f(page: str, filters: list[float | None]) -> str:
    """A filter change's median; 'n/a' for a page without a filter."""
    if page not in FILTERS:
        return "n/a"
    if not filters:
        return "no filter shown"
    return _s(median(filters))


def report(results: dict[str, Any]) -> None:
    print()
    print(f"{'page':<10} {'cold load':>10} {'warm median':>12} {'filter median':>14}   server time on the cold load")
    for page, r in results["pages"].items():
        stats = r["cold_server"]
        parts = [f"{k} {v['seconds']:.2f}s/{v['calls']}" for k, v in sorted(stats.items(), key=lambda kv: -kv[1]["seconds"])
                 if v["seconds"] >= 0.05]
        print(f"{page:<10} {_s(r['cold_s']):>10} {_s(r['warm_median_s']):>12} {_f(page, r['filter_s']):>14}   "
              + "; ".join(parts[:5]))
        if r["console_errors"]:
            print(f"{'':<10} console errors: {r['console_errors'][:3]}")
    p = results["profile"]
    print()
    print(f"In process: listing {p['listed_runs']} runs (DashboardData._search) takes {p['search_median_s']:.2f} s; "
          f"one report load (get_run + artifact download + JSON) {p['report_load_median_s'] * 1000:.0f} ms and its "
          f"summary (bootstrap CIs) {p['summarise_run_median_s'] * 1000:.0f} ms; the scorecard shows "
          f"{p['tool_versions_on_the_set']} tool versions, so a cold scorecard needs about "
          f"{p['scorecard_cold_estimate_s']:.1f} s of server time.")
    over = [page for page, r in results["pages"].items() if (r["warm_median_s"] or 1e9) >= 2.0]
    print("Target (median under 2 s per page): " + ("met on every page." if not over else f"missed on {', '.join(over)}."))


if __name__ == "__main__":
    main()
