"""Throughput of the offline hallucination suite: cases per second for a ~3,000-word transcript with
~400-word minutes on this machine, after warm-up (median of repeated runs). Not a test: run

    .venv/bin/python benchmarks/throughput.py [--repeats 5]

It builds each case from the bundled safeguarding-minutes golden set (sources of 2,000-3,300
words), cuts the reference minutes to their first 400 words, and times `unsupported_details`
plus `claim_support` together per case (each case's source is new to the scorer, so source
indexing is part of the time). Prints the median cases per second and per-case milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import time

import golden_sets
from harness.goldens import load_golden
from harness.support import source_index
from harness.align import cached_passages
from harness.claims import _checked_claims
from suites.hallucination import suite
from suites.hallucination.details import unsupported_details


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    cases = load_golden(golden_sets.path("safeguarding_minutes")).cases
    outputs = [" ".join((c.reference or "").split()[:400]) for c in cases]
    scorers = suite().scorers
    for case, output in zip(cases[:2], outputs[:2]):  # warm-up: imports, regexes, word lists
        for scorer in scorers:
            scorer.score(case, output)
    rates = []
    per_case = []
    for _ in range(args.repeats):
        source_index.cache_clear()
        cached_passages.cache_clear()
        _checked_claims.cache_clear()  # each run checks every output anew
        unsupported_details.cache_clear()
        started = time.perf_counter()
        for case, output in zip(cases, outputs):
            t = time.perf_counter()
            for scorer in scorers:
                scorer.score(case, output)
            per_case.append(time.perf_counter() - t)
        rates.append(len(cases) / (time.perf_counter() - started))
    words = statistics.median(len(c.source.split()) for c in cases)
    print(f"{len(cases)} cases, median source {words:.0f} words, outputs 400 words, scorers: {', '.join(s.name for s in scorers)}")
    print(f"median {statistics.median(rates):.2f} cases/s over {args.repeats} runs; median {statistics.median(per_case) * 1000:.0f} ms a case")


if __name__ == "__main__":
    main()
