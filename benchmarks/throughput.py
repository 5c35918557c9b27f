"""Throughput of the offline hallucination suite: cases per second for a 3,000-word transcript with
400-word minutes on this machine, after warm-up (median of repeated runs). Not a test: run

    .venv/bin/python benchmarks/throughput.py [--repeats 5] [--source-words 3000]

It builds each case from the bundled safeguarding-minutes golden set. Their transcripts run to
1,844-2,875 words, so each is lengthened to at least `--source-words` words with whole lines of the
next cases' transcripts (other meetings: more text to search, none of it supporting the minutes;
`--source-words 0` keeps them as they are). The reference minutes are cut to their first 400
words. It times every scorer of the hallucination suite together per case, with every cache of
sources, outputs, clauses and key facts cleared between runs (word-level caches such as stems stay
warm), so source indexing is part of the time. Prints the median cases per second
and per-case milliseconds, and writes them with the commit and machine to
`benchmarks/results/throughput.json` (`--results-dir` elsewhere, `--no-results` not at all).
"""

from __future__ import annotations

import argparse
import statistics
import time

import golden_sets
from harness import benchmark_results
from judge.align import cached_passages
from judge.attribution import _pool, _shared_surnames, adult_surname, ages_given
from judge.claims import _checked_claims, _fact_passages
from harness.goldens import Case, load_golden
from judge.people import _people, _voices
from judge.polarity import clauses, stances
from judge.support import source_index
from suites.hallucination import suite
from suites.hallucination.details import unsupported_details


def lengthened(cases: list[Case], words: int) -> list[Case]:
    """Each case with its source made up to at least `words` words from the following cases' lines."""
    out = []
    for i, case in enumerate(cases):
        lines = case.source.splitlines()
        others = [line for other in cases[i + 1:] + cases[:i] for line in other.source.splitlines()[1:]]
        while len(" ".join(lines).split()) < words and others:
            lines.append(others.pop(0))
        out.append(case.model_copy(update={"source": "\n".join(lines)}))
    return out


def budget_meetings(cases: int = 3, words: int = 3000) -> list[tuple[Case, str]]:
    """The deep judge's budget case: `words`-word transcripts with the first 400 words of their reference minutes."""
    chosen = lengthened(load_golden(golden_sets.path("safeguarding_minutes")).cases, words)[:cases]
    return [(case, " ".join((case.reference or "").split()[:400])) for case in chosen]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--source-words", type=int, default=3000)
    benchmark_results.add_arguments(parser)
    args = parser.parse_args()
    measurement = benchmark_results.begin("throughput", benchmark_results.cli_command("python benchmarks/throughput.py"),
                                          {"repeats": args.repeats, "source_words": args.source_words, "output_words": 400})
    cases = lengthened(load_golden(golden_sets.path("safeguarding_minutes")).cases, args.source_words)
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
        for cache in (_pool, _shared_surnames, adult_surname, ages_given, _people, _voices, _fact_passages, clauses, stances):
            cache.cache_clear()
        started = time.perf_counter()
        for case, output in zip(cases, outputs):
            t = time.perf_counter()
            for scorer in scorers:
                scorer.score(case, output)
            per_case.append(time.perf_counter() - t)
        rates.append(len(cases) / (time.perf_counter() - started))
    words = [len(c.source.split()) for c in cases]
    print(f"{len(cases)} cases, sources {min(words)}-{max(words)} words (median {statistics.median(words):.0f}), outputs 400 words, scorers: {', '.join(s.name for s in scorers)}")
    print(f"median {statistics.median(rates):.2f} cases/s over {args.repeats} runs; median {statistics.median(per_case) * 1000:.0f} ms a case")
    if not args.no_results:
        figures = {"cases": len(cases), "source_words": {"min": min(words), "max": max(words), "median": statistics.median(words)},
                   "output_words": 400, "scorers": [s.name for s in scorers], "runs": args.repeats,
                   "cases_per_second": [round(r, 4) for r in rates], "median_cases_per_second": round(statistics.median(rates), 4),
                   "median_ms_per_case": round(statistics.median(per_case) * 1000, 2)}
        print(f"wrote {benchmark_results.write_results(measurement.finish(figures), args.results_dir)}")


if __name__ == "__main__":
    main()
