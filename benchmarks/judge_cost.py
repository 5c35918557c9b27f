"""Cost and validity of the judges side by side: the embedded judge against deepeval's and ragas'
faithfulness through a local model served by `assure serve-model`. Not a test: run

    .venv/bin/python benchmarks/judge_cost.py [--model qwen2.5-coder-1.5b] [--per-domain 6]

1. Cost per long case: the safeguarding meeting of the bundled set whose transcript is longest
   (lengthened to at least 3,000 words as in `benchmarks/throughput.py`), judged against its reference
   minutes cut to 400 words. Per judge: LLM calls (retries included), prompt and completion tokens as
   the server counts them, seconds, and the share of replies that were not valid JSON for their schema.
2. Validity on a balanced sample of the SummEdits `evaluation` split (`--per-domain` examples of each
   of its three domains, half inconsistent, seed 0): balanced accuracy by each judge's own pass rule
   (deepeval and ragas: faithfulness 0.9, as the `llm_judges` suite ships; the embedded
   `unsupported_details`: the cut chosen on the `test` split, read from benchmarks/results/validity.json),
   with a bootstrap 95% interval, and the judge errors (no usable answer).

The model is served in this process on loopback (temperature 0, seed 0, at most 2,048 new tokens a
reply). The judges' replies go to a fresh cache, so every call is really made. Writes the figures with
the commit and machine to benchmarks/results/judge_cost.json, updated after every example so a long run
that is stopped keeps what it measured.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import golden_sets  # noqa: E402
from harness import benchmark_results  # noqa: E402
from harness.cache import Cache  # noqa: E402
from harness.goldens import load_golden  # noqa: E402
from harness.judges.llm import JudgeConfig, JudgeUsage, LLMJudge  # noqa: E402
from harness.paths import benchmarks_dir  # noqa: E402
from harness.serve.models import MODELS, model_file  # noqa: E402
from harness.serve.server import start  # noqa: E402
from suites.classification import classification  # noqa: E402
from suites.llm_judges import scorers_for  # noqa: E402
from suites.validity_benchmark import REPORT_SPLIT, balanced_sample, judge, load_summedits, metrics_for  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from throughput import lengthened  # noqa: E402

MAX_TOKENS = 2048  # a reply limit; at 512, ragas' statement list for 400-word minutes was cut off (invalid JSON, 3 of 3)
LLM_SCORERS = ("deepeval_faithfulness", "ragas_faithfulness")
EMBEDDED = "unsupported_details"


def embedded_cut(results_dir: Path) -> float | None:
    """The embedded judge's SummEdits cut, chosen on the `test` split by `assure bench validity`."""
    path = results_dir / "validity.json"
    if not path.is_file():
        return None
    rows = json.loads(path.read_text(encoding="utf-8"))["figures"]["scorers"].get(EMBEDDED, [])
    return next((r["threshold"] for r in rows if r["dataset"] == "summedits"), None)


def balanced_ci(labels: list[bool], flagged: list[bool], draws: int = 2000, seed: int = 0) -> tuple[float, float]:
    """Bootstrap 95% interval of balanced accuracy (resampling examples)."""
    rng = random.Random(seed)
    values = []
    pairs = list(zip(labels, flagged))
    for _ in range(draws):
        drawn = [rng.choice(pairs) for _ in pairs]
        if len({label for label, _ in drawn}) == 2:
            values.append(classification([d[0] for d in drawn], [d[1] for d in drawn])[0])
    values.sort()
    if not values:
        return float("nan"), float("nan")
    return values[int(0.025 * len(values))], values[int(0.975 * len(values)) - 1]


def cost_row(name: str, usage: JudgeUsage, seconds: float, value: float | None, judge_error: str | None) -> dict[str, Any]:
    return {"judge": name, "llm_calls": usage.calls, "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens, "seconds": round(seconds, 1),
            "invalid_json_share": round(usage.invalid_replies / usage.calls, 3) if usage.calls else 0.0,
            "value": value, "judge_error": judge_error}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b", choices=sorted(MODELS))
    parser.add_argument("--per-domain", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--skip-long-case", action="store_true")
    benchmark_results.add_arguments(parser)
    args = parser.parse_args()
    results_dir = args.results_dir or benchmark_results.default_results_dir()
    measurement = benchmark_results.begin("judge_cost", benchmark_results.cli_command("python benchmarks/judge_cost.py"),
                                          {"model": args.model, "per_domain": args.per_domain, "threads": args.threads,
                                           "max_tokens": MAX_TOKENS, "temperature": 0, "seed": 0})
    started = time.perf_counter()
    server = start(model_file(args.model), args.model, port=args.port, threads=args.threads,
                   context=min(16384, MODELS[args.model].context))
    print(f"{args.model} served in {server.started_in_s:.1f} s at {server.base_url}", flush=True)
    config = JudgeConfig(base_url=server.base_url, model=args.model,
                         params={"temperature": 0, "seed": 0, "max_tokens": MAX_TOKENS}, timeout_s=1800, max_retries=1)
    client = LLMJudge(config, Cache(Path(tempfile.mkdtemp()) / "cache.sqlite"))
    llm = {s.name: s for s in scorers_for(config, client) if s.name in LLM_SCORERS}
    from suites.hallucination import suite

    embedded = {s.name: s for s in suite().scorers}
    figures: dict[str, Any] = {"model": MODELS[args.model].title, "model_sha256": MODELS[args.model].sha256,
                               "server_start_s": round(server.started_in_s, 1), "long_case": [], "summedits": [],
                               "examples": []}

    def save() -> None:
        if not args.no_results:
            benchmark_results.write_results(measurement.finish(figures, time.perf_counter() - started), args.results_dir)

    if not args.skip_long_case:
        cases = load_golden(golden_sets.path("safeguarding_minutes")).cases
        longest = max(range(len(cases)), key=lambda i: len(cases[i].source.split()))
        case = lengthened(cases[longest:] + cases[:longest], 3000)[0]
        output = " ".join((case.reference or "").split()[:400])
        figures["long_case_words"] = {"case": case.id, "source": len(case.source.split()), "output": len(output.split())}
        clock = time.perf_counter()
        values = [embedded[name].score(case, output) for name in embedded]
        figures["long_case"].append(cost_row("embedded (hallucination suite)", JudgeUsage(), time.perf_counter() - clock,
                                             min(float(v.value) for v in values if v.value is not None), None))
        for name, scorer in llm.items():
            before, clock = JudgeUsage(**asdict(client.usage)), time.perf_counter()
            score = scorer.score(case, output)
            figures["long_case"].append(cost_row(name, client.usage.since(before), time.perf_counter() - clock, score.value,
                                                 score.details.get("judge_error")))
            print(figures["long_case"][-1], flush=True)
            save()

    cut = embedded_cut(results_dir)
    sample = balanced_sample([e for e in load_summedits(benchmarks_dir()) if e.split == REPORT_SPLIT], args.per_domain)
    for name, scorer in [(EMBEDDED, embedded[EMBEDDED]), *llm.items()]:
        before, clock = JudgeUsage(**asdict(client.usage)), time.perf_counter()
        rows = []
        for example in sample:
            rows += judge(scorer, [example])
            figures["examples"].append({"judge": name, "dataset": example.dataset, "id": example.case.id,
                                        "inconsistent": example.inconsistent, "value": rows[-1].value,
                                        "passed": rows[-1].passed, "judge_error": rows[-1].judge_error,
                                        "seconds": round(rows[-1].seconds, 2)})
            print(figures["examples"][-1], flush=True)
            save()
        decided = metrics_for("summedits sample", rows, cut if name == EMBEDDED else None)
        kept = [r for r in rows if not r.judge_error]
        flagged = [r.value < cut for r in kept] if name == EMBEDDED and cut is not None else [not r.passed for r in kept]
        low, high = balanced_ci([r.example.inconsistent for r in kept], flagged)
        usage = client.usage.since(before)
        figures["summedits"].append({**asdict(decided), "judge": name, "ci_low": low, "ci_high": high,
                                     "llm_calls": usage.calls, "prompt_tokens": usage.prompt_tokens,
                                     "completion_tokens": usage.completion_tokens,
                                     "invalid_json_share": round(usage.invalid_replies / usage.calls, 3) if usage.calls else 0.0,
                                     "median_seconds": statistics.median(r.seconds for r in rows)})
        print(figures["summedits"][-1], flush=True)
        save()
    save()


if __name__ == "__main__":
    main()
