"""`assure compare`, `assure gate` and `assure tag`: parse, wire and print; the logic is in compare and gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .errors import InputError

TRACKING = typer.Option("--tracking-uri", envvar="MLFLOW_TRACKING_URI", help="MLflow tracking URI (default: SQLite in .assure/).")


def register(app: typer.Typer) -> None:
    """Add compare, gate and tag to the CLI."""

    @app.command()
    def compare(
        run_ids: Annotated[Optional[list[str]], typer.Argument(help="Run ids (or their report JSON files) to compare: two or more.")] = None,
        tool: Annotated[Optional[list[str]], typer.Option("--tool", help="NAME or NAME@VERSION: that tool's newest run; repeat.")] = None,
        golden: Annotated[Optional[str], typer.Option("--golden", help="With --tool: only runs on this golden-set id.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
        as_markdown: Annotated[bool, typer.Option("--markdown", help="Print the comparison as Markdown.")] = False,
        html: Annotated[Optional[Path], typer.Option("--html", help="Write the procurement pack (one self-contained HTML file) here.")] = None,
        allow_different_sets: Annotated[bool, typer.Option("--allow-different-sets",
                                                           help="Compare runs on different golden-set contents, on shared case ids only.")] = False,
        tracking_uri: Annotated[Optional[str], TRACKING] = None,
    ) -> None:
        """Compare runs on the same golden set with paired statistics (bootstrap CI, sign-flip, McNemar, Holm)."""
        from .compare import compare as build
        from .runs import load_report, newest_run_of
        from .tracking import Tracker

        tracker = Tracker(tracking_uri)
        ids = list(run_ids or []) + [newest_run_of(tracker, t, golden) for t in tool or []]
        reports = [load_report(tracker, run_id) for run_id in ids]
        comparison = build(reports, allow_different_sets=allow_different_sets)
        if html:
            from .pack import write_pack

            write_pack(comparison, reports, html)
        if as_json:
            typer.echo(json.dumps(comparison.model_dump(mode="json"), indent=2, ensure_ascii=False))
        elif as_markdown:
            from .markdown import comparison_markdown

            typer.echo(comparison_markdown(comparison))
        else:
            print_comparison(comparison)
        if html:
            from .console import err_console  # stderr, so that --json and --markdown stay clean on stdout

            err_console.print(f"procurement pack written to {escape(str(html))} ({html.stat().st_size / 1024:.0f} KiB)")

    @app.command()
    def gate(
        run: Annotated[str, typer.Option("--run", help="The candidate run id, or its report JSON file.")],
        thresholds: Annotated[Path, typer.Option("--thresholds", help="Thresholds YAML (see ci/thresholds.yaml).")],
        baseline: Annotated[Optional[str], typer.Option("--baseline", help="Baseline run id (or report JSON file) to test for regressions against.")] = None,
        baseline_tag: Annotated[Optional[str], typer.Option("--baseline-tag", help="Baseline by tag (assure tag RUN_ID NAME).")] = None,
        junit: Annotated[Optional[Path], typer.Option("--junit", help="Write JUnit XML here.")] = None,
        summary: Annotated[Optional[Path], typer.Option("--summary", help="Write the Markdown summary (for a PR comment) here.")] = None,
        tracking_uri: Annotated[Optional[str], TRACKING] = None,
    ) -> None:
        """Exit 1 if the run is below a threshold or significantly worse than the baseline; 0 otherwise; 2 on bad input.

        The verdict is recorded on the candidate run in MLflow (tags assure.gate.*; gating again replaces them)."""
        from .console import EXIT_GATE_FAILED, EXIT_OK
        from .gate import load_thresholds, record_verdict, run_gate
        from .junit import write_gate_junit
        from .markdown import gate_markdown
        from .runs import load_report, run_id_of, tagged_run
        from .tracking import Tracker

        if baseline and baseline_tag:
            raise InputError.single("assure gate", "give --baseline or --baseline-tag, not both")
        rules = load_thresholds(thresholds)
        tracker = Tracker(tracking_uri)
        candidate = load_report(tracker, run)
        baseline_id = run_id_of(baseline) if baseline else (tagged_run(tracker, baseline_tag) if baseline_tag else None)
        if baseline_id == candidate.run_id:
            raise InputError.single("--baseline", "the baseline is the candidate run itself")
        result = run_gate(candidate, rules, load_report(tracker, baseline_id) if baseline_id else None, thresholds)
        if junit:
            write_gate_junit(result, junit)
        if summary:
            summary.parent.mkdir(parents=True, exist_ok=True)
            summary.write_text(gate_markdown(result), encoding="utf-8")
        print_gate(result)
        try:
            record_verdict(tracker, candidate.run_id, result, baseline_id, thresholds)
        except Exception as exc:  # the store could not take the tags (e.g. a report file from another store): the verdict stands
            from .console import err_console

            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            err_console.print(f"warning: the gate's verdict was not recorded in MLflow: {escape(reason)}")
        raise typer.Exit(EXIT_OK if result.passed else EXIT_GATE_FAILED)

    @app.command()
    def tag(
        run_id: Annotated[str, typer.Argument(help="The run to mark: its id or its report JSON file.")],
        name: Annotated[str, typer.Argument(help="Baseline name, e.g. main-baseline.")],
        tracking_uri: Annotated[Optional[str], TRACKING] = None,
    ) -> None:
        """Mark a run as a named baseline (for assure gate --baseline-tag); the name moves off any earlier run."""
        from .runs import tag_run
        from .tracking import Tracker

        tag_run(Tracker(tracking_uri), run_id, name)
        _console().print(f"run {escape(run_id)} tagged {escape(name)}")


def print_comparison(comparison: object) -> None:
    """The comparison in the terminal: scorecard, paired differences per pair, significant sentences."""
    from .compare import Comparison
    from .sentences import no_difference_statement, pair_title, significant_statements

    assert isinstance(comparison, Comparison)
    console = _console()
    if comparison.notice:
        console.print(f"[bold red]{escape(comparison.notice)}[/]")
    card = Table("scorer", *[escape(f"{r.label} v{r.version}") for r in comparison.runs],
                 title=escape(f"{comparison.golden_set['id']} v{comparison.golden_set['version']}: mean [95% CI], pass rate, critical"))
    for scorer in comparison.scorers:
        cells = []
        for run in comparison.runs:
            s = run.scorers[scorer]
            cells.append("n/a" if s.mean is None else
                         f"{s.mean:.3f} [{_n(s.mean_ci[0])}, {_n(s.mean_ci[1])}], {_n(s.pass_rate)}, {s.critical_findings}")
        card.add_row(escape(scorer), *cells)
    console.print(card)
    for pair in comparison.pairs:
        table = Table("scorer", "cases", "difference", "95% CI", "p (Holm)", "passed by one only", "McNemar p (Holm)",
                      title=escape(pair_title(comparison, pair)))
        for d in pair.scorers:
            table.add_row(escape(d.scorer), str(d.n_shared), _n(d.difference, signed=True),
                          f"{_n(d.ci[0], signed=True)} to {_n(d.ci[1], signed=True)}", _n(d.p_holm),
                          f"A {d.only_a_passed} / B {d.only_b_passed}", _n(d.mcnemar_p_holm))
        console.print(table)
    statements = significant_statements(comparison)
    for line in statements or [no_difference_statement(comparison)]:
        console.print(f"- {escape(line)}")
    console.print(escape(f"{comparison.correction}; alpha {comparison.alpha:g}."))


def print_gate(result: object) -> None:
    from .gate import GateResult

    assert isinstance(result, GateResult)
    console = _console()
    table = Table("check", "verdict", "detail", title="assure gate")
    for check in result.checks:
        name = f"{check.scorer}: {check.name}" if check.scorer else check.name
        table.add_row(escape(name), "pass" if check.passed else "[bold red]FAIL[/]", escape(check.message))
    console.print(table)
    console.print(f"gate {'PASSED' if result.passed else 'FAILED'}: {len(result.failures)} of {len(result.checks)} checks failed")


def _console() -> Console:
    from .console import console

    return console


def _n(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.3f}" if signed else f"{value:.3f}"
