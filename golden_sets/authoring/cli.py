"""`assure goldens ...`: build golden-set material (counterfactual expansion, injected defects).

Registered through the `assure.commands` entry point (`register`), like every command above the engine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
import yaml

goldens_app = typer.Typer(no_args_is_help=True, help="Build golden-set material: counterfactual variants and injected defects.")


@goldens_app.command("expand")
def expand_command(folder: Annotated[Path, typer.Argument(help="Counterfactual set folder (scenarios.jsonl, names.yaml, variants.yaml).")]) -> None:
    """Regenerate cases.jsonl of a counterfactual set from its scenario templates."""
    from harness.console import console
    from .counterfactual import expand_folder, write_cases

    cases = expand_folder(folder)
    write_cases(cases, folder / "cases.jsonl")
    console.print(f"wrote {len(cases)} variant cases to {folder / 'cases.jsonl'}")


@goldens_app.command("perturb")
def perturb_command(
    golden: Annotated[Path, typer.Argument(help="Golden-set folder whose references are perturbed.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write into.")],
    seed: Annotated[int, typer.Option("--seed")] = 0,
    defect_rate: Annotated[float, typer.Option("--defect-rate", min=0.0, max=1.0, help="Share of cases the simulated vendor gets wrong.")] = 0.5,
    kind: Annotated[Optional[list[str]], typer.Option("--kind", help="Only these defect kinds (repeat); default all.")] = None,
) -> None:
    """Write labelled defective outputs made from the references, and a simulated vendor to score.

    perturbed.jsonl: a clean control plus one output per applicable defect kind for every case.
    vendor_outputs.jsonl + vendor_labels.jsonl + vendor.yaml: one output per case, ready for `assure run`.
    """
    from harness.console import console
    from harness.errors import InputError
    from harness.goldens import load_golden
    from .perturb import INJECTORS, perturb_case, simulate_vendor

    unknown = set(kind or []) - set(INJECTORS)
    if unknown:
        raise InputError.single("--kind", f"unknown defect kind(s) {sorted(unknown)}; choose from {', '.join(INJECTORS)}")
    golden_set = load_golden(golden)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "perturbed.jsonl").open("w", encoding="utf-8") as handle:
        count = 0
        for case in golden_set.cases:
            for item in perturb_case(case, seed, kind):
                handle.write(item.model_dump_json() + "\n")
                count += 1
    vendor = simulate_vendor(golden_set.cases, seed, defect_rate)
    (out / "vendor_outputs.jsonl").write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in vendor.outputs), encoding="utf-8")
    (out / "vendor_labels.jsonl").write_text("".join(label.model_dump_json() + "\n" for label in vendor.labels), encoding="utf-8")
    (out / "vendor.yaml").write_text(yaml.safe_dump({
        "name": f"injected-defects-{golden_set.id}", "version": f"seed-{seed}", "kind": "recorded", "path": "vendor_outputs.jsonl",
        "description": f"Simulated vendor: references of {golden_set.id} v{golden_set.version} with injected defects "
                       f"(rate {defect_rate}, seed {seed}); ground truth in vendor_labels.jsonl."}, sort_keys=False), encoding="utf-8")
    defective = sum(1 for label in vendor.labels if label.defects)
    console.print(f"wrote {count} labelled outputs to {out / 'perturbed.jsonl'}; simulated vendor: {defective} of "
                  f"{len(vendor.labels)} outputs defective ({out / 'vendor.yaml'})")


def register(app: typer.Typer) -> None:
    """Add `assure goldens ...` to the command line (entry point `assure.commands`)."""
    app.add_typer(goldens_app, name="goldens")
