"""The Ray executor: the same cases, results, cache and checkpoint as the local runner, spread over a Ray cluster.

`assure run --executor ray [--ray-address ADDRESS]`. The driver (the `assure run` process) owns the
checkpoint and the cache: it looks each case up in the cache, sends the case to one of a pool of
`CaseWorker` actors (one per CPU of the cluster, never more than `--concurrency`), and checkpoints the
results as they come back, several to an fsync. A worker calls the target (with the runner's own time
limit, retries and backoff) and scores the output with the runner's own scorer loop, so a report does
not depend on the executor. A worker that dies is restarted by Ray and its unfinished cases are sent
again; a case whose worker dies three times is recorded as an errored case (`worker_lost`).

Without an address a local cluster is started for the run and shut down after it; with one, assure
connects to that cluster (every node needs the same assure installed, and the files a target names at
the same paths, and API keys in the workers' environment: they are never sent through Ray). A process
that already called `ray.init` keeps its own connection.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ._env import TELEMETRY_OFF
from .cache import Cache, cache_key
from .checkpoint import CaseResult, CheckpointLog
from .errors import InputError
from .goldens import Case, GoldenSet
from .judges import DEEP_JUDGE_ENV
from .paths import data_dir
from .plugins import load_suite
from .runner import RunOutcome, attempt_case, case_result, outcome_of, retry_policy
from .scoring import Scorer, scorers_of
from .targets import BaseTarget, target_from_config
from .version import __version__

WORKER_ENV = ("ASSURE_HOME", "ASSURE_JUDGE", DEEP_JUDGE_ENV, *TELEMETRY_OFF)  # --judge deep reaches the workers too
TASK_RETRIES = 2  # Ray sends a case again at most this often when its worker dies


def _scorers_of(suite_names: Sequence[str]) -> list[Scorer]:
    """The suites' scorers, first of each name (as `evaluate` picks them)."""
    return scorers_of(load_suite(name) for name in dict.fromkeys(suite_names))


class CaseWorker:
    """One worker process: its own copy of the target and scorers; runs cases concurrently (async actor)."""

    def __init__(self, env: dict[str, str], target_config: dict[str, Any], base_dir: str, config_hash: str,
                 suite_names: Sequence[str], scorers: Sequence[Scorer] | None) -> None:
        os.environ.update(env)
        self.target: BaseTarget = target_from_config(target_config, Path(base_dir))
        if self.target.config_hash != config_hash:
            raise InputError.single(base_dir, "the target's files differ on this Ray node (configuration hash differs)")
        self.scorers = list(scorers) if scorers is not None else _scorers_of(suite_names)
        self.policy = retry_policy(self.target)

    def ready(self) -> tuple[str, int]:
        """The assure version and process id of this worker."""
        return __version__, os.getpid()

    async def run(self, case: Case, cached: str | None) -> CaseResult:
        output, error, attempts, seconds = await attempt_case(self.target, case, self.policy, cached)
        return await asyncio.to_thread(case_result, self.scorers, case, output, error, attempts, cached is not None, seconds)

    async def close(self) -> None:
        await self.target.aclose()


def connect(address: str | None = None, num_cpus: int | None = None) -> bool:
    """Connect to the Ray cluster at `address`, or start a local one; True when this call started the connection."""
    try:
        import ray
    except ImportError:
        raise InputError.single("--executor ray", "Ray is not installed: pip install 'assure[scale]'") from None

    if ray.is_initialized():
        return False
    quiet = {"log_to_driver": False, "logging_level": logging.ERROR, "configure_logging": True}
    try:
        if address:
            ray.init(address=address, **quiet)
        else:
            ray.init(num_cpus=num_cpus, include_dashboard=False, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise InputError.single("--ray-address", f"cannot connect to Ray at {address or 'a new local cluster'}: {exc}") from exc
    return True


def worker_env() -> dict[str, str]:
    """What a worker needs from the driver's environment: the data folder, the judge, telemetry off."""
    env = {key: os.environ[key] for key in WORKER_ENV if key in os.environ}
    env["ASSURE_HOME"] = str(data_dir())
    return env


def run_cases_ray(golden: GoldenSet, target: BaseTarget, suite_names: Sequence[str], checkpoint: CheckpointLog,
                  cache: Cache | None, concurrency: int | None = None, on_case: Callable[[CaseResult], None] | None = None,
                  address: str | None = None, scorers: Sequence[Scorer] | None = None,
                  workers: int | None = None) -> RunOutcome:
    """Run every case not yet in the checkpoint on Ray workers, then aggregate (see the module docstring).

    `scorers` (objects Ray can pickle) replace the suites' own, for callers outside `assure run`."""
    import ray

    started_here = connect(address)
    try:
        width = concurrency or target.config.concurrency
        count = workers or max(1, min(width, int(ray.cluster_resources().get("CPU", 1))))
        actor = ray.remote(CaseWorker).options(num_cpus=0, max_restarts=-1, max_task_retries=TASK_RETRIES,
                                               max_concurrency=math.ceil(width / count) + 1)
        config = target.config.model_dump(mode="json")
        pool = [actor.remote(worker_env(), config, str(target.base_dir), target.config_hash, list(suite_names),
                             list(scorers) if scorers is not None else None) for _ in range(count)]
        try:
            _check_workers(pool)
            done = _drive(golden, target, pool, checkpoint, cache, width, on_case)
        finally:
            _close(pool)
        return outcome_of(golden, done, scorers if scorers is not None else _scorers_of(suite_names))
    finally:
        if started_here:
            ray.shutdown()


def _close(pool: list[Any]) -> None:
    """Close each worker's target (its HTTP clients), then end the workers; a dead worker is no error here."""
    import ray
    from ray.exceptions import GetTimeoutError, RayActorError

    try:
        ray.get([worker.close.remote() for worker in pool], timeout=30)
    except (RayActorError, GetTimeoutError):
        pass
    for worker in pool:
        ray.kill(worker)


def _check_workers(pool: list[Any]) -> None:
    """Every worker started and runs this assure version (bad input when not: exit 2)."""
    import ray
    from ray.exceptions import RayActorError

    try:
        versions = {version for version, _ in ray.get([worker.ready.remote() for worker in pool], timeout=300)}
    except RayActorError as exc:
        raise InputError.single("--executor ray", f"a Ray worker could not start: {exc}") from exc
    if versions != {__version__}:
        raise InputError.single("--executor ray", f"Ray workers run assure {', '.join(sorted(versions))}, this is {__version__}")


def _drive(golden: GoldenSet, target: BaseTarget, pool: list[Any], checkpoint: CheckpointLog, cache: Cache | None,
           width: int, on_case: Callable[[CaseResult], None] | None) -> dict[str, CaseResult]:
    """Keep `width` cases in flight over the pool; checkpoint and cache results as they arrive."""
    import ray
    from ray.exceptions import RayActorError

    done = checkpoint.finished()
    pending = [case for case in reversed(golden.cases) if case.id not in done]
    in_flight: dict[Any, tuple[Case, int, bool]] = {}
    load = [0] * len(pool)
    use_cache = cache is not None and target.cacheable
    while pending or in_flight:
        while pending and len(in_flight) < width:
            case = pending.pop()
            cached = cache.get("outputs", cache_key(target.config_hash, case.content_hash())) if use_cache else None  # type: ignore[union-attr]
            index = load.index(min(load))
            load[index] += 1
            in_flight[pool[index].run.remote(case, cached)] = (case, index, cached is not None)
        ready, _ = ray.wait(list(in_flight), num_returns=1)
        rest = [ref for ref in in_flight if ref not in ready]
        if rest:
            ready += ray.wait(rest, num_returns=len(rest), timeout=0)[0]
        batch: list[CaseResult] = []
        fresh: dict[str, str] = {}
        for ref in ready:
            case, index, was_cached = in_flight.pop(ref)
            load[index] -= 1
            try:
                result: CaseResult = ray.get(ref)
            except RayActorError as exc:  # Ray restarted the worker and sent the case again, TASK_RETRIES times
                result = CaseResult(case_id=case.id, error=f"worker_lost: {type(exc).__name__}", error_kind="worker_lost")
            if result.output is not None and not was_cached and use_cache:
                fresh[cache_key(target.config_hash, case.content_hash())] = result.output
            batch.append(result)
        if fresh:
            cache.put_many("outputs", fresh)  # type: ignore[union-attr]
        checkpoint.extend(batch)
        for result in batch:
            done[result.case_id] = result
            if on_case:
                on_case(result)
    return done
