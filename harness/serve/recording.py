"""Record a served local model's outputs as a vendor file, with the provenance that makes them a fixture.

`record_outputs` turns the report of an `assure run` against `serve-model`'s target into `PREFIX.jsonl`
(case_id, output) and `PREFIX.yaml` (a `recorded` target whose description carries the model file's
SHA-256, the runtime version, the prompt's SHA-256, the generation parameters, the seed and the date),
so the real model's text can be scored and gated again offline, without serving the model.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml

from .models import MODELS


def runtime_version() -> str:
    try:
        return f"xllamacpp {version('xllamacpp')}"
    except PackageNotFoundError:
        return "xllamacpp (not installed)"


def provenance(model: str, prompt: Path, params: dict[str, Any], threads: int, run_id: str) -> str:
    """One sentence saying exactly what produced the outputs."""
    spec = MODELS[model]
    return (f"{spec.title}, model file SHA-256 {spec.sha256}; served by assure serve-model ({runtime_version()}, "
            f"{threads} threads); prompt {prompt.name} SHA-256 {hashlib.sha256(prompt.read_bytes()).hexdigest()}; "
            f"params {json.dumps(params, sort_keys=True)}; recorded {date.today().isoformat()} from run {run_id}")


def record_outputs(report: dict[str, Any], prefix: Path, model: str, prompt: Path, params: dict[str, Any],
                   threads: int) -> Path:
    """Write PREFIX.jsonl and PREFIX.yaml from a run report (cases without output are left out); the YAML's path."""
    rows = [{"case_id": c["case_id"], "output": c["output"]} for c in report["cases"] if c.get("output")]
    prefix.parent.mkdir(parents=True, exist_ok=True)
    outputs = prefix.with_suffix(".jsonl")
    outputs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    target = {"name": f"local-{model}", "version": f"{prompt.stem.removesuffix('.prompt')}-recorded", "kind": "recorded",
              "path": outputs.name, "description": provenance(model, prompt, params, threads, str(report["run_id"]))}
    path = prefix.with_suffix(".yaml")
    path.write_text("# Recorded outputs of a real local model (`assure demo --live` rewrites them).\n"
                    + yaml.safe_dump(target, sort_keys=False), encoding="utf-8")
    return path
