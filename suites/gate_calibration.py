"""`assure bench gate`: the CI gate's false-failure rate and power, measured by simulation on real text.

The gate (`harness.gate.run_gate`) is run as shipped, with the default `Thresholds()` (no absolute
floors): it fails a candidate run when a scorer's mean fell by more than `max_regression` with the
one-sided paired sign-flip test significant at `alpha` after Holm across scorers, or when a scorer
has more than `max_new_critical` critical findings the baseline did not have on the same case.

Noise model (real text variation, not Gaussian noise). For every case of the golden set, a pool of
faithful outputs: the reference minutes (`cases.jsonl`), the restyled reference (the same facts in
another council's house style, `restyled/outputs.jsonl`) and `rewrites` random faithful rewrites of
each (`golden_sets.authoring.rewrite`: section order, singular or plural headings, bullets to prose, numbered lists
to bullets, the adult's name to a pronoun after the first mention, date formats; two to four of
them, in random order). Every pool output is scored once by the real scorers of the suites and the
scores are cached. A simulated run draws one pool output per case, independently; a baseline and a
candidate are two independent draws, so they differ case by case exactly as far as the scorers'
verdicts differ between faithful wordings of the same minutes.

Degraded variants of each pool output, scored once too:
- `recall_drop`: the sentences carrying randomly chosen key facts (those the output states) deleted
  until its own key_fact_recall has fallen by at least `recall_drop` (0.10); every case of the
  candidate uses its drawn output's variant. The fall actually produced (mean over the pool and
  mean over the simulated pairs) is reported.
- `critical_hallucinations`: one critical hallucination injected by `golden_sets.authoring.perturb` (changed date,
  time, dose or amount; a swapped name; a statement credited to another person; an invented action
  or attendee; consent, capacity or negation flipped; an allegation stated as fact; one kind per
  pool output, chosen at random among those that apply); the candidate uses it in `hallucinated`
  (3) randomly chosen cases and clean draws elsewhere.

False-failure rate: share of same-tool pairs the gate fails. Power: share of degraded pairs it
fails. Both with Wilson 95% intervals, overall and by the check that failed. Each pair's per-scorer
fall, Holm p-value and count of new critical findings are kept, so the verdicts under other values
of `max_new_critical` and `max_regression` (the trade-off table) come from the same pairs; at the
shipped defaults the recomputed verdict is checked against `run_gate`'s own.

    assure bench gate                                  # 400 pairs per scenario: 5 min on 2 cores (13 on a busy machine)
    assure bench gate --simulations 1000 --seed 3 --json gate.json

Every run writes its figures (all of `--json` but the pool and the individual pairs) with the settings,
commit and machine to `benchmarks/results/gate_calibration.json` (`--results-dir` elsewhere,
`--no-results` not at all). The pools are built in `suites.gate_pools`, the pairs simulated and
summarised in `suites.gate_simulation`; their names are importable from here too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .gate_pools import (  # noqa: F401  (the public names, importable from here as before)
    CRITICAL_KINDS, DEFAULT_GOLDEN, DEFAULT_RECALL_DROP, DEFAULT_REWRITES, RECALL_SCORER, CasePool, PoolOutput, Variant,
    adult_mention, build_pools, faithful_texts, inject_critical, load_restyled, omit_key_facts, random_rewrite,
    score_output)
from .gate_simulation import (  # noqa: F401
    COUNT_LEVELS, DEFAULT_HALLUCINATED, DEFAULT_SIMULATIONS, DEFAULT_SUITES, GRID_NEW_CRITICAL, GRID_OTHER_NEW_CRITICAL,
    GRID_RECALL_NEW_CRITICAL, GRID_REGRESSION, SCENARIO_TITLES, SCENARIOS, GateCalibration, PairRecord, Rate,
    ScenarioResult, calibrate, gate_pair, make_report, per_scorer_tradeoff, rate, simulate, summarise, tradeoff, verdict)

COMMAND = "assure bench gate"


def results_figures(result: GateCalibration, seconds: float) -> dict[str, Any]:
    """What the results file keeps of a calibration: every summary, not the pool or the individual pairs."""
    figures = {k: v for k, v in asdict(result).items() if k not in {"pool", "pairs"}}
    figures["seconds"] = round(seconds, 1)
    return figures


# ---------------------------------------------------------------------------------------------------------------
# The command.

def _pct(r: Rate) -> str:
    return f"{r.rate:.1%} ({r.k}/{r.n})"


def _ci(r: Rate) -> str:
    return f"{r.ci[0]:.1%} to {r.ci[1]:.1%}"


def add_command(bench: typer.Typer) -> None:
    """Add `assure bench gate` to the `bench` group (`suites.validity.register`)."""

    @bench.command("gate")
    def gate_command(
        simulations: Annotated[int, typer.Option("--simulations", min=1, help="Simulated run pairs per scenario.")] = DEFAULT_SIMULATIONS,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the rewrites, the injected defects and the draws.")] = 0,
        report_json: Annotated[Optional[Path], typer.Option("--json", help="Write every figure as JSON here.")] = None,
        golden: Annotated[Path, typer.Option("--golden", help="Golden set folder.")] = DEFAULT_GOLDEN,
        suite: Annotated[Optional[list[str]], typer.Option("--suite", help="Suites the gate sees (default: hallucination, omission).")] = None,
        rewrites: Annotated[int, typer.Option("--rewrites", min=0, help="Random faithful rewrites of each base output in a pool.")] = DEFAULT_REWRITES,
        recall_drop: Annotated[float, typer.Option("--recall-drop", min=0.01, max=0.9, help="key_fact_recall fall to plant.")] = DEFAULT_RECALL_DROP,
        hallucinated: Annotated[int, typer.Option("--hallucinated", min=1, help="Cases given a critical hallucination.")] = DEFAULT_HALLUCINATED,
        results_dir: Annotated[Optional[Path], typer.Option(
            "--results-dir", help="Write gate_calibration.json (figures, commit, machine) here (default: benchmarks/results/).")] = None,
        no_results: Annotated[bool, typer.Option("--no-results", help="Do not write the results file.")] = False,
    ) -> None:
        """The gate's false-failure rate (same tool, faithful text variation) and power, by simulation."""
        from rich.progress import Progress
        from rich.table import Table

        from harness import benchmark_results
        from harness.cli import console, err_console

        measurement = benchmark_results.begin("gate_calibration", benchmark_results.cli_command(COMMAND), {
            "simulations": simulations, "seed": seed, "golden": golden.name, "suites": list(suite or DEFAULT_SUITES),
            "rewrites": rewrites, "recall_drop": recall_drop, "hallucinated": hallucinated})
        started = time.perf_counter()
        with Progress(console=err_console, transient=True) as bar:
            def progress(what: str, total: int | None) -> Callable[[], None]:
                task = bar.add_task(what, total=total)
                return lambda: bar.advance(task)
            result = calibrate(golden, suite or DEFAULT_SUITES, simulations, seed, rewrites, recall_drop, hallucinated,
                               progress=progress)
        elapsed = time.perf_counter() - started
        d = result.defaults
        table = Table("scenario", "pairs", "gate failed", "95% CI", "regression check failed", "new-critical rule failed",
                      "target", title=(f"assure gate on {result.golden_set} ({result.cases} cases, {result.pool_per_case:g} faithful "
                                       f"outputs per case), defaults: max_regression {d['max_regression']:g}, "
                                       f"max_new_critical {d['max_new_critical']:g} "
                                       f"({', '.join(f'{k} {v}' for k, v in d.get('max_new_critical_by_scorer', {}).items())}), "
                                       f"alpha {d['alpha']:g}"))
        targets = {"same_tool": "at most 5%", "recall_drop": "at least 80%", "critical_hallucinations": "at least 80%"}
        for s in result.scenarios.values():
            table.add_row(s.title, str(s.simulations), _pct(s.gate_failed), _ci(s.gate_failed),
                          _pct(s.by_check["regression"]), _pct(s.by_check["new critical findings"]), targets[s.scenario])
        if result.same_style is not None:
            s = result.same_style
            table.add_row(s.title, str(s.simulations), _pct(s.gate_failed), _ci(s.gate_failed),
                          _pct(s.by_check["regression"]), _pct(s.by_check["new critical findings"]), "at most 5%")
        console.print(table)
        checks = Table("scenario", "failing check", "pairs", "95% CI", title="Failing checks by scorer")
        for s in result.scenarios.values():
            for name, r in s.by_scorer_check.items():
                checks.add_row(s.scenario, name, _pct(r), _ci(r))
        console.print(checks)
        scorers = list(result.scenarios["same_tool"].new_critical_exceeds)
        counts = Table("scenario", "scorer", *(f">{m}" for m in COUNT_LEVELS),
                       title="Share of pairs with more than m new critical findings (max_new_critical = m fails them)")
        shown = [(s.scenario, s) for s in result.scenarios.values()]
        if result.same_style is not None:
            shown.insert(1, ("same_tool, one house style", result.same_style))
        for name, s in shown:
            for scorer in scorers:
                row = s.new_critical_exceeds[scorer]
                if any(row.values()):
                    counts.add_row(name, scorer, *(f"{row[m]:.3f}" for m in COUNT_LEVELS))
        console.print(counts)
        trade = Table("max_new_critical", "max_regression", "false failures", "power: recall drop", "power: hallucinations",
                      title=f"Trade-off (alpha {d['alpha']:g}; the same simulated pairs)")
        for row in result.tradeoff:
            trade.add_row(str(row["max_new_critical"]), f"{row['max_regression']:g}", f"{row['same_tool']:.3f}",
                          f"{row['recall_drop']:.3f}", f"{row['critical_hallucinations']:.3f}")
        console.print(trade)
        per = Table("key_fact_recall max_new_critical", "other scorers' max_new_critical", "false failures",
                    "power: recall drop", "power: hallucinations",
                    title=f"Per-scorer max_new_critical (a thresholds file; max_regression {d['max_regression']:g})")
        for row in result.per_scorer_tradeoff:
            per.add_row(str(row["key_fact_recall"]), str(row["others"]), f"{row['same_tool']:.3f}", f"{row['recall_drop']:.3f}",
                        f"{row['critical_hallucinations']:.3f}")
        console.print(per)
        drop = result.scenarios["recall_drop"].mean_fall.get(RECALL_SCORER)
        console.print(f"key_fact_recall fall planted: {result.pool_recall_fall:.3f} per output on average "
                      f"({result.pool_facts_removed:.1f} key facts removed, {result.omission_variants} variants); "
                      f"mean fall between the simulated runs {drop:.3f}." if result.pool_recall_fall is not None and drop is not None
                      else "no key_fact_recall fall could be planted")
        caught = sum(result.hallucinations_caught.values())
        console.print(f"critical hallucinations injected: {sum(result.hallucination_variants.values())} variants, "
                      f"{caught} given a critical finding the clean output lacked; by kind: "
                      + ", ".join(f"{k} {result.hallucinations_caught.get(k, 0)}/{v}" for k, v in sorted(result.hallucination_variants.items())))
        console.print(f"took {elapsed:.0f} s: scoring the pools {result.pool_seconds:.0f} s, {simulations * len(SCENARIOS)} gate "
                      f"runs {result.simulation_seconds:.0f} s ({result.gate_seconds_per_pair * 1000:.0f} ms each)")
        if not no_results:
            written = benchmark_results.write_results(measurement.finish(results_figures(result, elapsed), elapsed), results_dir)
            console.print(f"wrote {written}", highlight=False)
        if report_json:
            payload = asdict(result)
            payload["seconds"] = elapsed
            report_json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
