"""The `assure` pytest plugin: one test item per (golden case, scorer).

    pytest --assure-golden golden_sets/sample --assure-target dashboards/demo_data/vendor_a.yaml \\
           --assure-suite hallucination [--assure-suite omission] [--assure-thresholds thresholds.yaml]

Registered as the `pytest11` entry point `assure`. Without `--assure-golden` it does nothing at
all (no items, no hooks beyond reading its options), so it never disturbs anyone's own tests.

With it, the session gets a collector `golden/<set id>` holding one collector per case and one
item per scorer under it: node ids are `golden/<set id>::<case id>::<scorer>`, for example
`golden/sample::sample-001::unsupported_details`, in file order and suite order, identical in
every xdist worker. Select with `-k` (names, case tasks and tags are keywords). When no test
paths are given on the command line only these items run; give paths to run both.

Each item gets its case's output exactly as `assure run` would (same `Cache(data_dir() /
"cache.sqlite")`, same key `cache_key(target.config_hash, case.content_hash())`, same retries),
once per process (memoised) and once across processes: a per-key lock on
`data_dir() / "cache.lock"` makes a second xdist worker wait for the first worker's call and
then read its output from the cache. Then the item scores it and fails, with a message listing
every finding (`harness.testing.format_failure`), when the score did not pass or is below the
scorer's `mean` (else `defaults.mean`) in `--assure-thresholds`: the very file `assure gate`
reads, checked by the same model, of which only `mean` matters here; it can only raise the bar. A tool
error fails the item with the error text. An unscored result is reported as skipped with the
scorer's reason: in assure it is neither a pass nor a fail.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # nothing heavy is imported until --assure-golden switches the plugin on
    import asyncio

    from .cache import Cache
    from .gate import Thresholds
    from .goldens import Case, GoldenSet
    from .scoring import Score, Scorer
    from .targets import BaseTarget

_OPTIONS = ("--assure-target", "--assure-suite", "--assure-thresholds")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("assure", "assure: score an AI tool against a golden set, one item per case and scorer")
    group.addoption("--assure-golden", metavar="PATH", default=None,
                    help="Golden-set folder; turns the plugin on (without it the plugin does nothing).")
    group.addoption("--assure-target", metavar="T.yaml", default=None, help="Target YAML file: the tool under test.")
    group.addoption("--assure-suite", metavar="NAME", action="append", default=[],
                    help="Suite whose scorers become items (e.g. hallucination); repeat for several.")
    group.addoption("--assure-thresholds", metavar="FILE", default=None,
                    help="Thresholds YAML of `assure gate`: a scorer's `mean` (else `defaults.mean`) is a "
                         "minimum value each case must also reach; other keys are checked but unused here.")


def pytest_configure(config: pytest.Config) -> None:
    golden = config.getoption("assure_golden")
    if not golden:
        given = [flag for flag in _OPTIONS if config.getoption(flag.lstrip("-").replace("-", "_"))]
        if given:
            raise pytest.UsageError(f"{', '.join(given)} need(s) --assure-golden PATH (the golden-set folder)")
        return
    config.pluginmanager.register(AssureSession.from_config(config), "assure-session")


class AssureFailure(Exception):
    """A verdict or a tool error: shown as its plain message, without a traceback."""


class AssureSession:
    """The plugin's state while it is switched on: the golden set, the target, the scorers and the
    outputs fetched so far in this process."""

    def __init__(self, config: pytest.Config, golden: GoldenSet, target: BaseTarget, scorers: list[Scorer],
                 thresholds: tuple[Path, Thresholds] | None) -> None:
        self.config = config
        self.golden = golden
        self.target = target
        self.scorers = scorers
        self.thresholds = thresholds
        self._outputs: dict[str, tuple[str | None, str | None]] = {}
        self._cache: Cache | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock_fd: int | None = None

    @classmethod
    def from_config(cls, config: pytest.Config) -> "AssureSession":
        """Check every option and input first; any problem is a usage error naming it."""
        from . import _env  # noqa: F401  (telemetry off before suites import their dependencies)
        from .errors import InputError
        from .gate import load_thresholds
        from .goldens import load_golden
        from .plugins import load_suite
        from .targets import load_target

        here = config.invocation_params.dir
        target_path = config.getoption("assure_target")
        suite_names: list[str] = list(dict.fromkeys(config.getoption("assure_suite") or []))
        missing = [flag for flag, value in (("--assure-target", target_path), ("--assure-suite", suite_names)) if not value]
        if missing:
            raise pytest.UsageError(f"--assure-golden needs {' and '.join(missing)} "
                                    "(a target YAML file and at least one suite, as for `assure run`)")
        thresholds_path = config.getoption("assure_thresholds")
        try:
            golden = load_golden(here / config.getoption("assure_golden"))
            target = load_target(here / target_path)
            suites = [load_suite(name) for name in suite_names]
            thresholds = None
            if thresholds_path:
                file = here / thresholds_path
                thresholds = (file, load_thresholds(file))  # exactly the file `assure gate` reads
        except InputError as exc:
            raise pytest.UsageError(f"assure: bad input\n{exc}") from exc
        scorers: dict[str, Scorer] = {}
        for suite in suites:
            for scorer in suite.scorers:
                scorers.setdefault(scorer.name, scorer)
        return cls(config, golden, target, list(scorers.values()), thresholds)

    # -- pytest hooks (only registered while the plugin is on) ---------------------------------

    def pytest_report_header(self) -> str:
        g, t = self.golden, self.target
        return (f"assure: golden set {g.id} v{g.version} ({len(g.cases)} cases, hash {g.content_hash[:12]}), "
                f"target {t.label} {t.config.version}, scorers: {', '.join(s.name for s in self.scorers)}")

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Generator[None, Any, Any]:
        report = yield
        if isinstance(collector, pytest.Session) and report.passed:
            node = GoldenCollector.from_parent(collector, name=f"golden/{self.golden.id}", nodeid=f"golden/{self.golden.id}",
                                               path=self.golden.path / "cases.jsonl", assure=self)
            given_paths = collector.config.args_source is pytest.Config.ArgsSource.ARGS
            report.result = [*report.result, node] if given_paths else [node]
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        report = yield
        # A skip (unscored) points at the case's line in cases.jsonl, not at this module.
        if isinstance(item, ScorerItem) and report.skipped and isinstance(report.longrepr, tuple):
            report.longrepr = (str(item.path), item.line, report.longrepr[2])
        return report

    def pytest_unconfigure(self) -> None:
        if self._loop is not None:
            self._loop.run_until_complete(self.target.aclose())
            self._loop.close()
        if self._cache is not None:
            self._cache.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)

    # -- outputs ---------------------------------------------------------------------------------

    def output_for(self, case: Case) -> str:
        """The tool's output for `case`: memoised here, cached by content across processes."""
        if case.id not in self._outputs:
            self._outputs[case.id] = self._fetch(case)
        output, error = self._outputs[case.id]
        if output is None:
            raise AssureFailure(f"{case.id}: the tool under test failed: {error}")
        return output

    def _fetch(self, case: Case) -> tuple[str | None, str | None]:
        from .cache import Cache, cache_key
        from .paths import data_dir

        if not self.target.cacheable:  # e.g. a vendor's file: reading it again costs nothing
            return self._call(case)
        if self._cache is None:
            self._cache = Cache(data_dir() / "cache.sqlite")
        key = cache_key(self.target.config_hash, case.content_hash())
        with self._key_lock(key):
            cached = self._cache.get("outputs", key)
            if cached is not None:
                return cached, None
            output, error = self._call(case)
            if output is not None:
                self._cache.put("outputs", key, output)
            return output, error

    def _call(self, case: Case) -> tuple[str | None, str | None]:
        import asyncio

        from .runner import RetryPolicy, call_target

        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        policy = RetryPolicy(retries=self.target.config.max_retries, base_s=self.target.config.backoff_s)
        output, error, attempts = self._loop.run_until_complete(call_target(self.target, case, policy))
        if output is None:
            return None, f"{error} (after {attempts} attempt(s))"
        return output, None

    @contextmanager
    def _key_lock(self, key: str) -> Iterator[None]:
        """Hold an exclusive lock on one byte of `cache.lock` chosen by the key, so that two
        processes never call the tool for the same case at once (POSIX; elsewhere no lock, and
        two workers may both call the tool once)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        if self._lock_fd is None:
            from .paths import data_dir

            self._lock_fd = os.open(data_dir() / "cache.lock", os.O_RDWR | os.O_CREAT, 0o644)
        offset = int(key[:8], 16)
        fcntl.lockf(self._lock_fd, fcntl.LOCK_EX, 1, offset, os.SEEK_SET)
        try:
            yield
        finally:
            fcntl.lockf(self._lock_fd, fcntl.LOCK_UN, 1, offset, os.SEEK_SET)

    # -- verdicts --------------------------------------------------------------------------------

    def bar_for(self, scorer: str) -> tuple[float | None, str | None]:
        """The thresholds file's minimum value for `scorer` and where it comes from, if any."""
        if self.thresholds is None:
            return None, None
        file, thresholds = self.thresholds
        own = thresholds.scorers.get(scorer)
        if own is not None and own.mean is not None:
            return own.mean, f"scorers.{scorer}.mean in {file.name}"
        if thresholds.defaults.mean is not None:
            return thresholds.defaults.mean, f"defaults.mean in {file.name}"
        return None, None


class GoldenCollector(pytest.Collector):
    """The golden set: one `CaseCollector` per case, in file order."""

    def __init__(self, *, assure: AssureSession, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.assure = assure

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        lines = _case_lines(self.path)
        return [CaseCollector.from_parent(self, name=case.id, case=case, line=lines.get(case.id, 1))
                for case in self.assure.golden.cases]

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, self.name


class CaseCollector(pytest.Collector):
    """One golden case: one `ScorerItem` per scorer, in suite order."""

    def __init__(self, *, case: Case, line: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.line = line
        self.extra_keyword_matches.update({case.task, *case.tags})

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        assert isinstance(self.parent, GoldenCollector)
        return [ScorerItem.from_parent(self, name=scorer.name, scorer=scorer) for scorer in self.parent.assure.scorers]

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.line - 1, self.name


class ScorerItem(pytest.Item):
    """One scorer on one case's output."""

    def __init__(self, *, scorer: Scorer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scorer = scorer
        assert isinstance(self.parent, CaseCollector) and isinstance(self.parent.parent, GoldenCollector)
        self.case = self.parent.case
        self.line = self.parent.line
        self.assure = self.parent.parent.assure

    def runtest(self) -> None:
        from .runner import score_output
        from .testing import format_failure, unscored_reason

        output = self.assure.output_for(self.case)
        score: Score = score_output([self.scorer], self.case, output)[self.scorer.name]
        self.user_properties.extend([("assure_value", "" if score.value is None else f"{score.value:.4f}"),
                                     ("assure_findings", str(len(score.findings)))])
        if not score.scored:
            pytest.skip(f"{self.case.id} / {self.scorer.name}: unscored: {unscored_reason(score)}")
        bar, source = self.assure.bar_for(self.scorer.name)
        below = bar is not None and score.value is not None and score.value < bar
        if not score.passed or below:
            raise AssureFailure(format_failure(self.case.id, self.scorer.name, score, threshold=self.scorer.threshold,
                                                bar=bar, bar_source=source))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, AssureFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.line - 1, f"{self.case.id}::{self.scorer.name}"


def _case_lines(file: Path) -> dict[str, int]:
    """Case id -> 1-based line in cases.jsonl (for report locations)."""
    import json

    lines: dict[str, int] = {}
    with file.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            try:
                case_id = json.loads(text).get("id") if text.strip() else None
            except (json.JSONDecodeError, AttributeError):
                continue
            if isinstance(case_id, str):
                lines.setdefault(case_id, number)
    return lines
