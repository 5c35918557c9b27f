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


def retry_policy(target: BaseTarget) -> RetryPolicy:
    """The target's retry settings as a policy (the same on every executor)."""
    return RetryPolicy(retries=target.config.max_retries, base_s=getattr(target.config, "backoff_s", 1.0))


async def attempt_case(target: BaseTarget, case: Case, policy: RetryPolicy,
                       cached: str | None) -> tuple[str | None, TargetError | None, int, float]:
    """(output, error, attempts, seconds): the cached output when there is one, else the target's answer."""
    started = time.perf_counter()
    if cached is not None:
        return cached, None, 0, time.perf_counter() - started
    output, error, attempts = await call_target(target, case, policy)
    return output, error, attempts, time.perf_counter() - started


def case_result(scorers: Sequence[Scorer], case: Case, output: str | None, error: TargetError | None, attempts: int,
                cached: bool, seconds: float) -> CaseResult:
    """One case's result: the error, or the output with every scorer's score (the same on every executor)."""
    if output is None:
        assert error is not None
        return CaseResult(case_id=case.id, error=str(error), error_kind=error.kind, attempts=attempts, seconds=seconds)
    return CaseResult(case_id=case.id, output=output, attempts=attempts, cached=cached, seconds=seconds,
                      scores=score_output(scorers, case, output))


def outcome_of(golden: GoldenSet, done: dict[str, CaseResult], scorers: Sequence[Scorer]) -> RunOutcome:
    """Every finished case in golden-set order, and each scorer's aggregate over them."""
    results = [done[case.id] for case in golden.cases if case.id in done]
    aggregates = {s.name: aggregate(s.name, [r.scores.get(s.name, Score.unscored("errored case")) for r in results if r.output is not None])
                  for s in scorers}
    return RunOutcome(results, aggregates)


async def run_cases(
    golden: GoldenSet,
    target: BaseTarget,
    scorers: Sequence[Scorer],
    checkpoint: CheckpointLog,
    cache: Cache | None,
    concurrency: int | None = None,
    on_case: Callable[[CaseResult], None] | None = None,
) -> RunOutcome:
    """Run every case not yet in the checkpoint, then aggregate over all of them (the local executor).

    At most `concurrency` calls are in flight, and at most twice as many cases are under way, so memory
    does not grow with the size of the golden set. Cases that finish together are checkpointed together,
    with one fsync, off the event loop: a case counts as finished once it is in the fsynced log."""
    done = checkpoint.finished()
    pending = iter([case for case in golden.cases if case.id not in done])
    policy = retry_policy(target)
    width = concurrency or target.config.concurrency
    limit = asyncio.Semaphore(width)

    async def one(case: Case) -> CaseResult:
        key = cache_key(target.config_hash, case.content_hash())
        async with limit:
            cached = cache.get("outputs", key) if cache and target.cacheable else None
            output, error, attempts, seconds = await attempt_case(target, case, policy, cached)
            if output is not None and cached is None and cache and target.cacheable:
                cache.put("outputs", key, output)
        return await asyncio.to_thread(case_result, scorers, case, output, error, attempts, cached is not None, seconds)

    under_way: set[asyncio.Task[CaseResult]] = set()
    try:
        while True:
            for case in pending:
                under_way.add(asyncio.ensure_future(one(case)))
                if len(under_way) >= 2 * width:
                    break
            if not under_way:
                break
            finished, under_way = await asyncio.wait(under_way, return_when=asyncio.FIRST_COMPLETED)
            batch = [task.result() for task in finished]
            await asyncio.to_thread(checkpoint.extend, batch)
            for result in batch:
                done[result.case_id] = result
                if on_case:
                    on_case(result)
    finally:
        for task in under_way:
            task.cancel()
        await asyncio.gather(*under_way, return_exceptions=True)
        await target.aclose()
    return outcome_of(golden, done, scorers)
