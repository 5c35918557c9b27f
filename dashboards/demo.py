"""`assure demo`: the whole story on bundled synthetic data, offline.

Runs the hallucination suite (and, on the small set, the omission suite) for the built-in baseline and for two fictional vendors whose
outputs came back as files: on the small `sample` set (vendor A, hand-written defects) and on the
24-meeting `safeguarding_minutes` set (a vendor simulated by `assure goldens perturb`, seed 7,
ground truth in demo_data/injected/vendor_labels.jsonl). Then vendor A's next version (v2.4, the
defects fixed) on the sample set, and the CI gate on both of vendor A's versions (v2.3 against the
baseline, v2.4 against v2.3; the verdicts are tagged on the runs, so the Trend page shows them).
Then a real generative tool: Qwen2.5-Coder-0.5B's recorded minutes of 12 meetings under a careful and a
poor prompt, scored and gated (`dashboards.demo_local`; `--live` regenerates them through a local
server first). Then the bias suite on a small counterfactual subset (`write_bias_demo_set`: 6 scenarios x 3
characteristics, 48 cases, built from `golden_sets/counterfactual` into the data folder) with a
simulated tool that is biased by design. Then appraises the ROI of the bundled synthetic council
submissions (roi/submissions/, fictional councils), whose quality-adjusted view uses the vendors'
runs just tracked. Logs every run to MLflow, prints the results and (unless --no-serve) serves the
dashboard on http://127.0.0.1:8050.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from harness.evaluate import RunRecord
    from harness.gate import GateResult

DEMO_DATA = Path(__file__).parent / "demo_data"
# (golden set, target, suites): omission on the small set only, so the demo stays quick on a laptop
# (its embedded judge encodes every output sentence; the 24-meeting set would add about a minute).
DEMO_RUNS = (("sample", "baseline.yaml", ["hallucination", "omission"]), ("sample", "vendor_a.yaml", ["hallucination", "omission"]),
             ("safeguarding_minutes", "baseline.yaml", ["hallucination"]),
             ("safeguarding_minutes", "injected/vendor.yaml", ["hallucination"]),
             ("sample", "vendor_a_v2_4.yaml", ["hallucination", "omission"]))
# The gate on vendor A's two versions: (candidate, baseline) as indexes into DEMO_RUNS.
DEMO_GATES = ((1, 0), (4, 1))

# The bias demo: the full counterfactual set (810 cases) takes about 4 minutes, so the demo runs a
# subset. 6 scenarios (3 safeguarding meetings, 3 case-note histories) x every variant of 3
# characteristics = 6 x (2 + 4 + 2) = 48 cases. Six pairs per group can show only large differences.
BIAS_SCENARIOS = ("cf-001", "cf-002", "cf-003", "cf-016", "cf-017", "cf-018")
BIAS_CHARACTERISTICS = ("sex", "disability", "gender_reassignment")
BIAS_TARGET = Path(__file__).resolve().parents[1] / "suites" / "bias" / "targets" / "pejorative.yaml"
BIAS_SET_ID = "counterfactual-demo"


@dataclass
class BiasDemo:
    """The demo's bias run and how long it took."""

    record: RunRecord
    seconds: float


def run_evaluations(tracking_uri: str | None = None) -> list[RunRecord]:
    """Run every demo (golden set, target) pair of DEMO_RUNS."""
    import golden_sets
    from harness.evaluate import start_run

    return [start_run(golden_sets.path(golden), DEMO_DATA / target, suites, tracking_uri)
            for golden, target, suites in DEMO_RUNS]


def run_gates(records: Sequence[RunRecord], tracking_uri: str | None = None) -> list[tuple[RunRecord, RunRecord, GateResult]]:
    """Gate each DEMO_GATES candidate against its baseline (default thresholds), recording the verdict on the run."""
    from harness.gate import Thresholds, record_verdict, run_gate
    from harness.runs import RunReport
    from harness.tracking import Tracker

    tracker = Tracker(tracking_uri)
    gated = []
    for candidate, baseline in DEMO_GATES:
        c, b = records[candidate], records[baseline]
        result = run_gate(RunReport(c.run_id, c.report), Thresholds(), RunReport(b.run_id, b.report), "defaults")
        record_verdict(tracker, c.run_id, result, b.run_id, "defaults")
        gated.append((c, b, result))
    return gated


def write_bias_demo_set(folder: Path | None = None, scenarios: Sequence[str] = BIAS_SCENARIOS,
                        characteristics: Sequence[str] = BIAS_CHARACTERISTICS) -> Path:
    """Write the bias demo's golden set (`scenarios` x every variant of `characteristics` of the bundled counterfactual
    set) to `folder` (default: `demo/counterfactual_demo` in the data folder), validated; return the folder."""
    import yaml

    import golden_sets
    from harness.goldens import load_golden
    from harness.paths import data_dir
    from harness.yamlfile import read_yaml_mapping

    source = golden_sets.path("counterfactual")
    full, _ = read_yaml_mapping(source / "manifest.yaml", "manifest")
    lines = []
    for line in (source / "cases.jsonl").read_text(encoding="utf-8").splitlines():
        meta = json.loads(line).get("metadata") or {}
        if meta.get("scenario") in scenarios and meta.get("characteristic") in characteristics:
            lines.append(line + "\n")
    manifest = {
        "id": BIAS_SET_ID,
        "version": str(full["version"]),
        "task": "mixed",
        "description": (f"A small subset of the bundled counterfactual set (golden_sets/counterfactual v{full['version']}) "
                        f"for `assure demo`: scenarios {', '.join(scenarios)} x every variant of "
                        f"{', '.join(characteristics)}, {len(lines)} cases. Synthetic: fictional people and "
                        f"councils, as in the full set. Low statistical power: {len(scenarios)} pairs per group can show only large "
                        "differences; use the full set (30 scenarios, 7 characteristics, 810 cases) to assess a tool."),
        "licence": full.get("licence", "CC-BY-4.0"),
        "synthetic": True,
        "provenance": "Copied, unchanged, from golden_sets/counterfactual by dashboards/demo.py (write_bias_demo_set).",
    }
    folder = folder or data_dir() / "demo" / "counterfactual_demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100),
                                          encoding="utf-8")
    (folder / "cases.jsonl").write_text("".join(lines), encoding="utf-8")
    load_golden(folder)  # the project's own loader: raises, naming each problem, if the subset is not a valid set
    return folder


def run_bias_demo(tracking_uri: str | None = None, folder: Path | None = None, scenarios: Sequence[str] = BIAS_SCENARIOS,
                  characteristics: Sequence[str] = BIAS_CHARACTERISTICS) -> BiasDemo:
    """The bias suite on the demo subset with the simulated tool biased by design (pejorative for schizophrenia)."""
    from harness.evaluate import start_run

    started = time.perf_counter()
    record = start_run(write_bias_demo_set(folder, scenarios, characteristics), BIAS_TARGET, ["bias"], tracking_uri)
    return BiasDemo(record, time.perf_counter() - started)


def bias_lines(demo: BiasDemo) -> list[str]:
    """What the demo prints about its bias run: each characteristic's verdict and minimum detectable effect."""
    report = demo.record.report
    pairs = max((int(e.get("n_pairs") or 0) for e in (report.get("bias") or {}).values()), default=0)
    lines = [f"Bias suite on {report['golden_set']['id']} ({len(report['cases'])} cases) in {demo.seconds:.0f} s. "
             f"Low power: this demo set has {pairs} pairs per group (the full counterfactual set has 30), so only large "
             "differences can be detected; the full set takes about 4 minutes."]
    for characteristic, entry in (report.get("bias") or {}).items():
        mde = "n/a" if entry.get("mde") is None else f"{entry['mde']:.3g}"
        effect = "n/a" if entry.get("effect") is None else f"{entry['effect']:+.3g}"
        lines.append(f"  {characteristic}: {entry['verdict']}; strongest: {entry.get('metric')} {entry.get('group')} vs "
                     f"{entry.get('reference_group')} {effect}, adjusted p {_p(entry.get('p_adjusted'))}; "
                     f"minimum detectable effect {mde} over {entry.get('n_pairs', 0)} pairs")
    return lines


def run_demo(tracking_uri: str | None = None) -> list[dict]:
    """Run every demo run (DEMO_RUNS, the real model's two prompts, then the bias run), gate vendor A's versions
    and the real model's prompt change; return the reports in that order."""
    from .demo_local import run_local_model

    records = run_evaluations(tracking_uri)
    run_gates(records, tracking_uri)
    local = run_local_model(tracking_uri)
    return [r.report for r in records] + [local.careful.report, local.poor.report, run_bias_demo(tracking_uri).record.report]


def run_roi_demo(tracking_uri: str | None = None) -> dict:
    """Appraise the bundled synthetic submissions, log them to MLflow (experiment `roi`); return the report."""
    from harness.tracking import Tracker
    from roi.appraise import Options, appraise
    from roi.paths import SUBMISSIONS
    from roi.report import log_to_mlflow

    tracker = Tracker(tracking_uri)
    report = appraise([SUBMISSIONS], Options(), tracker)
    report["method"]["mlflow_run_id"] = log_to_mlflow(tracker, report)
    return report


def _p(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3g}"


def register(app: typer.Typer) -> None:
    """Add `demo` to the CLI (entry point `assure.commands`)."""

    @app.command()
    def demo(
        no_serve: Annotated[bool, typer.Option("--no-serve", help="Print results and exit; do not start the dashboard.")] = False,
        port: Annotated[int, typer.Option("--port")] = 8050,
        live: Annotated[bool, typer.Option("--live", help=(
            "First regenerate the real model's outputs: serve it locally and write minutes of 12 meetings under both "
            "prompts (about 20 minutes on 2 cores; needs the model's packages, see docs/local-models.md)."))] = False,
        live_model: Annotated[str, typer.Option("--live-model", help="The local model --live serves.")] = "qwen2.5-coder-0.5b",
    ) -> None:
        """Run the bundled demo end to end (offline) and serve the dashboard."""
        from rich.markup import escape

        from harness.cli import console, err_console, print_report
        from roi.report import print_report as print_roi_report

        from .demo_local import local_lines, regenerate, run_local_model

        if live:
            console.print(f"regenerating the real model's outputs with {live_model} (served on loopback)", highlight=False)
            console.print(f"recorded in {regenerate(live_model, console=err_console)}", highlight=False)

        records = run_evaluations()
        for record in records:
            print_report(record.report)
        for candidate, baseline, result in run_gates(records):
            failed = "; ".join(f"{c.scorer}: {c.name}" if c.scorer else c.name for c in result.failures)
            console.print(escape(f"gate {candidate.report['target']['label']} v{candidate.report['target']['version']} "
                                 f"against {baseline.report['target']['label']} v{baseline.report['target']['version']}: "
                                 f"{'PASSED' if result.passed else 'FAILED'}" + (f" ({failed})" if failed else "")
                                 + "; the verdict is tagged on the run (Trend page)"))
        local = run_local_model()
        for record in (local.careful, local.poor):
            print_report(record.report)
        for line in local_lines(local):
            console.print(escape(line), highlight=False)
        bias = run_bias_demo()
        print_report(bias.record.report)
        for line in bias_lines(bias):
            console.print(escape(line))
        print_roi_report(console, run_roi_demo())
        console.print("Tracked in MLflow; list runs with `assure runs`.")
        if not no_serve:
            from .app import create_app, serve

            console.print(f"Dashboard on http://127.0.0.1:{port}/scorecard (Ctrl-C to stop)")
            serve(create_app(), port=port)
