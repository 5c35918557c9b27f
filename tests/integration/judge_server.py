"""A real OpenAI-compatible HTTP server on loopback standing in for an LLM judge.

Test double for a third-party model API (no LLM can be reached or run fast enough here): it
answers each request that carries `response_format.json_schema` with a minimal instance of that
schema (strings "yes", numbers 1, one item per list, first enum value), and plain text otherwise.
`mode = "garbage"` makes it answer with non-JSON text instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.integration.loopback import LoopbackServer, QuietHandler, chat_completion, send_json


def instance_of(schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    root = root or schema
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        return instance_of(root.get("$defs", root.get("definitions", {}))[name], root)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            return instance_of(options[0], root)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type", "object")
    if kind == "object":
        return {name: instance_of(sub, root) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [instance_of(schema.get("items", {"type": "string"}), root)]
    return {"string": "yes", "integer": 1, "number": 1.0, "boolean": True, "null": None}.get(kind, "yes")


class JudgeServer(LoopbackServer):
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.mode = "schema"
        self.answer: Callable[[dict[str, Any]], str] | None = None  # scripted replies for one test
        server = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                if server.answer is not None:
                    content = server.answer(body)
                elif server.mode == "garbage":
                    content = "I cannot answer that."
                elif "response_format" in body:
                    content = json.dumps(instance_of(body["response_format"]["json_schema"]["schema"]))
                else:
                    content = "yes"
                send_json(self, 200, chat_completion(body["model"], content))

        super().__init__(Handler)
