"""A real OpenAI-compatible HTTP server on loopback that misbehaves on purpose.

Test double for a third-party model API we cannot call from here. The behaviour is chosen by a
marker in the prompt: MODE=ok, MODE=429once (429 with Retry-After: 1, then fine), MODE=500once,
MODE=garbage (non-JSON body), MODE=nocontent (JSON without choices), MODE=slow (sleeps past any
sensible timeout), MODE=delay (answers after 0.3 s).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict

from tests.integration.loopback import LoopbackServer, QuietHandler, chat_completion, send_json


class FlakyServer(LoopbackServer):
    def __init__(self) -> None:
        self.requests: list[tuple[float, str, str]] = []  # (time, case marker, mode)
        self.counts: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        server = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                prompt = body["messages"][-1]["content"]
                mode = re.search(r"MODE=(\w+)", prompt).group(1)  # type: ignore[union-attr]
                marker = re.search(r"CASE=(\w+)", prompt).group(1)  # type: ignore[union-attr]
                with server._lock:
                    server.requests.append((time.monotonic(), marker, mode))
                    server.counts[marker] += 1
                    seen = server.counts[marker]
                if mode == "429once" and seen == 1:
                    return send_json(self, 429, b'{"error": "slow down"}', {"Retry-After": "1"})
                if mode == "500once" and seen == 1:
                    return send_json(self, 500, b'{"error": "boom"}')
                if mode == "garbage":
                    return send_json(self, 200, b"<html>Service Unavailable</html>")
                if mode == "nocontent":
                    return send_json(self, 200, b'{"id": "x", "object": "chat.completion"}')
                if mode == "slow":
                    time.sleep(3)
                if mode == "delay":
                    time.sleep(0.3)
                send_json(self, 200, chat_completion(body["model"], f"Summary of case {marker}: the adult was seen on 3 March."))

        super().__init__(Handler)
