"""Turn an `assure run` report of a served local model into a recorded vendor file with its provenance.

    python examples/local_model/record.py REPORT.json OUT_PREFIX --model qwen2.5-coder-0.5b --prompt minutes_careful

writes OUT_PREFIX.jsonl (case_id, output) and OUT_PREFIX.yaml (a `recorded` target whose description
carries the provenance: model file SHA-256, runtime version, prompt SHA-256, parameters, seed, date), so
the real model's outputs can be scored and gated again offline, without serving the model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from datetime import date
from importlib.metadata import version
from pathlib import Path

import yaml

from harness.serve.cli import GENERATION, prompt_file
from harness.serve.models import MODELS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("out", type=Path, help="prefix of the .jsonl and .yaml files to write")
    parser.add_argument("--model", required=True, choices=sorted(MODELS))
    parser.add_argument("--prompt", required=True, help="shipped prompt name or file")
    parser.add_argument("--max-tokens", type=int, default=600)
    args = parser.parse_args()
    report = json.loads(args.report.read_text(encoding="utf-8"))
    rows = [{"case_id": c["case_id"], "output": c["output"]} for c in report["cases"] if c.get("output")]
    args.out.with_suffix(".jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    prompt = prompt_file(args.prompt)
    params = {**GENERATION, "max_tokens": args.max_tokens}
    provenance = (f"{MODELS[args.model].title}, model file SHA-256 {MODELS[args.model].sha256}; served by assure serve-model "
                  f"(xllamacpp {version('xllamacpp')}, 2 threads); prompt {prompt.name} SHA-256 "
                  f"{hashlib.sha256(prompt.read_bytes()).hexdigest()}; params {json.dumps(params, sort_keys=True)}; "
                  f"recorded {date.today().isoformat()} from run {report['run_id']}")
    target = {"name": f"local-{args.model}", "version": f"{prompt.stem}-recorded", "kind": "recorded",
              "path": args.out.with_suffix(".jsonl").name, "description": provenance}
    args.out.with_suffix(".yaml").write_text("# Recorded outputs of a real local model (see README.md).\n"
                                             + yaml.safe_dump(target, sort_keys=False), encoding="utf-8")
    print(f"wrote {len(rows)} outputs to {args.out.with_suffix('.jsonl')} and {args.out.with_suffix('.yaml')}")


if __name__ == "__main__":
    main()
