"""Plumbing for the browser tests (test_browser.py): a demo store with hostile data, the real
`assure dashboard` server in a subprocess, and headless Chromium driven through selenium.

The store is built once per test session, even under `pytest -n 2`: the first xdist worker builds it
under a lock in the session's shared temporary folder and the others reuse it (it is only read).
Set ASSURE_BROWSER_STORE=FOLDER to keep it there and reuse it in later sessions (delete it after a
change to the demo data).
Chromium and chromedriver are Debian's (`make browser` installs them).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("ASSURE_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("ASSURE_CHROMEDRIVER", "/usr/bin/chromedriver"))

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
HOSTILE_LINK = "[click](javascript:alert(1))"
HOSTILE_STRINGS = (HOSTILE_SCRIPT, HOSTILE_IMG, HOSTILE_LINK)
HOSTILE_TOOL = HOSTILE_SCRIPT + "vendor"
HOSTILE_VERSION = "6.6"
HOSTILE_COUNCIL = HOSTILE_IMG + "Council"

WAIT = 30.0  # seconds: a page on a loaded 2-core machine; waits end as soon as the condition holds


@dataclass(frozen=True)
class Store:
    """The built store: its data folder, tracking URI and the ids the tests need."""

    home: Path
    uri: str
    runs: dict[str, str]  # "baseline-sample", "vendor-a", "baseline-safeguarding", "injected", "hostile": run id
    goldens: dict[str, str]  # golden-set id ("sample", "safeguarding_minutes"): its key id@version#hash

    @classmethod
    def read(cls, folder: Path) -> Store:
        info = json.loads((folder / "store.json").read_text(encoding="utf-8"))
        return cls(Path(info["home"]), info["uri"], info["runs"], info["goldens"])


def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The session's browser store, built by whichever xdist worker gets here first."""
    kept = os.environ.get("ASSURE_BROWSER_STORE")  # a folder to build it in once and reuse across sessions
    if kept:
        root = Path(kept).expanduser().resolve()
        root.mkdir(parents=True, exist_ok=True)
    else:
        base = tmp_path_factory.getbasetemp()
        root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / "browser-store"
    with open(root / "browser-store.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (folder / "store.json").is_file():
                shutil.rmtree(folder, ignore_errors=True)  # a worker that failed half-way
                build_store(folder)
            return Store.read(folder)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_store(folder: Path) -> Store:
    """The demo (evaluation runs and ROI appraisal), then hostile data: a vendor run whose tool name
    and outputs carry script, image and link injections, and an appraisal whose newest submission
    comes from a council named with an image injection."""
    from dashboards.data import DashboardData
    from dashboards.demo import run_demo, run_roi_demo
    import golden_sets
    from harness.evaluate import start_run
    from harness.goldens import load_golden
    from harness.tracking import Tracker
    from roi.appraise import Options, appraise
    from roi.paths import SUBMISSIONS
    from roi.report import log_to_mlflow

    home = folder / "home"
    home.mkdir(parents=True)
    uri = f"sqlite:///{home / 'mlflow.db'}"
    hostile = folder / "hostile"
    hostile.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSURE_HOME", str(home))
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        demo = run_demo(uri)
        # Each reference minute (so vendor A, with its planted defects, does worse than this vendor on some
        # cases and the Compare page has worse cases in either order) with the injections added.
        outputs = []
        for case in load_golden(golden_sets.path("sample")).cases:
            text = f"{case.reference} Note {HOSTILE_SCRIPT} and {HOSTILE_IMG} and {HOSTILE_LINK} on 9 May."
            outputs.append(json.dumps({"case_id": case.id, "output": text}, ensure_ascii=False))
        (hostile / "outputs.jsonl").write_text("\n".join(outputs) + "\n", encoding="utf-8")
        (hostile / "target.yaml").write_text(yaml.safe_dump({
            "name": HOSTILE_TOOL, "version": HOSTILE_VERSION, "kind": "recorded", "path": "outputs.jsonl",
            "description": f"Hostile vendor text {HOSTILE_IMG}"}), encoding="utf-8")
        record = start_run(golden_sets.path("sample"), hostile / "target.yaml", ["hallucination"], uri)
        run_roi_demo(uri)
        submission = yaml.safe_load((SUBMISSIONS / "kettleby.yaml").read_text(encoding="utf-8"))
        submission["council"] = HOSTILE_COUNCIL
        submission["tool"] = {"name": HOSTILE_TOOL, "version": HOSTILE_VERSION}
        (hostile / "submissions").mkdir()
        (hostile / "submissions" / "hostile.yaml").write_text(yaml.safe_dump(submission, allow_unicode=True), encoding="utf-8")
        tracker = Tracker(uri)
        report = appraise([SUBMISSIONS, hostile / "submissions"], Options(), tracker)
        log_to_mlflow(tracker, report)
        goldens = {g["id"]: g["key"] for g in DashboardData(tracker).golden_sets()}
    def run_of(golden: str, tool: str, version: str | None = None) -> str:
        found = [r["run_id"] for r in demo if r["golden_set"]["id"] == golden and r["target"]["name"] == tool
                 and (version is None or str(r["target"]["version"]) == version)]
        if not found:
            raise RuntimeError(f"the demo has no run of {tool} {version or ''} on {golden}")
        return found[0]

    runs = {"baseline-sample": run_of("sample", "textrank"), "vendor-a": run_of("sample", "vendor-a-minutes", "2.3"),
            "baseline-safeguarding": run_of("safeguarding_minutes", "textrank"),
            "injected": run_of("safeguarding_minutes", "injected-defects-safeguarding_minutes"), "hostile": record.run_id}
    (folder / "store.json").write_text(json.dumps({"home": str(home), "uri": uri, "runs": runs, "goldens": goldens}),
                                       encoding="utf-8")
    return Store.read(folder)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`assure dashboard` on a free loopback port, its output in a log file the tests read."""

    def __init__(self, store: Store, log: Path) -> None:
        self.store, self.log_path = store, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        exe = Path(sys.executable).parent / "assure"
        env = {**os.environ, "ASSURE_HOME": str(store.home), "PYTHONUNBUFFERED": "1"}
        env.pop("MLFLOW_TRACKING_URI", None)
        self.log_file = open(log, "w", encoding="utf-8")
        self.process = subprocess.Popen([str(exe), "dashboard", "--tracking-uri", store.uri, "--host", "127.0.0.1",
                                         "--port", str(self.port)], cwd=REPO, env=env, stdout=self.log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self._read = 0

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"assure dashboard exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/scorecard", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)  # polling a starting process: there is nothing to wait on but the port
        raise RuntimeError(f"assure dashboard did not answer within {timeout:.0f} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def new_log(self) -> str:
        """What the server wrote since the last call."""
        text = self.log()
        new, self._read = text[self._read:], len(text)
        return new

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log_file.close()


def server_errors(log: str) -> list[str]:
    """Lines of a server log that show a failed request or an exception."""
    return [line for line in log.splitlines()
            if '" 500 ' in line or "Traceback" in line or "Exception on" in line or "ERROR" in line]


def chrome(downloads: Path) -> Any:
    """Headless Chromium with the browser console captured and downloads going to `downloads`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        raise RuntimeError(f"{' and '.join(missing)} not found: run `make browser` (installs Debian's chromium and "
                           "chromium-driver), or set ASSURE_CHROMIUM / ASSURE_CHROMEDRIVER")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--disable-gpu", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.set_capability("unhandledPromptBehavior", "ignore")  # an alert stays open, so a test can see it
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT)
    return driver


@contextlib.contextmanager
def running(store: Store, folder: Path) -> Iterator[tuple[Server, Any]]:
    """A started server and a browser; both stopped afterwards."""
    server = Server(store, folder / "server.log")
    driver = None
    try:
        server.wait_ready()
        (folder / "downloads").mkdir(exist_ok=True)
        driver = chrome(folder / "downloads")
        yield server, driver
    finally:
        if driver is not None:
            driver.quit()
        server.stop()
