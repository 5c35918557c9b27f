"""The demo's real generative tool: Qwen2.5-Coder-0.5B-Instruct's minutes of 12 safeguarding meetings
under the careful and the poor prompt, and the CI gate on that prompt change.

By default the demo scores the outputs recorded in `demo_data/local_model/` (with their provenance:
model SHA-256, runtime, prompt SHA-256, parameters, seed, date), so it generates nothing at demo time.
`assure demo --live` first regenerates them: it serves the model on loopback with `assure serve-model`'s
machinery, runs the `openai` target over the 12 meetings for each prompt with a progress bar, and
records the new outputs (with new provenance) in the data folder, which the demo then scores instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.evaluate import RunRecord
    from harness.gate import GateResult

LOCAL_DATA = Path(__file__).parent / "demo_data" / "local_model"
LOCAL_MODEL = "qwen2.5-coder-0.5b"
PROMPTS = {"careful": "minutes_careful", "poor": "minutes_poor"}  # recorded file stem -> shipped prompt
SUITES = ["hallucination", "omission"]
MEETINGS = 12
MAX_TOKENS = 600  # the recorded outputs' limit: a 0.5B model keeps writing otherwise
THRESHOLDS = Path(__file__).resolve().parents[1] / "ci" / "thresholds.yaml"  # the gate template's thresholds


@dataclass
class LocalModelDemo:
    """The careful and poor runs of the real model and the gate's verdict on the poor one."""

    careful: RunRecord
    poor: RunRecord
    gate: GateResult


def write_local_set(folder: Path | None = None, meetings: int = MEETINGS) -> Path:
    """The first `meetings` meetings of `safeguarding_minutes` with the bundled manifest, validated; the folder."""
    import golden_sets
    from harness.goldens import load_golden
    from harness.paths import data_dir

    folder = folder or data_dir() / "demo" / "minutes_first_12"
    folder.mkdir(parents=True, exist_ok=True)
    lines = (golden_sets.path("safeguarding_minutes") / "cases.jsonl").read_text(encoding="utf-8").splitlines()[:meetings]
    (folder / "cases.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    (folder / "manifest.yaml").write_text((LOCAL_DATA / "manifest.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    load_golden(folder)
    return folder


def live_folder() -> Path:
    from harness.paths import data_dir

    return data_dir() / "demo" / "local_model_live"


def outputs_folder() -> Path:
    """Where the demo reads the real model's outputs: the live recording when `--live` made one, else the bundled."""
    live = live_folder()
    return live if all((live / f"{stem}.yaml").is_file() for stem in PROMPTS) else LOCAL_DATA


def run_local_model(tracking_uri: str | None = None, outputs: Path | None = None) -> LocalModelDemo:
    """Score both recorded runs on the 12 meetings and gate the poor prompt against the careful one
    (the thresholds of `ci/thresholds.yaml`), recording the verdict on the poor run."""
    from harness.evaluate import start_run
    from harness.gate import load_thresholds, record_verdict, run_gate
    from harness.runs import RunReport
    from harness.tracking import Tracker

    folder, golden = outputs or outputs_folder(), write_local_set()
    careful, poor = (start_run(golden, folder / f"{stem}.yaml", SUITES, tracking_uri) for stem in PROMPTS)
    thresholds_file = THRESHOLDS
    result = run_gate(RunReport(poor.run_id, poor.report), load_thresholds(thresholds_file),
                      RunReport(careful.run_id, careful.report), str(thresholds_file))
    record_verdict(Tracker(tracking_uri), poor.run_id, result, careful.run_id, str(thresholds_file))
    return LocalModelDemo(careful, poor, result)


def regenerate(model: str = LOCAL_MODEL, port: int = 8766, threads: int | None = None, console: Any = None,
               meetings: int = MEETINGS, max_tokens: int = MAX_TOKENS) -> Path:
    """Serve `model`, generate minutes of the first `meetings` meetings under each prompt (progress bar), record
    them with their provenance in the live folder; the folder. With Qwen2.5-Coder-0.5B about a minute a
    meeting with the careful prompt on 2 cores. The server stops when the process ends."""
    import os

    from rich.progress import Progress

    from harness.evaluate import start_run
    from harness.serve.cli import GENERATION, prompt_file, write_target
    from harness.serve.models import MODELS, model_file
    from harness.serve.recording import record_outputs
    from harness.serve.server import start

    folder = live_folder()
    folder.mkdir(parents=True, exist_ok=True)
    cores = threads or max(1, min(os.cpu_count() or 1, 8))
    server = start(model_file(model), model, port=port, threads=cores, context=8192)
    golden = write_local_set(folder / "golden", meetings)
    params = {**GENERATION, "max_tokens": max_tokens}
    with Progress(console=console, transient=False) as bar:
        for stem, prompt_name in PROMPTS.items():
            prompt = prompt_file(prompt_name)
            target = write_target(folder / f"{stem}.target.yaml", server.base_url, model, prompt, params)
            task = bar.add_task(f"{MODELS[model].title}: {prompt_name}", total=meetings)
            record = start_run(golden, target, ["hallucination"], on_case=lambda _result, task=task: bar.advance(task))
            record_outputs(record.report, folder / stem, model, prompt, params, cores)
    return folder


def local_lines(demo: LocalModelDemo) -> list[str]:
    """What the demo prints: each prompt's headline scores and the gate's verdict with its failed checks."""
    target = demo.careful.report["target"]
    lines = [f"A real generative tool on {MEETINGS} meetings: {target['label']}, recorded outputs of "
             f"{str(target.get('description') or '').split(';')[0]} (provenance in the target's description)."]
    for name, record in (("careful prompt", demo.careful), ("poor prompt", demo.poor)):
        metrics = record.report["metrics"]
        shown = ", ".join(f"{k} {metrics[k]['mean']:.3f}" for k in ("key_fact_recall", "compression", "unsupported_details")
                          if k in metrics and metrics[k]["mean"] is not None)
        lines.append(f"  {name}: {shown}")
    failed = [c.name if not c.scorer else f"{c.scorer}: {c.name}" for c in demo.gate.failures]
    lines.append(f"gate poor prompt against careful prompt: {'PASSED' if demo.gate.passed else 'FAILED'} "
                 f"({len(failed)} checks failed: {'; '.join(failed[:4])}{'; ...' if len(failed) > 4 else ''})")
    return lines

