"""Dashboard page-load times on a large store, in a real headless Chromium. Not a test: run

    .venv/bin/python benchmarks/dashboard_load.py [--store DIR] [--runs 500] [--tools 10] [--versions 5]
        [--appraisals 6] [--repeats 5] [--pages scorecard,compare,...] [--port 8111] [--json PATH]
        [--results-dir DIR | --no-results]

The store (`benchmarks/dashboard_store.py`; built once in DIR and reused when DIR already holds one;
default a temporary folder): `--runs` evaluation runs of 24 cases for `--tools` tools x `--versions`
versions, their reports in MLflow's artifact store as on a shared tracking server, and `--appraisals`
ROI appraisals.

For each page a fresh dashboard server starts (`assure dashboard`'s app and Flask server, in a
subprocess, with counters around MLflow calls and report loads: `benchmarks/dashboard_server.py`): the
first load is timed on that cold server ("cold"), then `--repeats` loads ("warm") and `--repeats` filter
changes (a dropdown choice: scorecard tool, compare runs, case, bias run, ROI council, trend tool; the
value page has none). A time runs from navigation start (or the click) to the last DOM change once the
page's main chart or table is there and no request is in flight. Prints the median per page, where the
server spent its time (MLflow searches, report loads, comparisons) and an in-process profile of
`DashboardData._search` and `report()`; `--json` writes all of it, and the figures are written with the
store's size, commit and machine to `benchmarks/results/dashboard_load.json`. The target is a median
under 2 s per page on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from harness import benchmark_results

if __package__:  # imported as benchmarks.dashboard_load
    from .dashboard_server import Server, free_port, profile
    from .dashboard_store import build_store
else:  # run as a script: its folder is on the path
    from dashboard_server import Server, free_port, profile
    from dashboard_store import build_store

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


# --- main -----------------------------------------------------------------------------------------

def median(values: list[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return statistics.median(got) if got else None



def main() -> None:
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
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
    benchmark_results.add_arguments(parser)
    args = parser.parse_args()
    measurement = benchmark_results.begin("dashboard_load", benchmark_results.cli_command("python benchmarks/dashboard_load.py"))
    folder = (args.store or Path(tempfile.mkdtemp(prefix="assure-dashboard-bench-"))).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    built = False
    if (folder / "store.json").is_file():
        info = json.loads((folder / "store.json").read_text(encoding="utf-8"))
        print(f"Reusing the store in {folder}")
    else:
        print(f"Building the store in {folder} ...", flush=True)
        info = build_store(folder, args.runs, args.tools, args.versions, args.appraisals)
        built = True
        print(f"  built in {sum(info['build_seconds'].values()):.0f} s: {info['build_seconds']}")
    print(f"Store: {info['runs']} evaluation runs of {info['cases_per_run']} cases ({info['tools']} tools x "
          f"{info['versions']} versions), {info['appraisals']} ROI appraisals; {os.cpu_count()} CPUs visible", flush=True)
    measurement.settings.update({"runs": info["runs"], "cases_per_run": info["cases_per_run"], "tools": info["tools"],
                                 "versions": info["versions"], "appraisals": info["appraisals"], "repeats": args.repeats,
                                 "store_reused": not built})
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
    if not args.no_results:
        store = {k: v for k, v in info.items() if k not in {"uri", "home", "real_run", "case_run", "case_ids"}}
        figures = {**results, "store": store}
        print(f"Wrote {benchmark_results.write_results(measurement.finish(figures), args.results_dir)}")


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
    verdict = "no page measured" if not results["pages"] else "met on every page" if not over else f"missed on {', '.join(over)}"
    print(f"Target (median under 2 s per page): {verdict}.")


if __name__ == "__main__":
    main()
