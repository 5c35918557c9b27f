"""The runner: ask the target for every case, score each output, checkpoint as it goes.

Calls run concurrently (bounded by the target's `concurrency`), each under a time limit, with
retries and exponential backoff that honour `Retry-After` on HTTP 429. A case that still fails
is recorded with its error and the run carries on. Outputs are cached by content (target
config hash + case hash), so a rerun does not call the tool again.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .cache import Cache, cache_key
from .checkpoint import CaseResult, CheckpointLog
from .goldens import Case, GoldenSet
from .scoring import Aggregate, Score, Scorer, aggregate
from .targets import BaseTarget, TargetError

MAX_BACKOFF_S = 30.0
MAX_RETRY_AFTER_S = 120.0


@dataclass
class RetryPolicy:
    """Exponential backoff with jitter: base * 2**attempt, capped; a server's Retry-After wins if longer."""

    retries: int = 3
    base_s: float = 1.0
    cap_s: float = MAX_BACKOFF_S

    def delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = min(self.cap_s, self.base_s * (2 ** attempt)) * random.uniform(0.5, 1.0)
        if retry_after is not None:
            return max(backoff, min(retry_after, MAX_RETRY_AFTER_S))
        return backoff


@dataclass
class RunOutcome:
    results: list[CaseResult]
    aggregates: dict[str, Aggregate]
    warnings: list[str] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.results if r.error)


async def call_target(target: BaseTarget, case: Case, policy: RetryPolicy) -> tuple[str | None, TargetError | None, int]:
    """(output, error, attempts): never raises for a failure of the tool under test."""
    attempt = 0
    while True:
        attempt += 1
        try:
            output = await asyncio.wait_for(target.generate(case), timeout=target.config.timeout_s)
            return output, None, attempt
        except TargetError as exc:
            error = exc
        except asyncio.TimeoutError:
            error = TargetError("timeout", f"no answer within {target.config.timeout_s:g} s", retryable=True)
        except Exception as exc:  # the tool misbehaved in a way nobody foresaw: record it, carry on
            error = TargetError("exception", f"{type(exc).__name__}: {exc}")
        if not error.retryable or attempt > policy.retries:
            return None, error, attempt
        await asyncio.sleep(policy.delay(attempt - 1, error.retry_after))


def score_output(scorers: Sequence[Scorer], case: Case, output: str) -> dict[str, Score]:
    """Every scorer's score; a scorer that raises gives an unscored result, not a crash."""
    scores: dict[str, Score] = {}
    for scorer in scorers:
        try:
            scores[scorer.name] = scorer.score(case, output)
        except Exception as exc:
            scores[scorer.name] = Score.unscored(f"{type(exc).__name__}: {exc}")
    return scores


async def run_cases(
    golden: GoldenSet,
    target: BaseTarget,
    scorers: Sequence[Scorer],
    checkpoint: CheckpointLog,
    cache: Cache | None,
    concurrency: int | None = None,
    on_case: Callable[[CaseResult], None] | None = None,
) -> RunOutcome:
    """Run every case not yet in the checkpoint, then aggregate over all of them."""
    done = checkpoint.finished()
    pending = [case for case in golden.cases if case.id not in done]
    policy = RetryPolicy(retries=target.config.max_retries, base_s=getattr(target.config, "backoff_s", 1.0))
    limit = asyncio.Semaphore(concurrency or target.config.concurrency)

    async def one(case: Case) -> CaseResult:
        key = cache_key(target.config_hash, case.content_hash())
        async with limit:
            started = time.perf_counter()
            cached = cache.get("outputs", key) if cache and target.cacheable else None
            if cached is not None:
                output, error, attempts = cached, None, 0
            else:
                output, error, attempts = await call_target(target, case, policy)
                if output is not None and cache and target.cacheable:
                    cache.put("outputs", key, output)
            seconds = time.perf_counter() - started
        if output is None:
            assert error is not None
            return CaseResult(case_id=case.id, error=str(error), error_kind=error.kind, attempts=attempts, seconds=seconds)
        scores = await asyncio.to_thread(score_output, scorers, case, output)
        return CaseResult(case_id=case.id, output=output, attempts=attempts, cached=cached is not None,
                          seconds=seconds, scores=scores)

    try:
        for finished in asyncio.as_completed([one(case) for case in pending]):
            result = await finished
            checkpoint.append(result)
            done[result.case_id] = result
            if on_case:
                on_case(result)
    finally:
        await target.aclose()
    results = [done[case.id] for case in golden.cases if case.id in done]
    aggregates = {s.name: aggregate(s.name, [r.scores.get(s.name, Score.unscored("errored case")) for r in results if r.output is not None])
                  for s in scorers}
    return RunOutcome(results, aggregates)
