"""The local runner at a region's scale, against a real loopback JSON API: every call it may have in flight
is in flight at once (httpx alone would have capped 128 at 100), and every case is checkpointed once."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path

import pytest

from harness.cache import Cache
from harness.checkpoint import CheckpointLog
from harness.goldens import Case, load_golden
from harness.runner import run_cases
from harness.scoring import Score
from harness.targets import target_from_config
from tests.conftest import simple_case, write_golden
from tests.integration.loopback import LoopbackServer, QuietHandler, send_json

pytestmark = pytest.mark.integration


class CountingServer(LoopbackServer):
    """Answers each POST after `latency` seconds and records the most requests it held at once."""

    def __init__(self, latency: float) -> None:
        self.in_flight = self.most = self.calls = 0
        lock = threading.Lock()
        server = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with lock:
                    server.in_flight += 1
                    server.calls += 1
                    server.most = max(server.most, server.in_flight)
                time.sleep(latency)
                with lock:
                    server.in_flight -= 1
                send_json(self, 200, json.dumps({"output": f"Summary of {body['id']}."}).encode())

        super().__init__(Handler)
        self.httpd.socket.listen(512)  # 128 connections arrive at once


class NamesTheCase:
    name, version, threshold, description = "names_the_case", "1", 1.0, "the output names the case"

    def score(self, case: Case, output: str) -> Score:
        return Score(value=1.0 if case.id in output else 0.0, passed=case.id in output)


def test_128_calls_in_flight_and_each_case_checkpointed_once(tmp_path: Path) -> None:
    golden = load_golden(write_golden(tmp_path / "golden", [simple_case(f"c{i:03d}", f"Note {i}.") for i in range(256)]))
    with CountingServer(latency=0.5) as server:
        target = target_from_config({"name": "counting", "kind": "http", "url": server.url, "max_retries": 0,
                                     "request_template": {"id": "{case_id}", "text": "{source}"}}, tmp_path)
        checkpoint, cache = CheckpointLog("scale-run"), Cache(tmp_path / "cache.sqlite")
        outcome = asyncio.run(run_cases(golden, target, [NamesTheCase()], checkpoint, cache, concurrency=128))
        cache.close()
    assert server.most == 128 and server.calls == 256
    assert outcome.error_count == 0 and outcome.aggregates["names_the_case"].mean == 1.0
    logged = [json.loads(line)["case_id"] for line in checkpoint.path.read_text().splitlines()]
    assert sorted(logged) == [case.id for case in golden.cases]
